package cosign

import (
	"context"

	"truce"
	"truce/internal/witness"
)

// Latest returns the newest signed checkpoint with every cosignature
// stored for it so far (extra signature lines on the note: a verifier
// that knows only the log's key ignores them).
func Latest(ctx context.Context, st Store) ([]byte, error) {
	signed, err := st.LatestCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	size, err := checkpointSize(signed)
	if err != nil {
		return nil, err
	}
	return withCosignatures(ctx, st, signed, size, nil)
}

// Final returns the newest checkpoint that at least p.Threshold of p's
// witnesses cosigned, with their cosignatures. ENOTFOUND if none has yet.
func Final(ctx context.Context, st Store, p *truce.WitnessPolicy) ([]byte, error) {
	if p == nil {
		return nil, truce.Errorf(truce.ENOTFOUND, "the agreement names no witnesses: no checkpoint is cosigned")
	}
	names := make([]string, len(p.Witnesses))
	in := map[string]bool{}
	for i, w := range p.Witnesses {
		names[i] = w.Name
		in[w.Name] = true
	}
	size, err := st.CosignedSize(ctx, names, p.Threshold)
	if err != nil {
		return nil, err
	}
	signed, err := st.Checkpoint(ctx, size)
	if err != nil {
		return nil, err
	}
	return withCosignatures(ctx, st, signed, size, in)
}

// withCosignatures adds to signed the stored cosignatures of its size, of
// the witnesses in only (every witness when only is nil).
func withCosignatures(ctx context.Context, st Store, signed []byte, size int64, only map[string]bool) ([]byte, error) {
	cs, err := st.Cosignatures(ctx, size)
	if err != nil {
		return nil, err
	}
	var lines [][]byte
	for _, c := range cs {
		if only == nil || only[c.Witness] {
			lines = append(lines, c.Line)
		}
	}
	if len(lines) == 0 {
		return signed, nil
	}
	return witness.MergeCosignatures(signed, lines...)
}
