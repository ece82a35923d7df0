package web

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"truce"
	"truce/internal/agreement"
	"truce/internal/geo"
)

// Budget and precision of the simplified zone file. The scenario's zone
// files hold about 140,000 vertices (5 MB); the map needs a few hundred
// kilobytes at most, and 4 decimals (about 10 m) are far below the
// simplification tolerance.
const (
	zonesBudgetBytes = 280 << 10
	zonesDecimals    = 4
	zonesFirstTol    = 0.001 // degrees, about 100 m
	// zonesCheckEvery is how long a cached zone file is served before the
	// store is asked again whether the agreement changed.
	zonesCheckEvery = 2 * time.Second
)

// zoneFile is the simplified geometry of one agreement version.
type zoneFile struct {
	key  string // the bundle's SHA-256
	etag string
	json []byte
	gz   []byte
}

// zoneCache computes the simplified zones of the latest stored agreement
// once per version and serves them from memory.
type zoneCache struct {
	st  truce.Store
	log *slog.Logger

	// started is set by the first page served: the zones are then built
	// in the background while the browser loads the page's scripts.
	started sync.Once

	mu      sync.Mutex
	cur     *zoneFile
	checked time.Time
	pending map[string]*zoneBuild // by bundle SHA-256
}

type zoneBuild struct {
	done chan struct{}
	file *zoneFile
	err  error
}

// emptyZones is served before any agreement is stored.
var emptyZones = &zoneFile{key: "none", etag: `"zones-none"`, json: []byte(`{"type":"FeatureCollection","features":[]}` + "\n")}

// get returns the zone file of the latest agreement, building it if needed.
func (z *zoneCache) get(ctx context.Context) (*zoneFile, error) {
	z.mu.Lock()
	if z.cur != nil && time.Since(z.checked) < zonesCheckEvery {
		f := z.cur
		z.mu.Unlock()
		return f, nil
	}
	z.mu.Unlock()
	v, err := z.st.LatestAgreement(ctx, "")
	if truce.ErrorCode(err) == truce.ENOTFOUND {
		return emptyZones, nil
	} else if err != nil {
		return nil, err
	}
	z.mu.Lock()
	if z.cur != nil && z.cur.key == v.SHA256 {
		z.checked = time.Now()
		f := z.cur
		z.mu.Unlock()
		return f, nil
	}
	b := z.pending[v.SHA256]
	if b == nil {
		b = &zoneBuild{done: make(chan struct{})}
		if z.pending == nil {
			z.pending = map[string]*zoneBuild{}
		}
		z.pending[v.SHA256] = b
		// The build outlives the request that started it: parsing a large
		// bundle takes a while, and the next request wants the result.
		go z.build(v, b)
	}
	z.mu.Unlock()
	select {
	case <-b.done:
		return b.file, b.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// invalidate makes the next get ask the store, e.g. after this server
// stored a new agreement version.
func (z *zoneCache) invalidate() {
	z.mu.Lock()
	z.checked = time.Time{}
	z.mu.Unlock()
}

// warm builds the zone file of the latest agreement in the background, so
// that the first map after an upload does not wait for it.
func (z *zoneCache) warm() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := z.get(ctx); err != nil {
		z.log.WarnContext(ctx, "zones not prepared", "err", err)
	}
}

// warmOnce starts warm the first time it is called.
func (z *zoneCache) warmOnce() { z.started.Do(func() { go z.warm() }) }

func (z *zoneCache) build(v *truce.AgreementVersion, b *zoneBuild) {
	start := time.Now()
	b.file, b.err = buildZoneFile(v)
	z.mu.Lock()
	delete(z.pending, v.SHA256)
	if b.err == nil {
		z.cur, z.checked = b.file, time.Now()
	}
	z.mu.Unlock()
	close(b.done)
	if b.err != nil {
		z.log.Error("zones: building the simplified zone file failed", "agreement", string(v.ID), "version", v.Version, "err", b.err)
		return
	}
	z.log.Info("zones: simplified zone file ready", "agreement", string(v.ID), "version", v.Version,
		"bytes", len(b.file.json), "gzip_bytes", len(b.file.gz), "duration_ms", time.Since(start).Milliseconds())
}

// zoneProps describes one zone drawn with a shared geometry.
type zoneProps struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Names are Name in other languages, by language code.
	Names       map[string]string `json:"names,omitempty"`
	Description string            `json:"description,omitempty"`
	Exclude     []string          `json:"exclude,omitempty"`
}

// buildZoneFile parses a stored agreement version and writes its zones as
// a GeoJSON FeatureCollection of simplified geometry. Zones that share a
// geometry (the same file and filter, e.g. Ukraine with and without the
// exclusion of Crimea) are one feature listing every zone; a zone that
// excludes another is drawn with its whole region and names what it
// excludes.
func buildZoneFile(v *truce.AgreementVersion) (*zoneFile, error) {
	a, err := agreement.ParseBundle(string(v.ID), v.Bundle)
	if err != nil {
		return nil, fmt.Errorf("stored agreement %s version %d: %w", v.ID, v.Version, err)
	}
	type feature struct {
		id    string
		geom  geo.MultiPolygon
		zones []zoneProps
	}
	var feats []*feature
	byRegion := map[*geo.Region]*feature{}
	for _, zn := range a.Zones {
		if zn.Region == nil {
			continue
		}
		zp := zoneProps{ID: string(zn.ID), Name: zn.Name, Names: zn.Names, Description: zn.Description}
		for _, ex := range zn.Exclude {
			zp.Exclude = append(zp.Exclude, string(ex))
		}
		f := byRegion[zn.Region]
		if f == nil {
			f = &feature{id: string(zn.ID), geom: dissolve(zn.Region.Geometry())}
			byRegion[zn.Region] = f
			feats = append(feats, f)
		}
		f.zones = append(f.zones, zp)
	}
	write := func(tol float64) ([]byte, error) {
		var buf []byte
		buf = append(buf, `{"type":"FeatureCollection","agreement":`...)
		buf = strconv.AppendQuote(buf, string(v.ID))
		buf = append(buf, `,"version":`...)
		buf = strconv.AppendInt(buf, int64(v.Version), 10)
		buf = append(buf, `,"tolerance_degrees":`...)
		buf = strconv.AppendFloat(buf, tol, 'g', 4, 64)
		buf = append(buf, `,"features":[`...)
		for i, f := range feats {
			if i > 0 {
				buf = append(buf, ",\n"...)
			}
			props, err := json.Marshal(map[string]any{"zones": f.zones})
			if err != nil {
				return nil, err
			}
			buf = append(buf, `{"type":"Feature","id":`...)
			buf = strconv.AppendQuote(buf, f.id)
			buf = append(buf, `,"properties":`...)
			buf = append(buf, props...)
			buf = append(buf, `,"geometry":`...)
			buf = appendMultiPolygon(buf, simplifyMulti(f.geom, tol, zonesDecimals), zonesDecimals)
			buf = append(buf, '}')
		}
		return append(buf, "]}\n"...), nil
	}
	var out []byte
	for tol := zonesFirstTol; ; tol *= 1.5 {
		if out, err = write(tol); err != nil {
			return nil, err
		}
		if len(out) <= zonesBudgetBytes || tol > 1 {
			break
		}
	}
	sum := sha256.Sum256(out)
	f := &zoneFile{key: v.SHA256, etag: `"zones-` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`, json: out}
	f.gz = bestGzip.bytes(out)
	return f, nil
}

// serveZones serves the simplified zones of the current agreement.
func (h *handler) serveZones(w http.ResponseWriter, r *http.Request) {
	f, err := h.zones.get(r.Context())
	if err != nil {
		h.log.ErrorContext(r.Context(), "zones", "err", err)
		http.Error(w, "the zone geometry could not be prepared", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	serveBytes(w, r, "application/geo+json", f.etag, f.json, f.gz)
}
