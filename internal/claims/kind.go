package claims

import "truce"

// Facility kinds of the claims format (docs/claims-format.md): the fixed
// list a claim's FacilityKind is one of.
const (
	KindRefinery      = "oil refinery"
	KindPipeline      = "oil and gas pipeline/pumping/compressor/metering station"
	KindStorage       = "oil and gas storage"
	KindPowerPlant    = "power plant"
	KindSubstation    = "substation or transformer"
	KindGrid          = "power transmission/distribution"
	KindNuclear       = "nuclear power plant"
	KindHydro         = "hydroelectric dam"
	KindGasProduction = "gas production"
	KindHeating       = "heating/boiler"
	KindOther         = "other"
	KindNotStated     = "not stated"
)

// CategoryEnergy is the category of energy infrastructure whose kind is not
// stated: it covers every energy category.
const CategoryEnergy truce.CategoryID = "energy"

// kindCategories maps each facility kind to the target categories of the
// bundled agreement's taxonomy that describe it. A substation and the lines
// it feeds are one network to the people who report a strike ("a power
// facility", "the grid"), so each kind names the other as well.
var kindCategories = map[string][]truce.CategoryID{
	KindRefinery:      {"energy.refinery"},
	KindPipeline:      {"energy.pipeline"},
	KindStorage:       {"energy.oil_gas_storage"},
	KindPowerPlant:    {"energy.power_plant"},
	KindSubstation:    {"energy.substation", "energy.grid"},
	KindGrid:          {"energy.grid", "energy.substation"},
	KindNuclear:       {"energy.nuclear"},
	KindHydro:         {"energy.hydro_dam"},
	KindGasProduction: {"energy.oil_gas_production"},
	KindHeating:       {"heat"},
	KindOther:         {CategoryEnergy},
	KindNotStated:     {CategoryEnergy},
}

// FacilityKinds lists the facility kinds a claim may name, in the order of
// the claims format.
func FacilityKinds() []string {
	return []string{KindRefinery, KindPipeline, KindStorage, KindPowerPlant, KindSubstation, KindGrid,
		KindNuclear, KindHydro, KindGasProduction, KindHeating, KindOther, KindNotStated}
}

// KindCategories returns the target categories a facility kind describes,
// most specific first; an unknown or empty kind describes energy
// infrastructure of any kind.
func KindCategories(kind string) []truce.CategoryID {
	if cs, ok := kindCategories[kind]; ok {
		return cs
	}
	return []truce.CategoryID{CategoryEnergy}
}

// kindFits reports whether a target of category got can be the facility
// of a claim of kind: one covers the other (a report of "energy
// infrastructure" fits a claimed substation, and a reported substation
// fits a claim that did not say which kind).
func kindFits(kind string, got truce.CategoryID) bool {
	for _, c := range KindCategories(kind) {
		if c.Covers(got) || got.Covers(c) {
			return true
		}
	}
	return false
}
