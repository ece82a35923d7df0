package importer_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"truce"
	"truce/internal/importer"
)

func TestReadObservations(t *testing.T) {
	f, err := os.Open("testdata/field/observations.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []*truce.Observation
	var bad []string
	st, err := importer.ReadObservations(f, importer.FieldOptions{File: "testdata/field/observations.csv", Published: true},
		func(o *truce.Observation) error { got = append(got, o); return nil }, func(re importer.RowError) { bad = append(bad, re.Error()) })
	if err != nil {
		t.Fatal(err)
	}
	if st.Read != 5 || st.Accepted != 3 || st.Rejected != 2 {
		t.Errorf("stats %+v, want 5 read, 3 accepted, 2 rejected", st)
	}
	wantBad := []string{"observations.csv:5: ", "explosion \"\"", "observations.csv:6: ", "means \"satellite\""}
	joined := strings.Join(bad, "\n")
	for _, w := range wantBad {
		if !strings.Contains(joined, w) {
			t.Errorf("bad rows %q do not say %q", joined, w)
		}
	}
	if len(got) != 3 {
		t.Fatalf("got %d observations", len(got))
	}
	o := got[0]
	if o.Start != time.Date(2025, 3, 31, 18, 5, 0, 0, time.UTC) || o.DistanceMinMeters != 3000 || o.DistanceMaxMeters != 5000 ||
		o.Explosion != truce.ExplosionImpact || o.Count != 12 || !o.Published || o.File != "observations.csv" || o.Line != 2 {
		t.Errorf("first observation %+v", o)
	}
	if got[1].End != got[1].Start || got[1].Party != "RU" || got[2].Direction != "N" {
		t.Errorf("second or third: %+v %+v", got[1], got[2])
	}
}

func TestReadRestrictions(t *testing.T) {
	f, err := os.Open("testdata/field/restrictions.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []*truce.AccessRestriction
	var bad []string
	_, err = importer.ReadRestrictions(f, importer.FieldOptions{File: "restrictions.csv"},
		func(r *truce.AccessRestriction) error { got = append(got, r); return nil }, func(re importer.RowError) { bad = append(bad, re.Error()) })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(bad) != 1 || !strings.HasPrefix(bad[0], "restrictions.csv:4: ") || !strings.Contains(bad[0], `kind "refusal"`) {
		t.Fatalf("got %d restrictions, bad rows %q", len(got), bad)
	}
	if r := got[1]; r.Duration != 45*time.Minute || r.Means != truce.MeansPatrol || r.PatrolSize != 4 || r.Party != "UA" {
		t.Errorf("FOM-2: %+v", r)
	}
	// A header that is not the format's is refused with the column named.
	_, err = importer.ReadRestrictions(strings.NewReader("restriction_id,kind,when\n"), importer.FieldOptions{File: "x.csv"}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "x.csv:1") {
		t.Errorf("bad header: %v", err)
	}
}

// FuzzReadField checks the field readers' invariants on any input, CSV or
// JSON Lines: every emitted record validates, ids are unique, the counts
// add up, and a strict read fails exactly when a lenient one rejects.
func FuzzReadField(f *testing.F) {
	for _, name := range []string{"testdata/field/observations.csv", "testdata/field/restrictions.csv"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"observation_id":"O","means":"uav","sensed":"seen","start":"2025-04-01T10:00:00+03:00","lat":48,"lon":"38","kind":"projectile"}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		seen := map[truce.ObservationID]bool{}
		bad := 0
		stats, err := importer.ReadObservations(strings.NewReader(string(data)), importer.FieldOptions{File: "f.csv"},
			func(o *truce.Observation) error {
				if verr := o.Validate(); verr != nil {
					t.Fatalf("emitted an invalid observation: %v", verr)
				}
				if seen[o.ID] {
					t.Fatalf("emitted id %q twice", o.ID)
				}
				seen[o.ID] = true
				return nil
			}, func(importer.RowError) { bad++ })
		if stats.Read != stats.Accepted+stats.Rejected || stats.Accepted != len(seen) || stats.Rejected != bad {
			t.Fatalf("stats %+v with %d emitted and %d bad", stats, len(seen), bad)
		}
		_, serr := importer.ReadObservations(strings.NewReader(string(data)), importer.FieldOptions{File: "f.csv", Strict: true},
			func(*truce.Observation) error { return nil }, nil)
		if err == nil && (serr == nil) != (bad == 0) {
			t.Fatalf("strict read: %v, lenient read rejected %d rows", serr, bad)
		}
		_, _ = importer.ReadRestrictions(strings.NewReader(string(data)), importer.FieldOptions{File: "f.csv"}, func(r *truce.AccessRestriction) error {
			if verr := r.Validate(); verr != nil {
				t.Fatalf("emitted an invalid restriction: %v", verr)
			}
			return nil
		}, nil)
	})
}
