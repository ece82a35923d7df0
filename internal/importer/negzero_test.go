package importer_test

import (
	"bytes"
	"math"
	"testing"

	"truce"
	"truce/internal/importer"
)

// negZeroReports holds, per report format, a small file whose logged
// floats (coordinates, location precision) are written as -0 in every way
// a source may write it (issue 12: a -0 coordinate broke the log).
var negZeroReports = map[importer.Format]string{
	importer.FormatTruceCSV: "id,time,lon,lat,location_precision_m\n" +
		"z1,2025-03-01,-0.0,50,\n" +
		"z2,2025-03-01,30,-0,-0.000\n" +
		"z3,2025-03-01,-0e10,-0.0e-3,-0\n",
	importer.FormatTruceJSON: `{"id":"z1","time":"2025-03-01","lon":-0.0,"lat":50}` + "\n" +
		`{"id":"z2","time":"2025-03-01","lon":30,"lat":-0,"location_precision_m":-0}` + "\n",
	importer.FormatTruceGeoJSON: `{"type":"FeatureCollection","features":[` +
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[-0.0,-0]},"properties":{"id":"z1","time":"2025-03-01","location_precision_m":-0.0}}]}`,
	importer.FormatACLED: "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,actor2,location,latitude,longitude,geo_precision,source,notes,fatalities\n" +
		"UKR1,2025-03-18,1,Explosions/Remote violence,Air/drone strike,Military Forces of Russia (2000-),,Null Island,-0.0,-0,1,Test,Strike,0\n",
	importer.FormatUCDP: "id,type_of_violence,side_a,side_b,source_office,source_headline,where_prec,where_description,latitude,longitude,date_prec,date_start,date_end,best\n" +
		"1,1,Government of Russia (Soviet Union),Government of Ukraine,Test,Strike,1,Null Island,-0.0,-0,1,2025-03-18,2025-03-18,0\n",
	importer.FormatVIINA: "\"datetime\",\"lon\",\"lat\",\"place_name\",\"event_type\",\"headline\"\n" +
		"\"2025-03-01 00:00:00\",\"-0.0\",\"-0\",\"Null Island\",\"\",\"Shelling\"\n",
	importer.FormatFIRMS: "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight,type\n" +
		"-0.0,-0,297.54,0.53,0.67,2025-03-20,45,N,VIIRS,n,2,281.83,0.36,N,0\n",
}

// negZeroSites is negZeroReports for site formats: location and capacity.
var negZeroSites = map[importer.Format]string{
	importer.FormatGPPD: "country,country_long,name,gppd_idnr,capacity_mw,latitude,longitude,primary_fuel\n" +
		"UKR,Ukraine,Null Island,S1,-0.0,-0,-0.0,Gas\n",
	importer.FormatSitesCSV: "id,name,category,lon,lat,capacity_mw\n" +
		"S1,Null Island,energy.substation,-0.0,-0,-0\n",
	importer.FormatSitesGeoJSON: `{"type":"FeatureCollection","features":[` +
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[-0.0,-0]},"properties":{"id":"S1","name":"Null Island","capacity_mw":-0.0}}]}`,
}

// addNegZeroSeeds adds the -0 files of format (or of every format when
// format is "") to a fuzz target's seed corpus.
func addNegZeroSeeds(f *testing.F, format importer.Format) {
	f.Helper()
	for _, m := range []map[importer.Format]string{negZeroReports, negZeroSites} {
		for fm, data := range m {
			if format == "" || fm == format {
				f.Add([]byte(data))
			}
		}
	}
}

// isNegZero reports whether x is -0, which == cannot tell from 0.
func isNegZero(x float64) bool { return x == 0 && math.Signbit(x) }

// reportNegZero reports whether a float of r that is logged is -0.
func reportNegZero(r *truce.Report) bool {
	return isNegZero(r.Location.Lon) || isNegZero(r.Location.Lat) || isNegZero(r.LocationPrecisionMeters)
}

// siteNegZero is reportNegZero for sites.
func siteNegZero(s *truce.Site) bool {
	return isNegZero(s.Location.Lon) || isNegZero(s.Location.Lat) || isNegZero(s.CapacityMW)
}

// TestNegativeZero: every reader accepts -0 and emits it as 0, so that the
// stored value and the logged value are the same number.
func TestNegativeZero(t *testing.T) {
	for format, data := range negZeroReports {
		t.Run(string(format), func(t *testing.T) {
			res := readReports([]byte(data), importer.Options{Format: format, File: "n.csv"})
			if res.err != nil || len(res.bad) > 0 || len(res.reports) == 0 {
				t.Fatalf("ReadReports: %d reports, bad rows %v, err %v", len(res.reports), res.bad, res.err)
			}
			for _, r := range res.reports {
				if reportNegZero(r) {
					t.Errorf("report %s holds -0: %v, precision %v", r.ID, r.Location, r.LocationPrecisionMeters)
				}
			}
		})
	}
	t.Run("hotspots", func(t *testing.T) {
		n := 0
		_, err := importer.ReadHotspots(bytes.NewReader([]byte(negZeroReports[importer.FormatFIRMS])), importer.Options{File: "n.csv"},
			func(h *importer.Hotspot) error {
				n++
				if r := h.Report("n.csv"); reportNegZero(r) {
					t.Errorf("Hotspot.Report holds -0: %v", r.Location)
				}
				return nil
			}, nil)
		if err != nil || n != 1 {
			t.Fatalf("ReadHotspots: %d hotspots, err %v", n, err)
		}
	})
	for format, data := range negZeroSites {
		t.Run(string(format), func(t *testing.T) {
			var sites []*truce.Site
			st, err := importer.ReadSites(bytes.NewReader([]byte(data)), importer.Options{Format: format, File: "s.csv"},
				func(s *truce.Site) error { sites = append(sites, s); return nil },
				func(re importer.RowError) { t.Errorf("bad row: %v", re) })
			if err != nil || st.Accepted != 1 {
				t.Fatalf("ReadSites: %+v, err %v", st, err)
			}
			if siteNegZero(sites[0]) {
				t.Errorf("site holds -0: %v, capacity %v", sites[0].Location, sites[0].CapacityMW)
			}
		})
	}
}
