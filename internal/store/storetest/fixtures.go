package storetest

import (
	"fmt"
	"testing"
	"time"

	"truce"
	"truce/internal/geo"
)

// kyiv is Kyiv's offset in March 2025 before summer time (30 March): VIINA
// and ACLED days are local days.
var kyiv = time.FixedZone("EET", 2*60*60)

// day returns the start of a local day of March 2025, in UTC.
func day(d int) time.Time { return time.Date(2025, 3, d, 0, 0, 0, 0, kyiv).UTC() }

// Report ids of the scenario, in the importers' forms: FILE:LINE for VIINA,
// the source's own id for ACLED and the parties' submissions.
const (
	rSlobozhanske   truce.ReportID = "viina_incidents_202503.csv:3128"
	rSloviansk      truce.ReportID = "viina_incidents_202503.csv:3195"
	rVysokoivanivka truce.ReportID = "viina_incidents_202503.csv:3196"
	rKropyvnytskyi  truce.ReportID = "viina_incidents_202503.csv:3452"
	rSudzha         truce.ReportID = "RU-MOD-2025-03-21-02"
	rKherson        truce.ReportID = "UA-MOE-2025-03-24-01"
	rKharkiv        truce.ReportID = "UKR217001"
)

// viina returns a day-precision VIINA report.
func viina(id truce.ReportID, line, d int, lon, lat float64, place, eventType, text string) *truce.Report {
	return &truce.Report{
		ID: id, Source: "viina", File: "viina_incidents_202503.csv", Line: line,
		Original: fmt.Sprintf("%q,%q,%q,%q,%q,%q", fmt.Sprintf("2025-03-%02d 00:00:00", d), fmt.Sprint(lon), fmt.Sprint(lat), place, eventType, text),
		Start:    day(d), End: day(d + 1), Precision: truce.PrecisionDay,
		Location: geo.Point{Lon: lon, Lat: lat}, LocationPrecisionMeters: 2000, Place: place,
		EventType: eventType, Text: text,
	}
}

// scenario returns fresh copies of seven reports of 18-28 March 2025, in
// start order.
func scenario() []*truce.Report {
	return []*truce.Report{
		viina(rSlobozhanske, 3128, 18, 36.50512, 49.61494, "Slobozhans’ke", "arresb",
			"Російська армія дронами знищила нафтопереробний завод на Харківщині"),
		viina(rSloviansk, 3195, 19, 37.60582, 48.85227, "Sloviansk", "uav|civcas",
			"Повідомляється, що у Слов'янську частково відключено електроенергію через 2 сильні вибухи"),
		viina(rVysokoivanivka, 3196, 19, 37.70508, 48.84617, "Vysokoivanivka", "uav|civcas",
			"Повідомляється, що у Слов'янську частково відключено електроенергію через 2 сильні вибухи"),
		viina(rKropyvnytskyi, 3452, 20, 32.26637, 48.51036, "Kropyvnytskyy", "",
			"Наймасованіша атака на Кропивницький: 10 поранених"),
		{
			ID: rSudzha, Source: "truce", SourceID: "2025-03-21-02", Outlet: "Ministry of Defence of the Russian Federation",
			Start: time.Date(2025, 3, 21, 5, 0, 0, 0, time.UTC), End: time.Date(2025, 3, 21, 6, 0, 0, 0, time.UTC),
			Precision: truce.PrecisionHour, Location: geo.Point{Lon: 35.2667, Lat: 51.1936}, LocationPrecisionMeters: 500,
			Place: "Sudzha gas metering station", Actor1: "Military Forces of Ukraine", Perpetrator: "UA",
			Actions: []truce.Action{truce.ActionStrike}, Category: "energy.pipeline",
			Text: "The Kyiv regime struck the Sudzha gas metering station", Fatalities: 0,
		},
		{
			ID: rKherson, Source: "truce", SourceID: "2025-03-24-01", Outlet: "Ministry of Energy of Ukraine",
			Start: time.Date(2025, 3, 24, 1, 40, 0, 0, time.UTC), End: time.Date(2025, 3, 24, 1, 41, 0, 0, time.UTC),
			Precision: truce.PrecisionMinute, Location: geo.Point{Lon: 32.6169, Lat: 46.6354}, LocationPrecisionMeters: 100,
			Place: "Kherson", Actor1: "Military Forces of Russia (2000-)", Perpetrator: "RU",
			Actions: []truce.Action{truce.ActionDroneAttack}, Category: "energy.substation", Site: "UKR0001234",
			Text: "Russian drone hit a substation in Kherson; 45,000 customers without power", Fatalities: 1,
		},
		{
			ID: rKharkiv, Source: "acled", SourceID: "UKR217001", Outlet: "Suspilne",
			Start: day(28), End: day(29), Precision: truce.PrecisionDay,
			Location: geo.Point{Lon: 36.2304, Lat: 49.9935}, Place: "Kharkiv",
			Actor1: "Military Forces of Russia (2000-)", Actor2: "Civilians (Ukraine)",
			EventType: "Explosions/Remote violence", Text: "Russian forces shelled Kharkiv; a thermal power plant was damaged",
			Fatalities: 2,
		},
	}
}

// byID returns the scenario report with the given id.
func byID(rs []*truce.Report, id truce.ReportID) *truce.Report {
	for _, r := range rs {
		if r.ID == id {
			return r
		}
	}
	panic("storetest: no fixture report " + string(id))
}

// judgement returns a judgement of report r with one finding per phase.
func judgement(r truce.ReportID, o truce.Outcome, perp truce.PartyID, expl string, phases ...truce.PhaseID) truce.Judgement {
	j := truce.Judgement{
		Report: r, Outcome: o, Explanation: expl,
		Facts: truce.Facts{
			Perpetrator: perp, PerpetratorBasis: truce.BasisActor, PerpetratorNote: `actor1 "Military Forces"`,
			Actions: []truce.Action{truce.ActionDroneAttack}, ActionBasis: truce.BasisText,
			Category: "energy.power_plant", CategoryBasis: truce.BasisText, CategoryNote: `keyword "електроенергію"`,
			Site:  &truce.SiteMatch{ID: "UKR0001234", Name: "Kherson TPP", Category: "energy.power_plant.thermal", DistanceMeters: 812.5},
			Zones: []truce.ZoneID{"ukraine", "ukraine_without_crimea"},
		},
	}
	for _, ph := range phases {
		j.Findings = append(j.Findings, truce.Finding{
			Commitment: truce.CommitmentID(string(ph) + "-" + string(perp)), Phase: ph, Party: perp, Outcome: o,
			Readings: []truce.ReadingResult{{Parties: []truce.PartyID{perp}, Outcome: o, Day: 3, Days: 30, Note: "common reading"}},
			Missing:  nil, Zone: "ukraine", Explanation: expl,
		})
	}
	if len(phases) == 0 {
		j.Findings = []truce.Finding{{Commitment: "energy-ru", Phase: "energy", Outcome: truce.OutcomeNotProhibited, Reason: "not in force", Explanation: expl}}
	}
	return j
}

// The agreement of the scenario and two bundles of it. Stores keep
// bundles as opaque bytes.
const agreementID truce.AgreementID = "energy-ceasefire-2025"

var (
	bundleV1 = []byte("PK\x03\x04 agreement.yaml: energy-ceasefire-2025, version 2025-03-18\x00\xff")
	bundleV2 = []byte("PK\x03\x04 agreement.yaml: energy-ceasefire-2025, version 2025-04-18\x00\xfe")
)

// sites returns two protected sites.
func sites() []*truce.Site {
	return []*truce.Site{
		{ID: "UKR0001234", Name: "Khersonska TPP", Country: "UKR", Location: geo.Point{Lon: 32.6217, Lat: 46.6401},
			Category: "energy.power_plant.thermal", Attrs: map[string]string{"primary_fuel": "Gas", "owner": "Kherson TPP"},
			CapacityMW: 80, Source: "gppd-1.3.0"},
		{ID: "RUS0000042", Name: "Sudzha GMS", Country: "RUS", Location: geo.Point{Lon: 35.2667, Lat: 51.1936},
			Category: "energy.pipeline", Source: "osm"},
	}
}

func mustPutReports(t *testing.T, e *env, by truce.Principal, opt truce.PutOptions, rs ...*truce.Report) int {
	t.Helper()
	n, err := e.s.PutReports(e.ctx, by, rs, opt)
	must(t, err)
	return n
}

func mustAgreement(t *testing.T, e *env, bundle []byte) *truce.AgreementVersion {
	t.Helper()
	v, _, err := e.s.PutAgreement(e.ctx, admin, agreementID, bundle)
	must(t, err)
	return v
}

func mustJudge(t *testing.T, e *env, version int, js ...truce.Judgement) int {
	t.Helper()
	n, err := e.s.PutJudgements(e.ctx, truce.System, agreementID, version, js)
	must(t, err)
	return n
}

func mustIncident(t *testing.T, e *env, id truce.ReportID) *truce.IncidentSummary {
	t.Helper()
	in, err := e.s.Incident(e.ctx, truce.IncidentID(id))
	must(t, err)
	return in
}

// mix is the store state populate leaves: a realistic mix of every kind of
// logged write.
type mix struct {
	reports  []*truce.Report
	evidence truce.Evidence
	content  []byte
	v1, v2   *truce.AgreementVersion
	events   int // non-"created" events
}

// populate makes every kind of logged write, as the CLI and the API would.
func populate(t *testing.T, e *env) *mix {
	t.Helper()
	m := &mix{reports: scenario()}
	if _, err := e.s.PutSites(e.ctx, sites()); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	mustPutReports(t, e, truce.System, truce.PutOptions{Published: true}, m.reports[:4]...)
	mustPutReports(t, e, partyRU, truce.PutOptions{SubmittedBy: "RU"}, byID(m.reports, rSudzha))
	mustPutReports(t, e, partyUA, truce.PutOptions{SubmittedBy: "UA"}, byID(m.reports, rKherson))
	mustPutReports(t, e, monitor, truce.PutOptions{}, byID(m.reports, rKharkiv))
	e.clock.Advance(time.Minute)
	m.v1 = mustAgreement(t, e, bundleV1)
	mustJudge(t, e, m.v1.Version,
		judgement(rSlobozhanske, truce.OutcomeViolation, "RU", "Strike on a refinery during the energy moratorium", "energy"),
		judgement(rSloviansk, truce.OutcomeUndetermined, "", "Perpetrator unknown"),
		judgement(rVysokoivanivka, truce.OutcomeUndetermined, "", "Perpetrator unknown"),
		judgement(rKropyvnytskyi, truce.OutcomeNotProhibited, "RU", "Not an energy target"),
		judgement(rSudzha, truce.OutcomeDisputed, "UA", "The parties read the start of the moratorium differently", "energy"),
		judgement(rKherson, truce.OutcomeViolation, "RU", "Drone attack on a substation", "energy"),
		judgement(rKharkiv, truce.OutcomeViolation, "RU", "Shelling of a thermal power plant", "energy", "black-sea"),
	)
	e.clock.Advance(time.Minute)
	step := func(ev *truce.Event, err error) {
		t.Helper()
		must(t, err)
		m.events++
	}
	step(e.s.ChangeStatus(e.ctx, monitor, truce.IncidentID(rKherson), truce.StatusUnderReview, "triage"))
	step(e.s.ChangeStatus(e.ctx, monitor, truce.IncidentID(rKherson), truce.StatusVerified, "photos and operator statement"))
	m.events++ // verified publishes the incident
	step(e.s.AddNote(e.ctx, monitor, truce.IncidentID(rSloviansk), "Same explosions as 3196?"))
	step(e.s.Respond(e.ctx, partyRU, truce.IncidentID(rKherson), truce.ResponseDenial, "No strikes on energy facilities were carried out"))
	m.content = []byte("\x89PNG\r\n\x1a\n substation photo")
	m.evidence = truce.Evidence{MediaType: "image/png", Description: "photo of the damaged transformer"}
	step(e.s.AddEvidence(e.ctx, monitor, truce.IncidentID(rKherson), &m.evidence, m.content))
	m.events++ // new evidence sends the verified incident back to under_review
	step(e.s.Publish(e.ctx, monitor, truce.IncidentID(rSudzha)))
	step(e.s.Merge(e.ctx, monitor, truce.IncidentID(rSloviansk), truce.IncidentID(rVysokoivanivka), "same explosions"))
	m.events++ // the merged-away incident's event
	step(e.s.Merge(e.ctx, monitor, truce.IncidentID(rSloviansk), truce.IncidentID(rSlobozhanske), "wrong"))
	m.events++
	step(e.s.Split(e.ctx, monitor, rSlobozhanske, "not the same event"))
	m.events++
	e.clock.Advance(time.Minute)
	var created bool
	var err error
	m.v2, created, err = e.s.PutAgreement(e.ctx, admin, agreementID, bundleV2)
	must(t, err)
	if !created {
		t.Fatal("PutAgreement(bundle v2) created = false")
	}
	mustJudge(t, e, m.v2.Version,
		judgement(rSlobozhanske, truce.OutcomeViolation, "RU", "Strike on a refinery during the energy moratorium", "energy"),
		judgement(rKharkiv, truce.OutcomeDisputed, "RU", "Shelling near a thermal power plant", "energy"),
	)
	must(t, e.s.CreateToken(e.ctx, &truce.Token{ID: "tok_ua", Hash: hashOf("ua-secret"), Role: truce.RoleParty, Party: "UA", Name: "Ukraine", CreatedAt: e.clock.Now()}))
	return m
}
