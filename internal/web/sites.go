package web

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
)

// siteFeature is one protected site as a GeoJSON Feature.
type siteFeature struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Properties map[string]any `json:"properties"`
	Geometry   struct {
		Type        string     `json:"type"`
		Coordinates [2]float64 `json:"coordinates"`
	} `json:"geometry"`
}

// serveSites serves the stored protected sites as a GeoJSON
// FeatureCollection of points (GET /map/sites.geojson), for GIS tools:
// QGIS and GDAL open it as it is. Sites are reference data that any
// visitor may read (the API lists them too); the ETag is the body's hash.
func (h *handler) serveSites(w http.ResponseWriter, r *http.Request) {
	sites, err := h.st.Sites(r.Context())
	if err != nil {
		h.log.ErrorContext(r.Context(), "sites", "err", err)
		http.Error(w, "the sites could not be read", http.StatusInternalServerError)
		return
	}
	buf := []byte(`{"type":"FeatureCollection","features":[`)
	for i, s := range sites {
		f := siteFeature{Type: "Feature", ID: string(s.ID), Properties: map[string]any{
			"name": s.Name, "country": s.Country, "category": string(s.Category),
			"capacity_mw": s.CapacityMW, "source": s.Source,
		}}
		for k, v := range s.Attrs {
			if _, taken := f.Properties[k]; !taken {
				f.Properties[k] = v
			}
		}
		f.Geometry.Type = "Point"
		f.Geometry.Coordinates = [2]float64{s.Location.Lon, s.Location.Lat}
		b, err := json.Marshal(f)
		if err != nil {
			h.log.ErrorContext(r.Context(), "sites", "err", err)
			http.Error(w, "the sites could not be written", http.StatusInternalServerError)
			return
		}
		if i > 0 {
			buf = append(buf, ",\n"...)
		}
		buf = append(buf, b...)
	}
	buf = append(buf, "]}\n"...)
	sum := sha256.Sum256(buf)
	w.Header().Set("Cache-Control", "no-cache")
	etag := `"sites-` + strconv.Itoa(len(sites)) + "-" + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
	serveBytes(w, r, "application/geo+json", etag, buf, nil)
}
