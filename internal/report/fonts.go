package report

import _ "embed"

// The DejaVu Sans fonts for PDF output; see fonts/README.md for their
// source and licence.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)
