package witness

import (
	"fmt"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// DetectFork checks two checkpoints signed by the same log key for
// evidence of a split view. If they have the same origin and size but
// different roots, it returns a *SplitViewError (wrapping ErrSplitView)
// naming the origin, size, both roots, and which of the given witnesses
// cosigned each. If their sizes differ, proof must be the consistency
// proof from the smaller to the larger; if it does not verify, DetectFork
// returns an error wrapping ErrBadProof (a failed proof alone does not
// prove a fork). It returns nil if the two are consistent.
func DetectFork(a, b []byte, proof tlog.TreeProof, logVerifierKey string, witnesses []Witness) error {
	logV, err := note.NewVerifier(logVerifierKey)
	if err != nil {
		return fmt.Errorf("witness: detect fork: log verifier key %q: %w", clip(logVerifierKey), err)
	}
	vs, err := verifiers(witnesses)
	if err != nil {
		return fmt.Errorf("witness: detect fork: %w", err)
	}
	ca, logA, signedA, _, err := signers(a, logV, witnesses, vs)
	if err == nil && !logA {
		err = ErrNotSigned
	}
	if err != nil {
		return fmt.Errorf("witness: detect fork: checkpoint a: %w", err)
	}
	cb, logB, signedB, _, err := signers(b, logV, witnesses, vs)
	if err == nil && !logB {
		err = ErrNotSigned
	}
	if err != nil {
		return fmt.Errorf("witness: detect fork: checkpoint b: %w", err)
	}
	if ca.Origin != cb.Origin {
		return fmt.Errorf("witness: detect fork: checkpoints of different logs %q and %q", ca.Origin, cb.Origin)
	}
	if ca.N == cb.N {
		if ca.Hash == cb.Hash {
			return nil
		}
		return &SplitViewError{Origin: ca.Origin, Size: ca.N, RootA: ca.Hash, RootB: cb.Hash,
			SignersA: append([]string{"log"}, signedA...), SignersB: append([]string{"log"}, signedB...)}
	}
	if ca.N > cb.N {
		ca, cb = cb, ca
	}
	if ca.N == 0 {
		return nil
	}
	if err := tlog.CheckTree(proof, cb.N, cb.Hash, ca.N, ca.Hash); err != nil {
		return fmt.Errorf("%w: log %q from size %d (root %s) to %d (root %s): %w", ErrBadProof, ca.Origin, ca.N, ca.Hash, cb.N, cb.Hash, err)
	}
	return nil
}
