package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"truce/internal/i18n"
)

// TestReportInUkrainian writes the period report of the ACLED sample as a
// PDF in Ukrainian and reads it back with pdftotext: the headings, the
// cases' explanations and the counts are in Ukrainian, each count of
// reports in the plural form the number takes (1 звіт, 3 звіти, 5
// звітів), and the English headings are gone.
func TestReportInUkrainian(t *testing.T) {
	heavy(t)
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("TRUCE_REQUIRE_PDFTOTEXT") == "1" {
			t.Fatal("pdftotext not found and TRUCE_REQUIRE_PDFTOTEXT=1 (apt-get install poppler-utils)")
		}
		t.Skip("pdftotext not found (apt-get install poppler-utils)")
	}
	uk := i18n.For("uk")
	for n, want := range map[int]string{1: "1 звіт", 3: "3 звіти", 5: "5 звітів", 21: "21 звіт", 12: "12 звітів"} {
		if got := uk.N("count.reports", n); got != want {
			t.Errorf("count.reports(%d) = %q, want %q", n, got, want)
		}
	}
	db := filepath.Join(t.TempDir(), "truce.db")
	mustRun(t, "import", "--db", db, "--sites", gppd)
	mustRun(t, "import", "--db", db, "testdata/acled_sample.csv")
	mustRun(t, "adjudicate", "--db", db, "--agreement", scenario)
	pdf, _ := mustRun(t, "report", "--db", db, "--format", "pdf", "--lang", "uk")
	in := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(in, []byte(pdf), 0o644); err != nil {
		t.Fatal(err)
	}
	raw, err := exec.Command(bin, "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(raw)), " ")
	for _, want := range []string{"Звіт моніторингу припинення вогню", "Основні показники", "Порушення та спірні випадки",
		"Порушення зобов'язання", "Мораторій на удари по енергетичній інфраструктурі", "Контрольна точка журналу"} {
		if !strings.Contains(text, want) {
			t.Errorf("the Ukrainian PDF lacks %q", want)
		}
	}
	for _, english := range []string{"Ceasefire monitoring report", "Key figures", "Violations and disputed cases", "Violation of"} {
		if strings.Contains(text, english) {
			t.Errorf("the Ukrainian PDF still says %q", english)
		}
	}
	counts := regexp.MustCompile(`(\d+) (звіт\p{L}*)`).FindAllStringSubmatch(text, -1)
	if len(counts) == 0 {
		t.Fatalf("no count of reports in the Ukrainian PDF:\n%s", text)
	}
	for _, m := range counts {
		n, _ := strconv.Atoi(m[1])
		if want := uk.N("count.reports", n); m[0] != want {
			t.Errorf("%q in the PDF, want %q", m[0], want)
		}
	}
	t.Logf("counts of reports: %q", counts)
	md, _ := mustRun(t, "report", "--db", db, "--format", "md", "--lang", "ru")
	for _, want := range []string{"## Выводы", "## Нарушения и спорные случаи", "Мораторий на удары по энергетической инфраструктуре",
		i18n.For("ru").N("report.md.n_reports", 7, "N", 7)} {
		if !strings.Contains(md, want) {
			t.Errorf("the Russian Markdown lacks %q:\n%s", want, md)
		}
	}
	for _, bad := range [][]string{{"--lang", "xx", "--format", "pdf"}, {"--lang", "uk", "--format", "json"}} {
		if _, errs, err := runTruce(t, append([]string{"report", "--db", db}, bad...)...); err == nil {
			t.Errorf("report %v: no error (%s)", bad, errs)
		}
	}
}
