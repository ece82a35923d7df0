package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"truce"
	"truce/internal/ledger"
)

// once describes records stored once by id and logged when created:
// claims, tallies, observations and restrictions. A record already stored
// is left as it is if it is the same (same), ECONFLICT if not.
type once[T interface{ Validate() error }] struct {
	what   string                                                     // "claim", in messages
	id     func(T) string                                             // its id
	get    func(ctx context.Context, w WriteTx, id string) (T, error) // the stored one; ErrNoRows if none
	same   func(stored, t T) bool                                     // ledger.SameClaim etc.
	record func(by truce.Principal, at time.Time, t T) (*ledger.Record, error)
	insert func(ctx context.Context, w WriteTx, t T) error // the row
}

// putOnce validates ts, then in one transaction stores and logs those
// whose ids are not stored yet, and returns how many it added.
func putOnce[T interface{ Validate() error }](ctx context.Context, c Core, by truce.Principal, ts []T, o once[T]) (int, error) {
	for _, t := range ts {
		if err := t.Validate(); err != nil {
			return 0, err
		}
	}
	return write(ctx, c, func(w WriteTx) (int, error) {
		added := 0
		for _, t := range ts {
			id := o.id(t)
			stored, err := o.get(ctx, w, id)
			switch {
			case err == nil && o.same(stored, t):
				continue
			case err == nil:
				return 0, truce.Errorf(truce.ECONFLICT, "%s %s is stored already with other content", o.what, id)
			case !errors.Is(err, ErrNoRows):
				return 0, fmt.Errorf("put %s %s: %w", o.what, id, err)
			}
			if _, err := w.Log(o.record(by, w.Now(), t)); err != nil {
				return 0, err
			}
			if err := o.insert(ctx, w, t); err != nil {
				return 0, TextError(err, "put "+o.what+" "+id)
			}
			added++
		}
		return added, nil
	})
}
