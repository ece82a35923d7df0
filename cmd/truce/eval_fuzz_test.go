package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// FuzzReadLabels: any labels file is read without panicking, and a file
// that is refused is refused with an error that says where
// ("PATH:LINE: message" or the path).
func FuzzReadLabels(f *testing.F) {
	for _, s := range []string{
		"id,outcome,party,readings,half\nr1,violation,RU,RU=violation US=violation UA=not_prohibited,test\n",
		"id,outcome\nr1,disputed\nr2,not_prohibited\n",
		"\ufeffID,Outcome,Half\nr1,undetermined,blind\n",
		"id,outcome\nr1,breach\n", "id,outcome,half\nr1,violation,tr ain\n", "outcome\nviolation\n",
		"id,outcome,readings\nr1,violation,RU=\n", "id,outcome\n\"r1,violation\n", "", "\n\n",
	} {
		f.Add(s)
	}
	dir := f.TempDir()
	where := regexp.MustCompile(`labels\.csv(:\d+)?: `)
	f.Fuzz(func(t *testing.T, s string) {
		p := filepath.Join(dir, "labels.csv")
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, half := range []string{"", "test"} {
			ls, err := readLabels(p, half)
			if err != nil {
				if !where.MatchString(err.Error()) {
					t.Fatalf("error without the file's name: %v", err)
				}
				continue
			}
			for _, l := range ls {
				if l.id == "" {
					t.Fatalf("a label without an id from %q", s)
				}
			}
		}
	})
}
