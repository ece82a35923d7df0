// Command load drives a running truce server with a mix of reads and
// writes from concurrent workers for a fixed time, and prints throughput
// and latency percentiles per kind of request.
//
//	go run ./bench/load -url http://127.0.0.1:8080 -token SECRET -duration 30s -workers 16 -write-ratio 0.1
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

type sample struct {
	kind string
	d    time.Duration
	ok   bool
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "server base URL")
	token := flag.String("token", "", "a monitor or admin token (writes need one)")
	duration := flag.Duration("duration", 30*time.Second, "how long to run")
	workers := flag.Int("workers", 16, "concurrent clients")
	writeRatio := flag.Float64("write-ratio", 0.1, "share of requests that are writes")
	flag.Parse()
	if err := run(*base, *token, *duration, *workers, *writeRatio); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(base, token string, duration time.Duration, workers int, writeRatio float64) error {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers * 2}}
	ids, err := incidentIDs(client, base, token)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return fmt.Errorf("the server has no incidents: load some data first")
	}
	var mu sync.Mutex
	var samples []sample
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			var local []sample
			for n := 0; time.Now().Before(deadline); n++ {
				var method, path, kind string
				var body []byte
				switch r := rng.Float64(); {
				case r < writeRatio:
					kind, method, path = "write: create report", "POST", "/api/v1/reports"
					body, _ = json.Marshal(map[string]any{"time": "2025-04-02", "lon": 22 + rng.Float64()*18, "lat": 45 + rng.Float64()*7,
						"text": fmt.Sprintf("load test report %d-%d: shelling reported", w, n), "published": true})
				case r < writeRatio+(1-writeRatio)*0.45:
					kind, method, path = "read: list incidents", "GET", fmt.Sprintf("/api/v1/incidents?limit=50&from=2025-0%d-01", 3+rng.IntN(2))
				case r < writeRatio+(1-writeRatio)*0.9:
					kind, method, path = "read: incident", "GET", "/api/v1/incidents/"+ids[rng.IntN(len(ids))]
				default:
					kind, method, path = "read: checkpoint", "GET", "/api/v1/log/checkpoint"
				}
				start := time.Now()
				ok := do(client, method, base+path, token, body)
				local = append(local, sample{kind, time.Since(start), ok})
			}
			mu.Lock()
			samples = append(samples, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	report(samples, duration, workers)
	return nil
}

func do(c *http.Client, method, url, token string, body []byte) bool {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return false
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode < 400
}

func incidentIDs(c *http.Client, base, token string) ([]string, error) {
	req, err := http.NewRequest("GET", base+"/api/v1/incidents?limit=1000", nil)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var page struct {
		Incidents []struct {
			ID string `json:"id"`
		} `json:"incidents"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return nil, err
	}
	var ids []string
	for _, in := range page.Incidents {
		ids = append(ids, in.ID)
	}
	return ids, nil
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}

func report(samples []sample, duration time.Duration, workers int) {
	byKind := map[string][]time.Duration{}
	errs := map[string]int{}
	var kinds []string
	var reads, writes []time.Duration
	for _, s := range samples {
		if _, ok := byKind[s.kind]; !ok {
			kinds = append(kinds, s.kind)
		}
		byKind[s.kind] = append(byKind[s.kind], s.d)
		if !s.ok {
			errs[s.kind]++
		}
		if s.kind[:4] == "read" {
			reads = append(reads, s.d)
		} else {
			writes = append(writes, s.d)
		}
	}
	slices.Sort(kinds)
	fmt.Printf("%d workers for %s: %d requests, %.0f requests/s\n", workers, duration, len(samples), float64(len(samples))/duration.Seconds())
	line := func(name string, ds []time.Duration, e int) {
		slices.Sort(ds)
		fmt.Printf("  %-22s %7d  %8.0f/s  p50 %7.2f ms  p99 %7.2f ms  errors %d\n", name, len(ds), float64(len(ds))/duration.Seconds(),
			float64(pct(ds, 0.5).Microseconds())/1000, float64(pct(ds, 0.99).Microseconds())/1000, e)
	}
	for _, k := range kinds {
		line(k, byKind[k], errs[k])
	}
	re, we := 0, 0
	for k, n := range errs {
		if k[:4] == "read" {
			re += n
		} else {
			we += n
		}
	}
	line("all reads", reads, re)
	line("all writes", writes, we)
}
