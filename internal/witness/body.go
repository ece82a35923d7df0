package witness

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// MaxBodyBytes bounds an add-checkpoint request body. A body is an old size
// line, at most 63 proof lines of 45 bytes, a blank line and a checkpoint
// with its signatures, so a few KiB in practice; the bound leaves room for a
// checkpoint carrying many cosignatures.
const MaxBodyBytes = 1 << 20

// maxProofLines is the most consistency proof lines a client may send
// (C2SP tlog-witness): a proof between trees of at most 2⁶³ leaves.
const maxProofLines = 63

// An AddCheckpoint is the body of a C2SP tlog-witness add-checkpoint
// request.
type AddCheckpoint struct {
	OldSize int64          // size of the checkpoint the client believes the witness cosigned last
	Proof   tlog.TreeProof // RFC 6962 consistency proof from OldSize to the checkpoint's size
	// Checkpoint is the signed checkpoint note: text, blank line, signature
	// lines. ParseAddCheckpoint does not check it.
	Checkpoint []byte
}

// ParseAddCheckpoint parses an add-checkpoint body:
//
//	old <size>
//	<base64 hash>        (zero to 63 proof lines)
//	                     (an empty line)
//	<signed checkpoint>
//
// It accepts only the canonical form: every line ends in a newline, the size
// has no sign or leading zeros, each hash is 32 bytes in standard padded
// base64. Errors wrap ErrMalformed.
func ParseAddCheckpoint(body []byte) (AddCheckpoint, error) {
	head, checkpoint, ok := bytes.Cut(body, []byte("\n\n"))
	if !ok {
		return AddCheckpoint{}, fmt.Errorf("%w: no blank line before the checkpoint", ErrMalformed)
	}
	if len(checkpoint) == 0 {
		return AddCheckpoint{}, fmt.Errorf("%w: empty checkpoint", ErrMalformed)
	}
	lines := strings.Split(string(head), "\n")
	sizeText, ok := strings.CutPrefix(lines[0], "old ")
	if !ok {
		return AddCheckpoint{}, fmt.Errorf("%w: line 1: want \"old <size>\"", ErrMalformed)
	}
	old, err := strconv.ParseInt(sizeText, 10, 64)
	if err != nil || old < 0 || strconv.FormatInt(old, 10) != sizeText {
		return AddCheckpoint{}, fmt.Errorf("%w: line 1: bad old size %q", ErrMalformed, clip(sizeText))
	}
	if n := len(lines) - 1; n > maxProofLines {
		return AddCheckpoint{}, fmt.Errorf("%w: %d consistency proof lines, at most %d allowed", ErrMalformed, n, maxProofLines)
	}
	req := AddCheckpoint{OldSize: old, Checkpoint: checkpoint}
	for i, line := range lines[1:] {
		raw, err := base64.StdEncoding.Strict().DecodeString(line)
		if err != nil || len(raw) != tlog.HashSize || base64.StdEncoding.EncodeToString(raw) != line {
			return AddCheckpoint{}, fmt.Errorf("%w: line %d: bad proof hash %q", ErrMalformed, i+2, clip(line))
		}
		req.Proof = append(req.Proof, tlog.Hash(raw))
	}
	return req, nil
}

// Bytes returns the request body that ParseAddCheckpoint parses back to r.
func (r AddCheckpoint) Bytes() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "old %d\n", r.OldSize)
	for _, h := range r.Proof {
		b.WriteString(h.String())
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.Write(r.Checkpoint)
	return b.Bytes()
}

// clip shortens untrusted text quoted in an error message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
