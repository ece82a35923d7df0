package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/mod/sumdb/tlog"

	"truce"
	"truce/internal/agreement"
	"truce/internal/ledger"
	"truce/internal/witness"
)

// witnessCheck is what `truce log verify` checks of the witnesses'
// cosignatures, beyond the log itself: that the log's records are covered
// by a checkpoint that meets the witness policy of an agreement file
// (--policy), and that a checkpoint someone else was shown (--against) is
// not a split view of the same log.
type witnessCheck struct {
	policy  string // agreement file whose witnesses: section is the policy
	against string // a signed checkpoint to compare with
}

// proveFunc returns a consistency proof between two sizes of the log
// verified, or an error when it cannot (a bundle has no proofs).
type proveFunc func(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error)

// run checks the verified log's checkpoints (cps, oldest first, with
// their cosignatures) of records records against the policy and the
// other checkpoint, printing what it finds.
func (w witnessCheck) run(ctx context.Context, out io.Writer, vk string, cps [][]byte, records int64, prove proveFunc) error {
	var ws []witness.Witness
	if w.policy != "" {
		p, err := loadWitnessPolicy(w.policy)
		if err != nil {
			return err
		}
		ws = policyWitnesses(p)
		if err := checkFinal(out, witness.Policy{Witnesses: ws, Threshold: p.Threshold}, vk, cps, records); err != nil {
			return err
		}
	}
	if w.against != "" {
		return checkAgainst(ctx, out, w.against, vk, ws, cps, prove)
	}
	return nil
}

// loadWitnessPolicy reads the witness policy of an agreement file.
func loadWitnessPolicy(path string) (*truce.WitnessPolicy, error) {
	a, err := agreement.Load(path)
	if err != nil {
		return nil, fmt.Errorf("--policy: %w", err)
	}
	if a.Witnesses == nil {
		return nil, fmt.Errorf("--policy %s: the agreement names no witnesses", path)
	}
	return a.Witnesses, nil
}

func policyWitnesses(p *truce.WitnessPolicy) []witness.Witness {
	ws := make([]witness.Witness, len(p.Witnesses))
	for i, w := range p.Witnesses {
		ws[i] = witness.Witness{Name: w.Name, VerifierKey: w.Key, URL: w.URL}
	}
	return ws
}

// checkFinal finds the newest checkpoint that meets the policy and fails
// unless it covers every record: a record is accepted only under a final
// checkpoint.
func checkFinal(out io.Writer, p witness.Policy, vk string, cps [][]byte, records int64) error {
	var lastErr error
	for i := len(cps) - 1; i >= 0; i-- {
		err := p.Verify(cps[i], vk)
		if err != nil {
			if lastErr == nil {
				lastErr = err
			}
			continue
		}
		c, err := ledger.Open(vk, cps[i])
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "final checkpoint: size %d, cosigned by at least %d of the policy's %d witnesses\n", c.Size, p.Threshold, len(p.Witnesses))
		if c.Size < records {
			return fmt.Errorf("witness policy: records %d to %d are covered by no checkpoint that meets the policy (the newest: %w)", c.Size, records-1, lastErr)
		}
		return nil
	}
	if lastErr == nil {
		return errors.New("witness policy: the log has no checkpoint")
	}
	return fmt.Errorf("witness policy: no checkpoint meets it: %w", lastErr)
}

// checkAgainst compares another checkpoint of the log (a file holding a
// signed note, e.g. a witness's latest) with the verified log: the same
// size with another root, or a root the log's tree does not extend, is a
// split view, named with who signed each side.
func checkAgainst(ctx context.Context, out io.Writer, path, vk string, ws []witness.Witness, cps [][]byte, prove proveFunc) error {
	theirs, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("--against: %w", err)
	}
	tc, err := ledger.Open(vk, theirs)
	if err != nil {
		return fmt.Errorf("--against %s: %w", path, err)
	}
	if len(cps) == 0 {
		return errors.New("--against: the log has no checkpoint to compare with")
	}
	ours, oc := cps[len(cps)-1], ledger.Checkpoint{}
	for _, cp := range cps {
		if c, err := ledger.Open(vk, cp); err == nil && c.Size == tc.Size {
			ours, oc = cp, c
		}
	}
	var proof tlog.TreeProof
	if oc.Size != tc.Size {
		if oc, err = ledger.Open(vk, ours); err != nil {
			return err
		}
		if prove == nil {
			return fmt.Errorf("--against: the bundle has no checkpoint of size %d (its newest is %d): compare with the log's database, or a checkpoint of a size the bundle holds", tc.Size, oc.Size)
		}
		if proof, err = prove(ctx, min(oc.Size, tc.Size), max(oc.Size, tc.Size)); err != nil {
			return fmt.Errorf("--against: %w", err)
		}
	}
	err = witness.DetectFork(ours, theirs, proof, vk, ws)
	var split *witness.SplitViewError
	switch {
	case errors.As(err, &split):
		return fmt.Errorf("split view: %w", err)
	case errors.Is(err, witness.ErrBadProof):
		return fmt.Errorf("split view: the checkpoint in %s is not consistent with this log: %w", path, err)
	case err != nil:
		return err
	}
	fmt.Fprintf(out, "checkpoint %s (size %d) is consistent with this log\n", path, tc.Size)
	return nil
}

// bundleWitnessed runs the witness checks on a verified bundle.
func (e *env) bundleWitnessed(ctx context.Context, wc witnessCheck, path string, rep ledger.Report) error {
	if wc == (witnessCheck{}) {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	cps, err := ledger.BundleCheckpoints(f)
	if err != nil {
		return err
	}
	return wc.run(ctx, e.stdout, rep.VerifierKey, cps, rep.Records, nil)
}

// storeWitnessed runs the witness checks on a verified store's log, with
// consistency proofs from its tree.
func storeWitnessed(ctx context.Context, out io.Writer, wc witnessCheck, st truce.LogStore, src ledger.Source, vk string, rep ledger.Report) error {
	cps, err := src.Checkpoints(ctx)
	if err != nil {
		return err
	}
	prove := func(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error) {
		hs, err := st.ProveTree(ctx, newSize, oldSize)
		if err != nil {
			return nil, err
		}
		p := make(tlog.TreeProof, len(hs))
		for i, h := range hs {
			p[i] = h
		}
		return p, nil
	}
	return wc.run(ctx, out, vk, cps, rep.Records, prove)
}
