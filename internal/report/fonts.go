package report

import (
	"bytes"
	_ "embed"

	"github.com/go-pdf/fpdf"
)

// The DejaVu fonts for PDF output; see fonts/README.md for their source
// and licence.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
	// fontMono sets the log checkpoint, which is copied out of the PDF.
	//go:embed fonts/DejaVuSansMono.ttf
	fontMono []byte
)

// addFont adds a TrueType font to f from a copy of data. fpdf writes into
// the bytes it is given (go-pdf/fpdf v0.9.0, utf8FontFile.getMetrics
// appends to a slice of them), so two documents made from one slice at
// once raced — the race detector caught two PDF tests doing it — and a
// document could read glyph metrics an earlier one had overwritten.
func addFont(f *fpdf.Fpdf, family, style string, data []byte) {
	f.AddUTF8FontFromBytes(family, style, bytes.Clone(data))
}
