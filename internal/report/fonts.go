package report

import _ "embed"

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
