package witness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// A Log is a log the witness cosigns for: its origin (the first line of its
// checkpoints) and its note verifier key.
type Log struct {
	Origin      string
	VerifierKey string
}

// A Server is a C2SP tlog-witness server. It is safe for concurrent use.
type Server struct {
	store  *Store
	signer *torchwood.CosignatureSigner
	logs   map[string]note.Verifier
	log    *slog.Logger
}

// NewServer returns a witness that cosigns checkpoints of the given logs
// with signerKey (a note signer key, see GenerateKey), keeping its state in
// st. Errors never include the signer key.
func NewServer(st *Store, signerKey string, logs []Log, logger *slog.Logger) (*Server, error) {
	signer, err := newCosigner(signerKey)
	if err != nil {
		return nil, err
	}
	if len(logs) == 0 {
		return nil, errors.New("witness: no logs configured")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{store: st, signer: signer, logs: make(map[string]note.Verifier), log: logger}
	for _, l := range logs {
		v, err := note.NewVerifier(l.VerifierKey)
		if err != nil {
			return nil, fmt.Errorf("witness: log %q: verifier key %q: %w", l.Origin, clip(l.VerifierKey), err)
		}
		if l.Origin == "" || strings.ContainsAny(l.Origin, "\n") {
			return nil, fmt.Errorf("witness: log %q: bad origin", l.Origin)
		}
		if _, dup := s.logs[l.Origin]; dup {
			return nil, fmt.Errorf("witness: log %q configured twice", l.Origin)
		}
		s.logs[l.Origin] = v
	}
	return s, nil
}

// VerifierKey returns the witness's cosignature verifier key.
func (s *Server) VerifierKey() string { return s.signer.Verifier().String() }

// Handler returns the witness's HTTP handler: POST /add-checkpoint.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /add-checkpoint", s.handleAddCheckpoint)
	return mux
}

func (s *Server) handleAddCheckpoint(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		err = fmt.Errorf("%w: over %d bytes", ErrTooLarge, MaxBodyBytes)
	case err != nil:
		s.log.InfoContext(ctx, "add-checkpoint: read body", "remote", r.RemoteAddr, "err", err)
		return
	default:
		var cosig []byte
		if cosig, err = s.AddCheckpoint(ctx, body); err == nil {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			if _, err := w.Write(cosig); err != nil {
				s.log.InfoContext(ctx, "add-checkpoint: write cosignature", "remote", r.RemoteAddr, "err", err)
			}
			return
		}
	}
	s.writeError(ctx, w, err)
}

// statusOf maps the package's errors to C2SP tlog-witness statuses.
var statusOf = []struct {
	err    error
	status int
}{
	{ErrMalformed, http.StatusBadRequest},
	{ErrTooLarge, http.StatusRequestEntityTooLarge},
	{ErrUnknownLog, http.StatusNotFound},
	{ErrNotSigned, http.StatusForbidden},
	{ErrBadProof, http.StatusUnprocessableEntity},
	{ErrSplitView, http.StatusConflict},
}

func (s *Server) writeError(ctx context.Context, w http.ResponseWriter, err error) {
	var conflict *ConflictError
	if errors.As(err, &conflict) {
		// C2SP: the body is the cosigned size, so the client can retry.
		w.Header().Set("Content-Type", "text/x.tlog.size")
		w.WriteHeader(http.StatusConflict)
		fmt.Fprintf(w, "%d\n", conflict.Size)
		return
	}
	for _, m := range statusOf {
		if errors.Is(err, m.err) {
			http.Error(w, err.Error(), m.status)
			return
		}
	}
	s.log.ErrorContext(ctx, "add-checkpoint failed", "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// AddCheckpoint handles one add-checkpoint request body and returns the
// cosignature line, after the new state is committed. Its errors wrap the
// package's sentinels (ErrMalformed, ErrUnknownLog, ErrNotSigned,
// ErrBadProof, ErrConflict, ErrSplitView); others are internal.
func (s *Server) AddCheckpoint(ctx context.Context, body []byte) ([]byte, error) {
	req, err := ParseAddCheckpoint(body)
	if err != nil {
		return nil, err
	}
	n, c, err := s.openCheckpoint(req.Checkpoint)
	if err != nil {
		return nil, err
	}
	if req.OldSize > c.N {
		return nil, fmt.Errorf("%w: old size %d is larger than the checkpoint size %d", ErrMalformed, req.OldSize, c.N)
	}
	if req.OldSize == 0 && len(req.Proof) > 0 {
		return nil, fmt.Errorf("%w: old size 0 with %d proof lines, want none", ErrMalformed, len(req.Proof))
	}
	logger := s.log.With("origin", c.Origin, "old", req.OldSize, "size", c.N)
	err = s.store.Advance(ctx, c.Origin, func(prev *State) (State, error) {
		if err := checkAdvance(prev, req, c); err != nil {
			return State{}, err
		}
		return State{Origin: c.Origin, Size: c.N, Root: c.Hash, Checkpoint: req.Checkpoint}, nil
	})
	if err != nil {
		if errors.Is(err, ErrSplitView) || errors.Is(err, ErrBadProof) {
			// Signed by the log, so possible evidence of misbehaviour.
			logger.WarnContext(ctx, "refused a log-signed checkpoint", "err", err, "checkpoint", string(req.Checkpoint))
		}
		return nil, err
	}
	cosig, err := s.cosign(n.Text)
	if err != nil {
		return nil, err
	}
	logger.InfoContext(ctx, "cosigned", "root", c.Hash.String())
	return cosig, nil
}

// openCheckpoint checks the checkpoint's origin and log signature.
func (s *Server) openCheckpoint(signed []byte) (*note.Note, torchwood.Checkpoint, error) {
	if _, err := noteText(signed); err != nil {
		return nil, torchwood.Checkpoint{}, fmt.Errorf("%w: checkpoint: %w", ErrMalformed, err)
	}
	origin, _, _ := bytes.Cut(signed, []byte("\n"))
	v, ok := s.logs[string(origin)]
	if !ok {
		return nil, torchwood.Checkpoint{}, fmt.Errorf("%w: origin %q", ErrUnknownLog, clip(string(origin)))
	}
	n, err := note.Open(signed, note.VerifierList(v))
	var unverified *note.UnverifiedNoteError
	var invalid *note.InvalidSignatureError
	switch {
	case errors.As(err, &unverified):
		return nil, torchwood.Checkpoint{}, fmt.Errorf("%w: log %q: no signature by key %s+%08x", ErrNotSigned, origin, v.Name(), v.KeyHash())
	case errors.As(err, &invalid):
		return nil, torchwood.Checkpoint{}, fmt.Errorf("%w: log %q: invalid signature by key %s+%08x", ErrNotSigned, origin, v.Name(), v.KeyHash())
	case err != nil:
		return nil, torchwood.Checkpoint{}, fmt.Errorf("%w: log %q: checkpoint note: %w", ErrMalformed, origin, err)
	}
	c, err := torchwood.ParseCheckpoint(n.Text)
	if err != nil {
		return nil, torchwood.Checkpoint{}, fmt.Errorf("%w: log %q: checkpoint body: %w", ErrMalformed, origin, err)
	}
	return n, c, nil
}

// checkAdvance is the witness's rule: cosign c only if it extends the
// latest cosigned checkpoint prev (nil if none) as the request claims.
func checkAdvance(prev *State, req AddCheckpoint, c torchwood.Checkpoint) error {
	var size int64
	if prev != nil {
		size = prev.Size
	}
	if req.OldSize != size {
		return &ConflictError{Origin: c.Origin, OldSize: req.OldSize, Size: size}
	}
	if prev != nil && c.N == prev.Size && c.Hash != prev.Root {
		return &SplitViewError{Origin: c.Origin, Size: c.N, RootA: prev.Root, RootB: c.Hash,
			SignersA: []string{"log", "this witness"}, SignersB: []string{"log"}}
	}
	if prev == nil || req.OldSize == 0 {
		return nil // any tree extends the empty tree
	}
	if err := tlog.CheckTree(req.Proof, c.N, c.Hash, prev.Size, prev.Root); err != nil {
		return fmt.Errorf("%w: log %q from size %d (root %s) to %d (root %s): %w", ErrBadProof, c.Origin, prev.Size, prev.Root, c.N, c.Hash, err)
	}
	return nil
}

// cosign returns the witness's cosignature line on the checkpoint text.
func (s *Server) cosign(text string) ([]byte, error) {
	signed, err := note.Sign(&note.Note{Text: text}, s.signer)
	if err != nil {
		return nil, fmt.Errorf("witness: cosign: %w", err)
	}
	return signed[len(text)+1:], nil
}

// parseSize parses a text/x.tlog.size body.
func parseSize(body []byte) (int64, error) {
	text, ok := strings.CutSuffix(string(body), "\n")
	n, err := strconv.ParseInt(text, 10, 64)
	if !ok || err != nil || n < 0 || strconv.FormatInt(n, 10) != text {
		return 0, fmt.Errorf("bad tree size %q", clip(string(body)))
	}
	return n, nil
}
