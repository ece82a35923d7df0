// Command genreports writes a deterministic synthetic report file in the
// project's own CSV format, for benchmarks: 60% of the points are spread
// over 44-53°N, 22-41°E and 40% lie within 10 km of a GPPD power plant.
//
//	go run ./bench/genreports -n 1000000 -sites examples/energy-ceasefire-2025/sites/gppd_v1.3.0_selected_countries.csv > reports.csv
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"time"
)

var texts = []string{
	"Russian drones struck a substation overnight",
	"РФ атакувала енергетичну інфраструктуру, пошкоджено підстанцію",
	"Окупанти обстріляли місто, поранено двох людей",
	"Ukrainian drones attacked an oil refinery, the MoD said",
	"Генштаб ЗСУ заявляє про удари по нафтобазі",
	"Air raid alert in the region",
	"Вибух у промисловій зоні, причини встановлюються",
	"A new wind farm was opened",
	"Ціни на нафту знизилися",
	"Shelling damaged power lines",
}

var actors = []string{"Military Forces of Russia (2000-)", "Military Forces of Ukraine (2019-)", "", "", "Unidentified Armed Group (Ukraine)"}

func main() {
	n := flag.Int("n", 1_000_000, "number of reports")
	seed := flag.Uint64("seed", 1, "random seed")
	sitesPath := flag.String("sites", "examples/energy-ceasefire-2025/sites/gppd_v1.3.0_selected_countries.csv", "GPPD CSV for the near-site points")
	flag.Parse()
	if err := run(*n, *seed, *sitesPath); err != nil {
		fmt.Fprintln(os.Stderr, "genreports:", err)
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

func run(n int, seed uint64, sitesPath string) error {
	sites, err := loadSites(sitesPath)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	bw := bufio.NewWriterSize(os.Stdout, 1<<20)
	w := csv.NewWriter(bw)
	if err := w.Write([]string{"id", "time", "time_precision", "lon", "lat", "location_precision_m", "actor1", "text"}); err != nil {
		return err
	}
	start := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		var p pt
		if rng.Float64() < 0.6 {
			p = pt{22 + rng.Float64()*19, 44 + rng.Float64()*9}
		} else {
			s := sites[rng.IntN(len(sites))]
			d := math.Sqrt(rng.Float64()) * 10_000
			a := rng.Float64() * 2 * math.Pi
			p = pt{s.lon + d*math.Sin(a)/(111_320*math.Cos(s.lat*math.Pi/180)), s.lat + d*math.Cos(a)/110_574}
		}
		t := start.Add(time.Duration(rng.Int64N(int64(61 * 24 * time.Hour))))
		ts, prec := t.Format(time.RFC3339), "minute"
		if rng.IntN(2) == 0 {
			ts, prec = t.Format("2006-01-02"), "day"
		}
		rec := []string{
			"g" + strconv.Itoa(i+1), ts, prec,
			strconv.FormatFloat(p.lon, 'f', 5, 64), strconv.FormatFloat(p.lat, 'f', 5, 64),
			strconv.Itoa([]int{0, 1000, 2000, 5000}[rng.IntN(4)]),
			actors[rng.IntN(len(actors))], texts[rng.IntN(len(texts))],
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
