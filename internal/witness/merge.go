package witness

import (
	"bytes"
	"fmt"
	"strings"
)

// MergeCosignatures returns the signed note with the signature lines of
// each cosignatures block (as returned by Client.AddCheckpoint) appended,
// skipping lines it already has. It checks the form of the lines, not the
// signatures: verify the result with Policy.Verify.
func MergeCosignatures(signedCheckpoint []byte, cosignatures ...[]byte) ([]byte, error) {
	text, err := noteText(signedCheckpoint)
	if err != nil {
		return nil, fmt.Errorf("witness: merge cosignatures: %w", err)
	}
	out := bytes.Clone(signedCheckpoint)
	have := map[string]bool{}
	for _, line := range strings.SplitAfter(string(signedCheckpoint[len(text)+1:]), "\n") {
		have[line] = true
	}
	for i, block := range cosignatures {
		for _, line := range strings.SplitAfter(string(block), "\n") {
			if line == "" {
				continue
			}
			if !isSignatureLine(line) {
				return nil, fmt.Errorf("witness: merge cosignatures: block %d: not a signature line: %q", i+1, clip(line))
			}
			if !have[line] {
				have[line] = true
				out = append(out, line...)
			}
		}
	}
	return out, nil
}

// isSignatureLine reports whether line is "— <name> <base64>\n".
func isSignatureLine(line string) bool {
	rest, ok := strings.CutPrefix(line, "— ")
	if !ok || !strings.HasSuffix(rest, "\n") {
		return false
	}
	name, b64, ok := strings.Cut(strings.TrimSuffix(rest, "\n"), " ")
	return ok && name != "" && b64 != "" && !strings.ContainsAny(b64, " \t") && !strings.ContainsAny(name, "+\t")
}
