// Command sensorcmp is bench/sensors.sh's helper for the side-by-side run
// with PostGIS.
//
//	sensorcmp prep -agreement A -sites S -dir D
//
// writes D/sites.csv (idx,id,lon,lat: the sites as truce reads them, in
// truce's order) and D/zones.csv (idx,id,GeoJSON: every zone's geometry as
// truce holds it), for PostGIS to load.
//
//	sensorcmp compare -agreement A -in fires.csv -truce answers.csv -postgis pg.csv
//
// compares truce's answers (sensor.Judge's CSV) with PostGIS's
// (line,site,distance_m,zones) on every point, explains each difference it
// can (a point on a zone's boundary, a site at the radius edge, two sites
// at the same distance) and exits with status 1 if any is left unexplained.
package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"truce"
	"truce/internal/agreement"
	"truce/internal/geo"
	"truce/internal/importer"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: sensorcmp prep|compare [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "prep":
		err = prep(os.Args[2:])
	case "compare":
		err = compare(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sensorcmp:", err)
		os.Exit(1)
	}
}

func loadSites(path string) ([]truce.Site, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var sites []truce.Site
	_, err = importer.ReadSites(f, importer.Options{File: path}, func(s *truce.Site) error {
		sites = append(sites, *s)
		return nil
	}, nil)
	return sites, err
}

func prep(args []string) error {
	fs := flag.NewFlagSet("prep", flag.ContinueOnError)
	agreementPath := fs.String("agreement", "bench/data/sensors-agreement.yaml", "agreement file")
	sitesPath := fs.String("sites", "examples/energy-ceasefire-2025/sites/gppd_v1.3.0_selected_countries.csv", "sites file")
	dir := fs.String("dir", "bench/out", "output directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := agreement.Load(*agreementPath)
	if err != nil {
		return err
	}
	sites, err := loadSites(*sitesPath)
	if err != nil {
		return err
	}
	write := func(name string, fill func(w *csv.Writer) error) error {
		f, err := os.Create(filepath.Join(*dir, name))
		if err != nil {
			return err
		}
		w := csv.NewWriter(bufio.NewWriter(f))
		if err := fill(w); err != nil {
			f.Close()
			return err
		}
		w.Flush()
		if err := w.Error(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	err = write("sites.csv", func(w *csv.Writer) error {
		for i, s := range sites {
			rec := []string{strconv.Itoa(i), string(s.ID), strconv.FormatFloat(s.Location.Lon, 'g', -1, 64), strconv.FormatFloat(s.Location.Lat, 'g', -1, 64)}
			if err := w.Write(rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return write("zones.csv", func(w *csv.Writer) error {
		for i, z := range a.Zones {
			if len(z.Exclude) > 0 {
				return fmt.Errorf("zone %s has exclusions; the PostGIS side does not model them", z.ID)
			}
			coords := [][][][2]float64{}
			for _, poly := range z.Region.Geometry() {
				var p [][][2]float64
				for _, ring := range poly {
					var r [][2]float64
					for _, pt := range ring {
						r = append(r, [2]float64{pt.Lon, pt.Lat})
					}
					p = append(p, r)
				}
				coords = append(coords, p)
			}
			gj, err := json.Marshal(map[string]any{"type": "MultiPolygon", "coordinates": coords})
			if err != nil {
				return err
			}
			if err := w.Write([]string{strconv.Itoa(i), string(z.ID), string(gj)}); err != nil {
				return err
			}
		}
		return nil
	})
}

// row is one point's answer on either side.
type row struct {
	site  string
	dist  float64
	zones string
}

func readAnswers(path string, truceFormat bool) (map[int]row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	r.ReuseRecord = true
	out := map[int]row{}
	for n := 0; ; n++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if n == 0 && truceFormat {
			continue // header
		}
		line, err := strconv.Atoi(rec[0])
		if err != nil {
			return nil, fmt.Errorf("%s: line %q", path, rec[0])
		}
		var a row
		if truceFormat { // line,lon,lat,time,site,distance_m,zones,...
			a = row{site: rec[4], zones: rec[6]}
			if rec[5] != "" {
				a.dist, err = strconv.ParseFloat(rec[5], 64)
			}
		} else { // line,site,distance_m,zones
			a = row{site: rec[1], zones: rec[3]}
			if rec[2] != "" {
				a.dist, err = strconv.ParseFloat(rec[2], 64)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out[line] = a
	}
}

func compare(args []string) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	agreementPath := fs.String("agreement", "bench/data/sensors-agreement.yaml", "agreement file")
	in := fs.String("in", "", "the FIRMS CSV both sides read")
	trucePath := fs.String("truce", "", "truce's answers")
	pgPath := fs.String("postgis", "", "PostGIS's answers: line,site,distance_m,zones")
	radius := fs.Float64("radius", 3000, "site radius in metres")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := agreement.Load(*agreementPath)
	if err != nil {
		return err
	}
	tr, err := readAnswers(*trucePath, true)
	if err != nil {
		return err
	}
	pg, err := readAnswers(*pgPath, false)
	if err != nil {
		return err
	}
	pts, err := readPoints(*in)
	if err != nil {
		return err
	}
	c := &comparison{a: a, radius: *radius}
	for line, t := range tr {
		p, ok := pg[line]
		if !ok {
			c.onlyT++
			c.note(fmt.Sprintf("line %d: only truce answers", line))
			continue
		}
		c.both++
		c.site(line, pts[line], t, p)
		c.zones(line, pts[line], t, p)
	}
	for line := range pg {
		if _, ok := tr[line]; !ok {
			c.onlyP++
			c.note(fmt.Sprintf("line %d: only PostGIS answers", line))
		}
	}
	return c.report()
}

// readPoints reads the exact coordinates of every row of the FIRMS file,
// for the boundary checks.
func readPoints(path string) (map[int]geo.Point, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pts := map[int]geo.Point{}
	_, err = importer.ReadHotspots(f, importer.Options{File: path}, func(h *importer.Hotspot) error {
		pts[h.Line] = h.Location
		return nil
	}, nil)
	if err != nil {
		return nil, err
	}
	return pts, nil
}

// comparison counts the agreements and the differences, explained or not,
// between the two sides' answers.
type comparison struct {
	a      *truce.Agreement
	radius float64

	both, onlyT, onlyP                   int
	siteSame, siteRadius, siteTie, siteX int
	zoneSame, zoneEdge, zoneX            int
	maxDiff                              float64
	examples                             []string
}

// note keeps the first few examples of differences.
func (c *comparison) note(s string) {
	if len(c.examples) < 12 {
		c.examples = append(c.examples, s)
	}
}

// site compares the nearest site within the radius: a difference is
// explained by a site at the radius edge, or by two sites at the same
// distance.
func (c *comparison) site(line int, pt geo.Point, t, p row) {
	radius := c.radius
	switch {
	case t.site == p.site:
		c.siteSame++
		if t.site != "" {
			c.maxDiff = math.Max(c.maxDiff, math.Abs(t.dist-p.dist))
		}
	case math.Abs(t.dist-radius) < 0.01 || math.Abs(p.dist-radius) < 0.01 || (t.site == "") != (p.site == "") &&
		math.Abs(math.Max(t.dist, p.dist)-radius) < 0.01:
		c.siteRadius++
		c.note(fmt.Sprintf("line %d %v: site %q at %.6f m (truce) vs %q at %.6f m (PostGIS): at the %.0f m edge", line, pt, t.site, t.dist, p.site, p.dist, radius))
	case t.site != "" && p.site != "" && math.Abs(t.dist-p.dist) < 1e-3:
		c.siteTie++
		c.note(fmt.Sprintf("line %d %v: sites %q (truce) and %q (PostGIS) at the same distance %.6f m", line, pt, t.site, p.site, t.dist))
	default:
		c.siteX++
		c.note(fmt.Sprintf("line %d %v: UNEXPLAINED site %q at %.3f m (truce) vs %q at %.3f m (PostGIS)", line, pt, t.site, t.dist, p.site, p.dist))
	}
}

// zones compares the zones containing the point: a difference is
// explained when every zone the two disagree on has an edge within a
// millimetre of the point.
func (c *comparison) zones(line int, pt geo.Point, t, p row) {
	if t.zones == p.zones {
		c.zoneSame++
		return
	}
	explained := true
	tz, pz := set(t.zones), set(p.zones)
	var diff []string
	for _, z := range c.a.Zones {
		if tz[string(z.ID)] != pz[string(z.ID)] {
			diff = append(diff, string(z.ID))
			if !z.Region.NearBoundary(pt, 0.001) {
				explained = false
			}
		}
	}
	if explained {
		c.zoneEdge++
		c.note(fmt.Sprintf("line %d %v: zones %q (truce) vs %q (PostGIS): on the boundary of %s", line, pt, t.zones, p.zones, strings.Join(diff, ", ")))
	} else {
		c.zoneX++
		c.note(fmt.Sprintf("line %d %v: UNEXPLAINED zones %q (truce) vs %q (PostGIS)", line, pt, t.zones, p.zones))
	}
}

// report prints the counts and the examples, and fails if a difference is
// unexplained.
func (c *comparison) report() error {
	fmt.Printf("points: %d answered by both, %d only by truce, %d only by PostGIS\n", c.both, c.onlyT, c.onlyP)
	fmt.Printf("site within %.0f m: %d agree (largest distance difference %.2g m); %d differ at the radius edge, %d by a tie, %d unexplained\n",
		c.radius, c.siteSame, c.maxDiff, c.siteRadius, c.siteTie, c.siteX)
	fmt.Printf("zones: %d agree; %d differ on a point within 1 mm of a zone boundary, %d unexplained\n", c.zoneSame, c.zoneEdge, c.zoneX)
	for _, e := range c.examples {
		fmt.Println("  " + e)
	}
	if n := c.onlyT + c.onlyP + c.siteX + c.zoneX; n > 0 {
		return fmt.Errorf("%d unexplained differences", n)
	}
	return nil
}

func set(s string) map[string]bool {
	m := map[string]bool{}
	if s != "" {
		for _, z := range strings.Split(s, "|") {
			m[z] = true
		}
	}
	return m
}
