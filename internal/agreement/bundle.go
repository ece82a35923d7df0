package agreement

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"truce"
)

// BundleMain is the name of the agreement file inside a bundle.
const BundleMain = "agreement.yaml"

// Limits on bundles, so an uploaded archive cannot expand without bound.
const (
	MaxBundleFiles     = 64
	MaxBundleExpansion = 256 << 20
)

// Bundle packs the agreement file name in fsys and every file it names
// (zone geometry, places) into one zip archive, deterministically (sorted names, fixed
// times), so the same files always give the same bytes and SHA-256. It
// parses the agreement first, so only a valid agreement is ever bundled,
// and returns it too.
func Bundle(fsys fs.FS, name string) ([]byte, *truce.Agreement, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, nil, err
	}
	dir := path.Dir(name)
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		return nil, nil, err
	}
	a, err := Parse(name, data, sub)
	if err != nil {
		return nil, nil, err
	}
	files := map[string][]byte{BundleMain: data}
	for _, zf := range namedFiles(data) {
		clean := cleanPath(zf)
		b, err := fs.ReadFile(sub, clean)
		if err != nil {
			return nil, nil, fmt.Errorf("bundle %s: %w", zf, err)
		}
		files[clean] = b
	}
	b, err := zipFiles(files)
	if err != nil {
		return nil, nil, err
	}
	return b, a, nil
}

// BundleBytes bundles a lone agreement file (its zones must be inline and
// it can name no places file) and parses it from the bundle, as a stored
// version would be.
func BundleBytes(yamlText []byte) ([]byte, *truce.Agreement, error) {
	b, err := zipFiles(map[string][]byte{BundleMain: yamlText})
	if err != nil {
		return nil, nil, err
	}
	a, err := ParseBundle("upload", b)
	if err != nil {
		return nil, nil, err
	}
	return b, a, nil
}

// zipFiles writes files into a zip deterministically: sorted names, fixed
// times, so the same files always give the same bytes.
func zipFiles(files map[string][]byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate, Modified: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(files[n]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// BundleFile bundles the agreement file at path on disk.
func BundleFile(p string) ([]byte, *truce.Agreement, error) {
	return Bundle(os.DirFS(filepath.Dir(p)), filepath.Base(p))
}

func cleanPath(name string) string {
	return path.Clean(strings.ReplaceAll(name, "\\", "/"))
}

// namedFiles lists the files an agreement file names: its zones' geojson
// paths (dated ones included) and its places file.
func namedFiles(data []byte) []string {
	var doc struct {
		Zones []struct {
			GeoJSON string `yaml:"geojson"`
			Dated   []struct {
				GeoJSON string `yaml:"geojson"`
			} `yaml:"dated"`
		} `yaml:"zones"`
		Places string `yaml:"places"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil
	}
	var out []string
	for _, z := range doc.Zones {
		if z.GeoJSON != "" && !slices.Contains(out, z.GeoJSON) {
			out = append(out, z.GeoJSON)
		}
		for _, d := range z.Dated {
			if d.GeoJSON != "" && !slices.Contains(out, d.GeoJSON) {
				out = append(out, d.GeoJSON)
			}
		}
	}
	if doc.Places != "" && !slices.Contains(out, doc.Places) {
		out = append(out, doc.Places)
	}
	return out
}

// ParseBundle parses an agreement bundle (a zip archive holding
// agreement.yaml and the zone and places files it names). Their paths
// resolve only inside the archive. name is used in messages.
func ParseBundle(name string, bundle []byte) (*truce.Agreement, error) {
	zr, err := zip.NewReader(bytes.NewReader(bundle), int64(len(bundle)))
	if err != nil {
		return nil, truce.Errorf(truce.EINVALID, "%s: not a zip archive: %v", name, err)
	}
	if len(zr.File) > MaxBundleFiles {
		return nil, truce.Errorf(truce.EINVALID, "%s: %d files; the limit is %d", name, len(zr.File), MaxBundleFiles)
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > MaxBundleExpansion {
			return nil, truce.Errorf(truce.EINVALID, "%s: expands to more than %d bytes", name, MaxBundleExpansion)
		}
	}
	mf, err := zr.Open(BundleMain)
	if err != nil {
		return nil, truce.Errorf(truce.EINVALID, "%s: no %s in the archive", name, BundleMain)
	}
	defer mf.Close()
	data, err := io.ReadAll(io.LimitReader(mf, MaxFileBytes+1))
	if err != nil {
		return nil, truce.Errorf(truce.EINVALID, "%s: %s: %v", name, BundleMain, err)
	}
	return Parse(name+"/"+BundleMain, data, limitFS{zr})
}

// limitFS reads files of a zip archive, refusing any whose declared size
// exceeds the GeoJSON limit, the largest of the file limits (the zip reader
// also stops at the declared size; the places reader applies its own).
type limitFS struct{ zr *zip.Reader }

func (l limitFS) Open(name string) (fs.File, error) {
	for _, f := range l.zr.File {
		if f.Name == name && f.UncompressedSize64 > MaxGeoJSONBytes {
			return nil, fmt.Errorf("%s is larger than %d bytes", name, MaxGeoJSONBytes)
		}
	}
	return l.zr.Open(name)
}
