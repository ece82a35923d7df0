package report

import (
	"crypto/sha256"
	"io"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
)

// Every glyph of every font, set in one document, leaves the fonts' bytes
// as they were: fpdf writes into the bytes it is given, so addFont gives it
// a copy (two PDF tests raced on the shared bytes before). It fails
// without the copy.
func TestAddFontCopies(t *testing.T) {
	var text strings.Builder
	for r := rune(0x20); r < 0x3000; r++ {
		text.WriteRune(r)
		if r%64 == 0 {
			text.WriteByte('\n')
		}
	}
	for _, data := range [][]byte{fontRegular, fontBold, fontMono} {
		before := sha256.Sum256(data)
		f := fpdf.New("P", "mm", "A4", "")
		addFont(f, "f", "", data)
		f.AddPage()
		f.SetFont("f", "", 8)
		f.MultiCell(0, 4, text.String(), "", "", false)
		if err := f.Output(io.Discard); err != nil {
			t.Fatal(err)
		}
		if sha256.Sum256(data) != before {
			t.Fatal("a PDF changed the font bytes it was given")
		}
	}
}
