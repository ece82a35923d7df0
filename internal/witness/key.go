package witness

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
)

// algEd25519 is the signed-note signature type of an Ed25519 signer key.
const algEd25519 = 0x01

// GenerateKey returns a new witness key: the signer key, an Ed25519 note
// signer key "PRIVATE+KEY+<name>+<hash>+<key>" that stays on the witness's
// machine, and the cosignature verifier key "<name>+<hash>+<key>" (type
// 0x04, tlog-cosignature/v1) that goes in witness policies. The name
// identifies the witness in its cosignature lines, e.g.
// "witness.example.org/w1"; it must not contain spaces or '+'.
func GenerateKey(name string) (signerKey, verifierKey string, err error) {
	skey, _, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", "", fmt.Errorf("witness: generate key %q: %w", name, err)
	}
	vkey, err := VerifierKey(skey)
	if err != nil {
		return "", "", fmt.Errorf("witness: generate key %q: %w", name, err)
	}
	return skey, vkey, nil
}

// VerifierKey returns the cosignature verifier key of a witness signer key.
// Errors never include the signer key.
func VerifierKey(signerKey string) (string, error) {
	s, err := newCosigner(signerKey)
	if err != nil {
		return "", err
	}
	return s.Verifier().String(), nil
}

// newCosigner turns a note signer key into a tlog-cosignature/v1 signer for
// the same Ed25519 key and name. Errors never include the key.
func newCosigner(signerKey string) (*torchwood.CosignatureSigner, error) {
	signerKey = strings.TrimSpace(signerKey)
	// note.NewSigner checks the encoding and the key hash.
	if _, err := note.NewSigner(signerKey); err != nil {
		return nil, errors.New("witness: signer key: not a note signer key (PRIVATE+KEY+<name>+<hash>+<key>)")
	}
	// PRIVATE+KEY+<name>+<hash>+<base64 key>; the name has no '+', the
	// base64 may.
	parts := strings.SplitN(signerKey, "+", 5)
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != algEd25519 {
		return nil, errors.New("witness: signer key: not an Ed25519 note signer key")
	}
	name := parts[2]
	s, err := torchwood.NewCosignatureSigner(name, ed25519.NewKeyFromSeed(raw[1:]))
	if err != nil {
		return nil, fmt.Errorf("witness: signer key %q: %w", name, err)
	}
	return s, nil
}

// newCosignatureVerifier parses a witness's cosignature verifier key.
func newCosignatureVerifier(vkey string) (*torchwood.CosignatureVerifier, error) {
	v, err := torchwood.NewCosignatureVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("witness: verifier key %q: %w", clip(vkey), err)
	}
	return v, nil
}
