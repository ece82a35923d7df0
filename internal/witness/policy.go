package witness

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
)

// A Policy is the witnesses an agreement trusts and how many of them must
// cosign a checkpoint, e.g. 2 of 3.
type Policy struct {
	Witnesses []Witness
	Threshold int
}

// A PolicyError is a checkpoint that is not signed by the log, or not
// cosigned by enough of the policy's witnesses.
type PolicyError struct {
	Origin    string
	Size      int64
	LogSigned bool
	Signed    []string // names of the witnesses whose cosignatures verify
	Missing   []string // names of the others
	Threshold int
}

func (e *PolicyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "witness policy: checkpoint of %q at size %d: ", e.Origin, e.Size)
	if !e.LogSigned {
		b.WriteString("no valid log signature; ")
	}
	fmt.Fprintf(&b, "cosigned by %d of %d witnesses (need %d): signed by %s; missing %s",
		len(e.Signed), len(e.Signed)+len(e.Missing), e.Threshold, nameList(e.Signed), nameList(e.Missing))
	return b.String()
}

// Unwrap returns ErrPolicy.
func (e *PolicyError) Unwrap() error { return ErrPolicy }

// Validate checks the policy's keys, names and threshold.
func (p Policy) Validate() error {
	if p.Threshold < 1 || p.Threshold > len(p.Witnesses) {
		return fmt.Errorf("witness policy: threshold %d of %d witnesses", p.Threshold, len(p.Witnesses))
	}
	seen := map[string]bool{}
	for _, w := range p.Witnesses {
		if w.Name == "" || seen[w.Name] {
			return fmt.Errorf("witness policy: witness name %q empty or repeated", w.Name)
		}
		seen[w.Name] = true
		if _, err := newCosignatureVerifier(w.VerifierKey); err != nil {
			return fmt.Errorf("witness policy: witness %s: %w", w.Name, err)
		}
	}
	return nil
}

// torchwood returns the policy as torchwood's: the log's signature on a
// checkpoint of its origin, and Threshold of the witnesses' cosignatures.
func (p Policy) torchwood(logV note.Verifier) (torchwood.Policy, []*torchwood.CosignatureVerifier, error) {
	if err := p.Validate(); err != nil {
		return nil, nil, err
	}
	vs, err := verifiers(p.Witnesses)
	if err != nil {
		return nil, nil, err
	}
	var ws []torchwood.Policy
	for _, v := range vs {
		ws = append(ws, torchwood.SingleVerifierPolicy(v))
	}
	logPolicy := torchwood.ThresholdPolicy(2, torchwood.OriginPolicy(logV.Name()), torchwood.SingleVerifierPolicy(logV))
	return torchwood.ThresholdPolicy(2, logPolicy, torchwood.ThresholdPolicy(p.Threshold, ws...)), vs, nil
}

// Verify checks that signedCheckpoint is a checkpoint signed by the log
// (whose origin is the key's name) and cosigned by at least Threshold of
// the policy's witnesses, using torchwood.VerifyCheckpoint. If the
// signatures fall short, the error is a *PolicyError (wrapping ErrPolicy)
// that names who signed and who is missing. Cosignatures from keys not in
// the policy are ignored.
func (p Policy) Verify(signedCheckpoint []byte, logVerifierKey string) error {
	logV, err := note.NewVerifier(logVerifierKey)
	if err != nil {
		return fmt.Errorf("witness policy: log verifier key %q: %w", clip(logVerifierKey), err)
	}
	pol, vs, err := p.torchwood(logV)
	if err != nil {
		return err
	}
	_, _, verr := torchwood.VerifyCheckpoint(signedCheckpoint, pol)
	if verr == nil {
		return nil
	}
	c, logSigned, signed, missing, err := signers(signedCheckpoint, logV, p.Witnesses, vs)
	if err != nil {
		return fmt.Errorf("witness policy: %w", err)
	}
	if logSigned && len(signed) >= p.Threshold {
		// Signatures suffice, so torchwood refused something else (origin).
		return fmt.Errorf("witness policy: checkpoint of %q at size %d: %w", c.Origin, c.N, verr)
	}
	return &PolicyError{Origin: c.Origin, Size: c.N, LogSigned: logSigned, Signed: signed, Missing: missing, Threshold: p.Threshold}
}

// verifiers parses the witnesses' cosignature verifier keys.
func verifiers(ws []Witness) ([]*torchwood.CosignatureVerifier, error) {
	var vs []*torchwood.CosignatureVerifier
	for _, w := range ws {
		v, err := newCosignatureVerifier(w.VerifierKey)
		if err != nil {
			return nil, fmt.Errorf("witness %s: %w", w.Name, err)
		}
		vs = append(vs, v)
	}
	return vs, nil
}

// signers opens the note with the log's key and the witnesses' keys vs
// (one per witness) and sorts the witnesses into those whose cosignature
// verifies and the others.
func signers(signed []byte, logV note.Verifier, ws []Witness, vs []*torchwood.CosignatureVerifier) (c torchwood.Checkpoint, logSigned bool, ok, missing []string, err error) {
	keys := []note.Verifier{logV}
	for _, v := range vs {
		keys = append(keys, v)
	}
	n, err := note.Open(signed, note.VerifierList(keys...))
	var unverified *note.UnverifiedNoteError
	if errors.As(err, &unverified) {
		n, err = unverified.Note, nil // no known signature at all
	}
	if err != nil {
		return c, false, nil, nil, err
	}
	if c, err = torchwood.ParseCheckpoint(n.Text); err != nil {
		return c, false, nil, nil, err
	}
	has := func(v note.Verifier) bool {
		return slices.ContainsFunc(n.Sigs, func(s note.Signature) bool { return s.Name == v.Name() && s.Hash == v.KeyHash() })
	}
	for i, w := range ws {
		if has(vs[i]) {
			ok = append(ok, w.Name)
		} else {
			missing = append(missing, w.Name)
		}
	}
	return c, has(logV), ok, missing, nil
}
