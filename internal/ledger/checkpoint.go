package ledger

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// ErrBadCheckpoint is returned (wrapped) when a signed checkpoint does not
// verify: the signature is missing, invalid or by another key; the body is
// malformed; or, in Verify, its root is not the root recomputed from the
// records, or it is not consistent with the checkpoint before it.
var ErrBadCheckpoint = errors.New("ledger: bad checkpoint")

// GenerateKey returns a new Ed25519 signer key (secret) and verifier key
// (public) in the sumdb/note encodings, "PRIVATE+KEY+<name>+<hash>+<key>"
// and "<name>+<hash>+<key>". The name is the log's origin, the first line of
// every checkpoint, e.g. "truce.example.org/ledger"; it must not contain
// spaces or '+'.
func GenerateKey(name string) (signerKey, verifierKey string, err error) {
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", "", fmt.Errorf("ledger: generate key %q: %w", name, err)
	}
	// note.GenerateKey does not check the name; its key parsers do.
	if _, err := note.NewVerifier(vkey); err != nil {
		return "", "", fmt.Errorf("ledger: generate key: invalid name %q", name)
	}
	return skey, vkey, nil
}

// A Checkpoint is a commitment to the first Size records of the log Origin:
// the C2SP tlog-checkpoint body (https://c2sp.org/tlog-checkpoint).
type Checkpoint struct {
	Origin string    // the log's name, equal to the signing key's name
	Size   int64     // number of records
	Hash   tlog.Hash // root hash of the tree of Size records
}

// Text returns the checkpoint body: "<origin>\n<size>\n<base64 hash>\n".
func (c Checkpoint) Text() string {
	return c.Origin + "\n" + strconv.FormatInt(c.Size, 10) + "\n" + c.Hash.String() + "\n"
}

// Sign returns c as a signed note. c.Origin MUST equal the key's name.
func Sign(signerKey string, c Checkpoint) ([]byte, error) {
	signer, err := note.NewSigner(signerKey)
	if err != nil {
		return nil, fmt.Errorf("ledger: signer key: %w", err)
	}
	return sign(signer, c)
}

func sign(signer note.Signer, c Checkpoint) ([]byte, error) {
	if c.Origin != signer.Name() {
		return nil, fmt.Errorf("ledger: sign checkpoint: origin %q is not the key name %q", c.Origin, signer.Name())
	}
	if c.Size < 0 {
		return nil, fmt.Errorf("ledger: sign checkpoint: negative size %d", c.Size)
	}
	msg, err := note.Sign(&note.Note{Text: c.Text()}, signer)
	if err != nil {
		return nil, fmt.Errorf("ledger: sign checkpoint: %w", err)
	}
	return msg, nil
}

// SignTree computes the root of the tree of the given size and signs a
// checkpoint for it, with the key's name as origin. Stores call it after
// Append, in the same transaction, and keep the signed note.
func SignTree(ctx context.Context, hr HashReader, signerKey string, size int64) ([]byte, Checkpoint, error) {
	signer, err := note.NewSigner(signerKey)
	if err != nil {
		return nil, Checkpoint{}, fmt.Errorf("ledger: signer key: %w", err)
	}
	h, err := TreeHash(ctx, hr, size)
	if err != nil {
		return nil, Checkpoint{}, err
	}
	c := Checkpoint{Origin: signer.Name(), Size: size, Hash: h}
	msg, err := sign(signer, c)
	if err != nil {
		return nil, Checkpoint{}, err
	}
	return msg, c, nil
}

// Open verifies that signed is a checkpoint signed by verifierKey and returns
// it. Other signatures on the note are ignored. Every failure to verify wraps
// ErrBadCheckpoint; a malformed verifierKey does not.
func Open(verifierKey string, signed []byte) (Checkpoint, error) {
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("ledger: verifier key: %w", err)
	}
	c, err := openCheckpoint(v, signed)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: %w", ErrBadCheckpoint, err)
	}
	return c, nil
}

// openCheckpoint is Open without the sentinel, so that callers can add
// context before it.
func openCheckpoint(v note.Verifier, signed []byte) (Checkpoint, error) {
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		switch {
		case errors.As(err, &unverified):
			return Checkpoint{}, fmt.Errorf("not signed by key %s+%08x", v.Name(), v.KeyHash())
		case errors.As(err, &invalid):
			return Checkpoint{}, fmt.Errorf("invalid signature by key %s+%08x", v.Name(), v.KeyHash())
		default:
			return Checkpoint{}, err
		}
	}
	c, err := parseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("origin %q is not the key name %q", c.Origin, v.Name())
	}
	return c, nil
}

// parseCheckpoint parses the body written by Checkpoint.Text. It accepts only
// that exact form: no extension lines, no leading zeros or signs in the size,
// and the one base64 spelling of the hash.
func parseCheckpoint(text string) (Checkpoint, error) {
	lines := strings.SplitAfter(text, "\n")
	if len(lines) != 4 || lines[3] != "" {
		return Checkpoint{}, fmt.Errorf("malformed body: want 3 lines, got %d", strings.Count(text, "\n"))
	}
	origin := strings.TrimSuffix(lines[0], "\n")
	sizeText := strings.TrimSuffix(lines[1], "\n")
	hashText := strings.TrimSuffix(lines[2], "\n")
	if origin == "" {
		return Checkpoint{}, errors.New("malformed body: empty origin")
	}
	size, err := strconv.ParseInt(sizeText, 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != sizeText {
		return Checkpoint{}, fmt.Errorf("malformed body: bad size %q", sizeText)
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(hashText)
	if err != nil || len(raw) != tlog.HashSize {
		return Checkpoint{}, fmt.Errorf("malformed body: bad root hash %q", hashText)
	}
	c := Checkpoint{Origin: origin, Size: size, Hash: tlog.Hash(raw)}
	if c.Text() != text {
		return Checkpoint{}, errors.New("malformed body: not in canonical form")
	}
	return c, nil
}
