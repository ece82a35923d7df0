package sqlstore

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"truce"
)

// Checkpoint returns the signed checkpoint of the given tree size.
func (c Core) Checkpoint(ctx context.Context, size int64) ([]byte, error) {
	var b []byte
	if err := c.d.DB.QueryRow(ctx, `SELECT note FROM log_checkpoints WHERE size = $1`, size).Scan(&b); err != nil {
		return nil, NotFound(err, "checkpoint", "the log signed no checkpoint of size %d", size)
	}
	return b, nil
}

// AddCosignature stores a witness's cosignature line; a second line by
// the same witness for the same size is ignored.
func (c Core) AddCosignature(ctx context.Context, cs truce.Cosignature) error {
	if cs.Witness == "" || len(cs.Line) == 0 {
		return truce.Errorf(truce.EINVALID, "a cosignature needs a witness and a signature line")
	}
	return c.d.Tx(ctx, func(db DB) error {
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM log_cosignatures WHERE size = $1 AND witness = $2`, cs.Size, cs.Witness).Scan(&n); err != nil {
			return TextError(err, "add cosignature")
		}
		if n > 0 {
			return nil
		}
		_, err := db.Exec(ctx, `INSERT INTO log_cosignatures (size, witness, line, received_ns) VALUES ($1, $2, $3, $4)`,
			cs.Size, cs.Witness, cs.Line, cs.At.UnixNano())
		switch {
		case errors.Is(err, ErrForeignKey):
			return truce.Errorf(truce.ENOTFOUND, "the log signed no checkpoint of size %d", cs.Size)
		case errors.Is(err, ErrUnique): // another server stored it meanwhile
			return nil
		case err != nil:
			return TextError(err, "add cosignature")
		}
		return nil
	})
}

// Cosignatures returns the cosignatures of the checkpoint of size, by
// witness name.
func (c Core) Cosignatures(ctx context.Context, size int64) ([]truce.Cosignature, error) {
	var out []truce.Cosignature
	err := Each(ctx, c.d.DB, "cosignatures", func(sc Scanner) (truce.Cosignature, error) {
		cs := truce.Cosignature{Size: size}
		var at int64
		err := sc.Scan(&cs.Witness, &cs.Line, &at)
		cs.At = unixUTC(at)
		return cs, err
	}, func(cs truce.Cosignature) error {
		out = append(out, cs)
		return nil
	}, `SELECT witness, line, received_ns FROM log_cosignatures WHERE size = $1 ORDER BY witness`, size)
	return out, err
}

// CosignedSize returns the size of the newest checkpoint that at least
// threshold of the named witnesses cosigned.
func (c Core) CosignedSize(ctx context.Context, witnesses []string, threshold int) (int64, error) {
	if threshold < 1 || len(witnesses) == 0 {
		return 0, truce.Errorf(truce.EINVALID, "a witness policy needs witnesses and a threshold of at least 1")
	}
	args := []any{int64(threshold)}
	marks := make([]string, len(witnesses))
	for i, w := range witnesses {
		args = append(args, w)
		marks[i] = "$" + strconv.Itoa(i+2)
	}
	var size int64
	err := c.d.DB.QueryRow(ctx, `SELECT size FROM log_cosignatures WHERE witness IN (`+strings.Join(marks, ", ")+`)
		GROUP BY size HAVING COUNT(*) >= $1 ORDER BY size DESC LIMIT 1`, args...).Scan(&size)
	if err != nil {
		return 0, NotFound(err, "cosigned checkpoint", "no checkpoint has %d cosignatures of the policy's witnesses yet", threshold)
	}
	return size, nil
}
