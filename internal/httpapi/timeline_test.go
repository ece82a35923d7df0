package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"truce/internal/adjudicate"
)

// TestTimelineHandler reads the timeline of the fixture's agreement: its
// energy phase's obligations begin on 18 March (Kyiv), the fixture's
// violation verdicts are not verified by a monitor, so nobody is released;
// with no agreement the timeline is not found.
func TestTimelineHandler(t *testing.T) {
	f := newFixture(t)
	f.run(t, []call{
		{name: "the timeline per reading", who: "public", method: "GET", path: "/api/v1/timeline", status: http.StatusOK,
			check: func(t *testing.T, _ map[string]string, _ http.Header, body []byte) {
				tl := decode[adjudicate.Timeline](t, body)
				begins := map[string]string{}
				for _, r := range tl.Readings {
					if r.Phase != "energy" {
						continue
					}
					for _, e := range r.Events {
						if e.Kind == "released" {
							t.Errorf("%s: %s released with no verified breach", r.Name, e.Party)
						}
						if e.Kind == "obligations_begin" {
							begins[r.Name] = e.At.In(time.UTC).Format(time.DateOnly)
						}
					}
				}
				if len(begins) == 0 {
					t.Fatalf("no reading of the energy phase begins: %+v", tl.Readings)
				}
				for name, day := range begins {
					if day != "2025-03-17" { // midnight of 18 March in Kyiv
						t.Errorf("%s begins on %s (UTC), want 2025-03-17T22:00Z", name, day)
					}
				}
			}},
	})
	nf := newBareFixture(t)
	nf.run(t, []call{{name: "no agreement yet", who: "public", method: "GET", path: "/api/v1/timeline", status: http.StatusNotFound, detail: "no agreement"}})
}
