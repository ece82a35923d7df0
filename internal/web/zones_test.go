package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"testing"
)

// TestZonesFollowAmendments checks that the map's zones are those of the
// latest stored agreement version, at once after an amendment.
func TestZonesFollowAmendments(t *testing.T) {
	s := newTestServer(t, false)
	v1, err := os.ReadFile("../adjudicate/testdata/edges.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v2 := bytes.Replace(v1, []byte("name: West\n"), []byte("name: West, as amended\n"), 1)
	if bytes.Equal(v1, v2) {
		t.Fatal("the amendment changes nothing")
	}
	names := func() []string {
		t.Helper()
		var fc struct {
			Version  int `json:"version"`
			Features []struct {
				Properties struct {
					Zones []struct {
						Name string `json:"name"`
					} `json:"zones"`
				} `json:"properties"`
			} `json:"features"`
		}
		s.must(t, http.StatusOK, "GET", "/map/zones.geojson", "", nil, &fc)
		var out []string
		for _, f := range fc.Features {
			for _, z := range f.Properties.Zones {
				out = append(out, z.Name)
			}
		}
		slices.Sort(out)
		return out
	}
	for _, tc := range []struct {
		body []byte
		want []string
	}{
		{v1, []string{"East", "West"}},
		{v2, []string{"East", "West, as amended"}},
		{v1, []string{"East", "West"}},
	} {
		resp, b := s.do(t, "POST", "/api/v1/agreements", "admin", "application/yaml", tc.body)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("upload: %d %s", resp.StatusCode, b)
		}
		var up struct {
			Version int `json:"version"`
		}
		if err := json.Unmarshal(b, &up); err != nil {
			t.Fatal(err)
		}
		if got := names(); !slices.Equal(got, tc.want) {
			t.Errorf("zones after version %d: %q, want %q", up.Version, got, tc.want)
		}
	}
}
