// Command gensensors writes a deterministic synthetic NASA FIRMS VIIRS
// active-fire CSV for benchmarks: 60% of the points are spread over
// 44-53°N, 22-41°E and 40% lie within 10 km of a GPPD power plant; a small
// share (-vertices) sit exactly on vertices of the zone polygons given with
// -zones, to compare boundary rules, the first of them on the apexes of
// zero-area spikes. Times are minutes of March and April
// 2025 (UTC); the other columns are plausible VIIRS values.
//
//	go run ./bench/gensensors -n 1000000 > fires.csv
package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	n := flag.Int("n", 1_000_000, "number of rows")
	seed := flag.Uint64("seed", 1, "random seed")
	sitesPath := flag.String("sites", "examples/energy-ceasefire-2025/sites/gppd_v1.3.0_selected_countries.csv", "GPPD CSV for the near-site points")
	zones := flag.String("zones", "", "comma-separated GeoJSON files whose polygon vertices some points sit on")
	vertices := flag.Float64("vertices", 0.0005, "share of points exactly on a zone vertex (with -zones)")
	flag.Parse()
	if err := run(*n, *seed, *sitesPath, *zones, *vertices); err != nil {
		fmt.Fprintln(os.Stderr, "gensensors:", err)
		os.Exit(1)
	}
}

type pt struct{ lon, lat float64 }

func loadSites(path string) ([]pt, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	var out []pt
	for {
		rec, err := r.Read()
		if err != nil {
			break
		}
		lat, e1 := strconv.ParseFloat(rec[col["latitude"]], 64)
		lon, e2 := strconv.ParseFloat(rec[col["longitude"]], 64)
		if e1 == nil && e2 == nil {
			out = append(out, pt{lon, lat})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no sites", path)
	}
	return out, nil
}

// loadVertices returns every polygon vertex of the GeoJSON files inside the
// theatre (21-42°E, 43-54°N), and apart the apexes of zero-area spikes (a
// ring going A, B, A), where truce and PostGIS may disagree.
func loadVertices(paths string) (verts, spikes []pt, err error) {
	var out []pt
	for _, p := range strings.Split(paths, ",") {
		if p == "" {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, err
		}
		var fc struct {
			Features []struct {
				Geometry struct {
					Type        string          `json:"type"`
					Coordinates json.RawMessage `json:"coordinates"`
				} `json:"geometry"`
			} `json:"features"`
		}
		if err := json.Unmarshal(data, &fc); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", p, err)
		}
		for _, f := range fc.Features {
			var polys [][][][2]float64
			switch f.Geometry.Type {
			case "Polygon":
				var poly [][][2]float64
				if err := json.Unmarshal(f.Geometry.Coordinates, &poly); err != nil {
					return nil, nil, fmt.Errorf("%s: %w", p, err)
				}
				polys = append(polys, poly)
			case "MultiPolygon":
				if err := json.Unmarshal(f.Geometry.Coordinates, &polys); err != nil {
					return nil, nil, fmt.Errorf("%s: %w", p, err)
				}
			}
			for _, poly := range polys {
				for _, ring := range poly {
					for i, v := range ring {
						if v[0] >= 21 && v[0] <= 42 && v[1] >= 43 && v[1] <= 54 {
							out = append(out, pt{v[0], v[1]})
							if i >= 1 && i+1 < len(ring) && ring[i-1] == ring[i+1] && ring[i] != ring[i-1] && !slices.Contains(spikes, pt{v[0], v[1]}) {
								spikes = append(spikes, pt{v[0], v[1]})
							}
						}
					}
				}
			}
		}
	}
	return out, spikes, nil
}

func run(n int, seed uint64, sitesPath, zones string, vertexShare float64) error {
	sites, err := loadSites(sitesPath)
	if err != nil {
		return err
	}
	verts, spikes, err := loadVertices(zones)
	if err != nil {
		return err
	}
	if len(verts) == 0 {
		vertexShare = 0
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	// A bufio.Writer keeps its first error and returns it from Flush.
	_, _ = w.WriteString("latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight\n")
	start := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC).Unix() / 60
	const minutes = 61 * 24 * 60
	confs := []string{"low", "nominal", "nominal", "nominal", "high"}
	var b []byte
	for i := range n {
		var p pt
		exact := false
		switch u := rng.Float64(); {
		case vertexShare > 0 && i < len(spikes):
			p, exact = spikes[i], true
		case u < vertexShare:
			p, exact = verts[rng.IntN(len(verts))], true
		case u < 0.6:
			p = pt{22 + rng.Float64()*19, 44 + rng.Float64()*9}
		default:
			s := sites[rng.IntN(len(sites))]
			d := math.Sqrt(rng.Float64()) * 10_000
			a := rng.Float64() * 2 * math.Pi
			p = pt{s.lon + d*math.Sin(a)/(111_320*math.Cos(s.lat*math.Pi/180)), s.lat + d*math.Cos(a)/110_574}
		}
		t := time.Unix((start+rng.Int64N(minutes))*60, 0).UTC()
		scan := 0.32 + rng.Float64()*0.48
		track := 0.36 + rng.Float64()*0.42
		day := "D"
		if h := t.Hour(); h < 6 || h >= 18 {
			day = "N"
		}
		b = b[:0]
		if exact {
			// A vertex as the GeoJSON has it: the shortest form that reads
			// back as the same double.
			b = strconv.AppendFloat(b, p.lat, 'f', -1, 64)
			b = append(b, ',')
			b = strconv.AppendFloat(b, p.lon, 'f', -1, 64)
		} else {
			b = strconv.AppendFloat(b, p.lat, 'f', 5, 64)
			b = append(b, ',')
			b = strconv.AppendFloat(b, p.lon, 'f', 5, 64)
		}
		b = append(b, ',')
		b = strconv.AppendFloat(b, 295+rng.Float64()*72, 'f', 2, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, scan, 'f', 2, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, track, 'f', 2, 64)
		b = append(b, ',')
		b = t.AppendFormat(b, "2006-01-02,1504")
		b = append(b, ",N20,VIIRS,"...)
		b = append(b, confs[rng.IntN(len(confs))]...)
		b = append(b, ",2.0NRT,"...)
		b = strconv.AppendFloat(b, 275+rng.Float64()*40, 'f', 2, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, math.Round(rng.ExpFloat64()*400)/100, 'f', -1, 64)
		b = append(b, ',')
		b = append(b, day...)
		b = append(b, '\n')
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return w.Flush()
}
