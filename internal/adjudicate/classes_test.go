package adjudicate_test

import (
	"strings"
	"testing"
	"time"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
	"truce/internal/geo"
)

// The classes of error of issue 11, each with a real (VIINA, March-April
// 2025) or realistic headline, judged against the bundled 2025 agreement
// and GPPD sites as a mission would run them.

func mustScenarioJudge(tb testing.TB) *adjudicate.Judge {
	tb.Helper()
	_, a, err := agreement.BundleFile("../../examples/energy-ceasefire-2025/agreement.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return adjudicate.New(a, loadGPPD(tb))
}

// viinaReport is a report as the VIINA importer makes it: a settlement
// point placed to within 2 km, a day, the headline, machine tags.
func viinaReport(day string, lon, lat float64, tags, text string) *truce.Report {
	kyiv, _ := time.LoadLocation("Europe/Kyiv")
	d, _ := time.ParseInLocation("2006-01-02", day, kyiv)
	r := &truce.Report{
		ID: "r1", Source: "viina", Start: d.UTC(), End: d.AddDate(0, 0, 1).UTC(), Precision: truce.PrecisionDay,
		Location: geo.Point{Lon: lon, Lat: lat}, LocationPrecisionMeters: 2000, EventType: tags, Text: text,
	}
	for _, t := range strings.Split(tags, "|") {
		switch t {
		case "uav":
			r.Actions = append(r.Actions, truce.ActionDroneAttack)
		case "artillery":
			r.Actions = append(r.Actions, truce.ActionShelling)
		}
	}
	return r
}

// Places of the reports below (VIINA's settlement points).
const (
	kramatorskLon, kramatorskLat = 37.5558, 48.7389 // 1.3 km from Kramatorskaya power station
	khersonLon, khersonLat       = 32.6169, 46.6354
	kyivLon, kyivLat             = 30.5234, 50.4501
	sudzhaLon, sudzhaLat         = 35.2722, 51.1919
	zaporizhLon, zaporizhLat     = 35.1396, 47.8388
	lvivLon, lvivLat             = 24.0316, 49.8397
)

func TestIssue11Classes(t *testing.T) {
	j := mustScenarioJudge(t)
	for _, tt := range []struct {
		class, name string
		r           *truce.Report
		want        truce.Outcome
		party       truce.PartyID
		says        string // in the explanation
	}{
		{"1 nearness", "drones on a city near a power station",
			viinaReport("2025-04-09", kramatorskLon, kramatorskLat, "uav|civcas", "Армія РФ атакувала Краматорськ дронами, серед поранених – дитина."),
			truce.OutcomeNotProhibited, "", "a site near a settlement-level location is not a target"},
		{"1 nearness", "ground fighting on an axis named after the city",
			viinaReport("2025-04-13", kramatorskLon, kramatorskLat, "artillery|property|civcas", "Армія РФ поновила штурми з застосуванням бронетехніки на Краматорському й Торецькому напрямках"),
			truce.OutcomeNotProhibited, "", "not a target"},
		{"1 nearness", "a named power station near the point is identified by it",
			viinaReport("2025-04-09", kramatorskLon, kramatorskLat, "uav", "Росіяни вдарили дронами по ТЕС у Краматорську"),
			truce.OutcomeViolation, "RU", "Kramatorskaya"},
		{"2 tags", "green-energy land case tagged as a drone attack",
			viinaReport("2025-03-29", lvivLon, lvivLat, "uav|artillery|property|civcas", "На Львовщине отобрали землю у арендаторов, проваливших строительство \"зеленой\" энергетики"),
			truce.OutcomeNotProhibited, "", "no attack is reported"},
		{"3 did not happen", "an agent who planned to guide a strike on a substation",
			viinaReport("2025-04-10", khersonLon, khersonLat, "uav", "СБУ затримала агента РФ, який планував навести російський удар на одну з ключових електропідстанцій у Херсоні"),
			truce.OutcomeNotProhibited, "", "no attack happened as reported"},
		{"3 did not happen", "a denial of strikes on energy",
			viinaReport("2025-03-27", kyivLon, kyivLat, "", "Генштаб спростував заяву росіян про нібито удари по енергооб'єктах у РФ і Криму"),
			truce.OutcomeNotProhibited, "", "denies"},
		{"3 did not happen", "a power line de-energised after a raid is not a line struck",
			viinaReport("2025-03-31", zaporizhLon, zaporizhLat, "uav", "РФ атакувала Україну безпілотниками: в Харкові пошкоджено підприємство, на Запоріжжі знеструмлена ЛЕП, на Київщині працювала ППО"),
			truce.OutcomeUndetermined, "", "power was lost"},
		{"3 did not happen", "an attempted strike on a named facility counts",
			viinaReport("2025-04-02", khersonLon, khersonLat, "uav", "Сили ППО збили російські дрони, які атакували ТЕЦ у Херсоні"),
			truce.OutcomeViolation, "RU", "attempted"},
		{"4 who", "Russia as the subject, after a clause about the agreement",
			viinaReport("2025-04-01", khersonLon, khersonLat, "", "Сибіга: Росія знову порушила домовленості зі США та вдарила по енергооб’єкту Херсона."),
			truce.OutcomeViolation, "RU", "Росія"},
		{"4 who", "Russian-language subject, the object in another case",
			viinaReport("2025-04-02", khersonLon, khersonLat, "", "Россия атаковала подстанцию в Херсоне, обесточены дома"),
			truce.OutcomeViolation, "RU", "Россия"},
		{"4 who", "a party word that is only the object of an accusation",
			viinaReport("2025-03-21", sudzhaLon, sudzhaLat, "", "РФ обстріляла газовимірювальну станцію \"Суджа\" і звинуватила ЗСУ"),
			truce.OutcomeNotProhibited, "", "outside the zones"},
		{"5 generic", "an energy facility of unstated kind is covered by the 2025 text",
			viinaReport("2025-04-01", khersonLon, khersonLat, "", "Росіяни вдарили по енергооб’єкту у Херсоні"),
			truce.OutcomeViolation, "RU", "kind not stated"},
		{"6 borders", "a strike in Kyiv 650 m from the city line is in Ukraine",
			viinaReport("2025-03-28", 30.6030, 50.3935, "", "Російські дрони атакували підстанцію у Києві"),
			truce.OutcomeViolation, "RU", "Government-held"},
		{"9 place", "a strike in Crimea placed in Kyiv by the source",
			viinaReport("2025-03-28", kyivLon, kyivLat, "", "Генштаб: Сили оборони уразили нафтобазу у Феодосії в окупованому Криму"),
			truce.OutcomeViolation, "UA", "нафтобазу"},
	} {
		t.Run(tt.class+"/"+tt.name, func(t *testing.T) {
			jd := j.Judge(tt.r)
			if jd.Outcome != tt.want {
				t.Errorf("outcome = %s, want %s\n%s", jd.Outcome, tt.want, jd.Explanation)
			}
			if tt.party != "" && jd.Facts.Perpetrator != tt.party {
				t.Errorf("perpetrator = %q, want %q\n%s", jd.Facts.Perpetrator, tt.party, jd.Explanation)
			}
			if !strings.Contains(jd.Explanation, tt.says) {
				t.Errorf("explanation lacks %q:\n%s", tt.says, jd.Explanation)
			}
			// Every fact from the text carries its words at their offsets.
			rs := []rune(tt.r.Text)
			for _, ev := range jd.Facts.Evidence {
				if ev.Basis != truce.BasisText {
					continue
				}
				if got := string(rs[ev.Start:ev.End]); got != ev.Words {
					t.Errorf("evidence %s: text[%d:%d] = %q, want %q", ev.Fact, ev.Start, ev.End, got, ev.Words)
				}
			}
			if jd.Outcome == truce.OutcomeViolation || jd.Outcome == truce.OutcomeDisputed {
				// A violation never rests on proximity or tags alone.
				var fromText bool
				for _, ev := range jd.Facts.Evidence {
					fromText = fromText || (ev.Fact == "attack" && ev.Basis == truce.BasisText)
				}
				if !fromText {
					t.Errorf("a violation with no attack established by the text: %+v", jd.Facts.Evidence)
				}
			}
		})
	}
}
