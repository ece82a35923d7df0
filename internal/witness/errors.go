package witness

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// Errors that the server maps to HTTP statuses, and that Client returns
// (wrapped) for the same statuses. Compare them with errors.Is.
var (
	// ErrMalformed is a request body that is not an add-checkpoint body, or
	// whose old size is larger than the checkpoint's size (400).
	ErrMalformed = errors.New("witness: malformed request")
	// ErrUnknownLog is a checkpoint whose origin the witness is not
	// configured for (404, as C2SP tlog-witness requires).
	ErrUnknownLog = errors.New("witness: unknown log")
	// ErrNotSigned is a checkpoint not signed by the log's key, or with an
	// invalid signature by it (403).
	ErrNotSigned = errors.New("witness: checkpoint not signed by the log key")
	// ErrBadProof is a consistency proof that does not verify (422).
	ErrBadProof = errors.New("witness: consistency proof does not verify")
	// ErrConflict is an old size that is not the size the witness last
	// cosigned (409). The error is a *ConflictError carrying that size.
	ErrConflict = errors.New("witness: old size is not the cosigned size")
	// ErrSplitView is two checkpoints of one log, of the same size, with
	// different roots: proof that the log showed two histories (409 from a
	// witness). The error is a *SplitViewError.
	ErrSplitView = errors.New("witness: split view")
	// ErrTooLarge is a request body over MaxBodyBytes (413).
	ErrTooLarge = errors.New("witness: request body too large")
	// ErrPolicy is a checkpoint whose cosignatures do not satisfy a Policy.
	// The error is a *PolicyError naming who signed and who is missing.
	ErrPolicy = errors.New("witness: checkpoint does not satisfy the witness policy")
	// ErrNoState is returned by Store.State for a log the witness has never
	// cosigned.
	ErrNoState = errors.New("witness: no cosigned checkpoint for this log")
)

// A ConflictError is a submission whose old size is not the size of the
// latest checkpoint the witness cosigned for the log.
type ConflictError struct {
	Origin  string
	OldSize int64 // the old size the client sent
	Size    int64 // the size the witness last cosigned
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("witness: log %q: old size %d is not the cosigned size %d", e.Origin, e.OldSize, e.Size)
}

// Is reports whether target is ErrConflict.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// A SplitViewError is two checkpoints signed by one log's key for the same
// origin and size with different roots. SignersA and SignersB name who
// signed each ("log" for the log key, then witness names).
type SplitViewError struct {
	Origin             string
	Size               int64
	RootA, RootB       tlog.Hash
	SignersA, SignersB []string
}

func (e *SplitViewError) Error() string {
	return fmt.Sprintf("witness: split view of log %q at size %d: root %s signed by %s, root %s signed by %s",
		e.Origin, e.Size, e.RootA, nameList(e.SignersA), e.RootB, nameList(e.SignersB))
}

// Is reports whether target is ErrSplitView.
func (e *SplitViewError) Is(target error) bool { return target == ErrSplitView }

func nameList(names []string) string {
	if len(names) == 0 {
		return "nobody"
	}
	return strings.Join(names, ", ")
}
