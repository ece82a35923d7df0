// Package examples embeds the bundled scenarios, so that "truce demo" runs
// from any directory with no network and no checkout.
package examples

import "embed"

// FS holds every scenario directory.
//
//go:embed energy-ceasefire-2025
var FS embed.FS

// Scenario file paths inside FS.
const (
	EnergyAgreement = "energy-ceasefire-2025/agreement.yaml"
	EnergySites     = "energy-ceasefire-2025/sites/gppd_v1.3.0_selected_countries.csv"
)

// EnergyReports are the report files of the energy scenario, in order.
var EnergyReports = []string{
	"energy-ceasefire-2025/reports/viina_incidents_202503.csv",
	"energy-ceasefire-2025/reports/viina_incidents_202504.csv",
}
