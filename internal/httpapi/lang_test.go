package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"truce/internal/httpapi"
)

// TestReadLanguage reads an incident and a report in each language, by
// ?lang= and by Accept-Language: the explanations change language, the
// findings do not, and English stays the default.
func TestReadLanguage(t *testing.T) {
	f := newFixture(t)
	read := func(path string, hdr map[string]string) (http.Header, httpapi.IncidentDetail) {
		t.Helper()
		st, h, body := f.send(t, "public", "GET", path, "", nil, hdr)
		if st != http.StatusOK {
			t.Fatalf("GET %s: status %d: %.300s", path, st, body)
		}
		return h, decode[httpapi.IncidentDetail](t, []byte(body))
	}
	_, en := read("/api/v1/incidents/acc-ua", nil)
	if len(en.ReportList) == 0 || en.ReportList[0].Judgement == nil {
		t.Fatal("the fixture's incident has no judged report")
	}
	enExpl := en.ReportList[0].Judgement.Explanation
	for _, tt := range []struct {
		name, path, accept, lang, word string
	}{
		{"query uk", "/api/v1/incidents/acc-ua?lang=uk", "", "uk", "Джерело:"},
		{"query ru", "/api/v1/incidents/acc-ua?lang=ru", "", "ru", "Источник:"},
		{"header uk", "/api/v1/incidents/acc-ua", "uk-UA,uk;q=0.9", "uk", "Джерело:"},
		{"header ru", "/api/v1/incidents/acc-ua", "ru;q=0.8,de", "ru", "Источник:"},
		{"query wins", "/api/v1/incidents/acc-ua?lang=en", "ru", "en", "Source:"},
		{"unsupported header", "/api/v1/incidents/acc-ua", "de-DE", "en", "Source:"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, d := read(tt.path, map[string]string{"Accept-Language": tt.accept})
			if got := h.Get("Content-Language"); got != tt.lang {
				t.Errorf("Content-Language %q, want %q", got, tt.lang)
			}
			j := d.ReportList[0].Judgement
			if !strings.Contains(j.Explanation, tt.word) {
				t.Errorf("explanation %q lacks %q", j.Explanation, tt.word)
			}
			if tt.lang == "en" && j.Explanation != enExpl {
				t.Errorf("English explanation %q, want the stored %q", j.Explanation, enExpl)
			}
			if j.Outcome != en.ReportList[0].Judgement.Outcome || d.Outcome != en.Outcome {
				t.Errorf("the outcome changed with the language")
			}
		})
	}
	st, h, body := f.send(t, "public", "GET", "/api/v1/reports/acc-ua?lang=ru", "", nil, nil)
	if st != http.StatusOK || h.Get("Content-Language") != "ru" || !strings.Contains(body, "Источник:") {
		t.Errorf("get-report in ru: status %d, Content-Language %q: %.300s", st, h.Get("Content-Language"), body)
	}
	if st, _, _ := f.send(t, "public", "GET", "/api/v1/incidents/acc-ua?lang=de", "", nil, nil); st != http.StatusUnprocessableEntity {
		t.Errorf("lang=de: status %d, want 422", st)
	}
}
