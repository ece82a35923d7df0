package witness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// A ProofFunc returns the RFC 6962 consistency proof from the log's tree of
// size oldSize to its tree of size newSize (0 < oldSize < newSize).
type ProofFunc func(ctx context.Context, oldSize, newSize int64) ([]tlog.Hash, error)

// A Witness is one witness in a policy: a name for messages, its
// cosignature verifier key, and the submission prefix of its HTTP API
// (add-checkpoint is at URL + "/add-checkpoint"). URL may be empty for a
// witness that is only verified, never asked.
type Witness struct {
	Name        string
	VerifierKey string
	URL         string
}

// A Client submits one log's checkpoints to one witness. It remembers, per
// origin, the size the witness last cosigned, starting from 0. It is safe
// for concurrent use.
type Client struct {
	w        Witness
	verifier *torchwood.CosignatureVerifier
	proof    ProofFunc
	hc       *http.Client

	mu    sync.Mutex
	sizes map[string]int64
}

// NewClient returns a client for witness w that gets consistency proofs
// from proof. hc nil means a client with a 30-second timeout.
func NewClient(w Witness, proof ProofFunc, hc *http.Client) (*Client, error) {
	v, err := newCosignatureVerifier(w.VerifierKey)
	if err != nil {
		return nil, fmt.Errorf("witness %s: %w", w.Name, err)
	}
	if w.URL == "" {
		return nil, fmt.Errorf("witness %s: no URL", w.Name)
	}
	if proof == nil {
		return nil, fmt.Errorf("witness %s: no consistency proof function", w.Name)
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{w: w, verifier: v, proof: proof, hc: hc, sizes: map[string]int64{}}, nil
}

// AddCheckpoint submits the log's signed checkpoint to the witness and
// returns the witness's cosignature line(s), checked against its verifier
// key: append them to the checkpoint with MergeCosignatures. If the witness
// answers 409 with the size it cosigned last, AddCheckpoint retries once
// from that size. Errors wrap the sentinels of the witness's answer:
// ErrConflict (a *ConflictError), ErrSplitView, ErrBadProof, ErrNotSigned,
// ErrUnknownLog, ErrMalformed, ErrTooLarge.
func (c *Client) AddCheckpoint(ctx context.Context, signedCheckpoint []byte) ([]byte, error) {
	text, err := noteText(signedCheckpoint)
	if err != nil {
		return nil, fmt.Errorf("witness %s: %w", c.w.Name, err)
	}
	cp, err := torchwood.ParseCheckpoint(text)
	if err != nil {
		return nil, fmt.Errorf("witness %s: checkpoint: %w", c.w.Name, err)
	}
	c.mu.Lock()
	old := c.sizes[cp.Origin]
	c.mu.Unlock()
	cosig, err := c.submit(ctx, cp, old, signedCheckpoint)
	var conflict *ConflictError
	if errors.As(err, &conflict) && conflict.Size <= cp.N {
		cosig, err = c.submit(ctx, cp, conflict.Size, signedCheckpoint)
	}
	if err != nil {
		if errors.As(err, &conflict) {
			c.setSize(cp.Origin, conflict.Size)
		}
		return nil, err
	}
	cosig, err = c.checkCosignature(text, cosig)
	if err != nil {
		return nil, err
	}
	c.setSize(cp.Origin, cp.N)
	return cosig, nil
}

func (c *Client) setSize(origin string, size int64) {
	c.mu.Lock()
	c.sizes[origin] = size
	c.mu.Unlock()
}

// submit makes one add-checkpoint request from old.
func (c *Client) submit(ctx context.Context, cp torchwood.Checkpoint, old int64, signed []byte) ([]byte, error) {
	req := AddCheckpoint{OldSize: old, Checkpoint: signed}
	if old > 0 && old < cp.N {
		p, err := c.proof(ctx, old, cp.N)
		if err != nil {
			return nil, fmt.Errorf("witness %s: consistency proof %d to %d: %w", c.w.Name, old, cp.N, err)
		}
		req.Proof = p
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(c.w.URL, "/")+"/add-checkpoint", bytes.NewReader(req.Bytes()))
	if err != nil {
		return nil, fmt.Errorf("witness %s: %w", c.w.Name, err)
	}
	resp, err := c.hc.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("witness %s: %w", c.w.Name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("witness %s: read response: %w", c.w.Name, err)
	}
	if resp.StatusCode == http.StatusOK {
		return body, nil
	}
	return nil, c.responseError(resp, body, cp.Origin, old)
}

// responseError turns a witness's error response into the package's error.
func (c *Client) responseError(resp *http.Response, body []byte, origin string, old int64) error {
	if resp.StatusCode == http.StatusConflict && resp.Header.Get("Content-Type") == "text/x.tlog.size" {
		size, err := parseSize(body)
		if err != nil {
			return fmt.Errorf("witness %s: 409 response: %w", c.w.Name, err)
		}
		return fmt.Errorf("witness %s: %w", c.w.Name, &ConflictError{Origin: origin, OldSize: old, Size: size})
	}
	msg := strings.TrimSpace(clip(string(body)))
	for _, m := range statusOf {
		if m.status == resp.StatusCode {
			return fmt.Errorf("witness %s: %w (%s: %q)", c.w.Name, m.err, resp.Status, msg)
		}
	}
	return fmt.Errorf("witness %s: unexpected response %s: %q", c.w.Name, resp.Status, msg)
}

// checkCosignature returns the lines of cosig that are valid cosignatures
// by this witness on the checkpoint text. Lines by other keys are dropped
// (C2SP: clients ignore cosignatures from unknown keys); an invalid
// signature by this witness's key, or none at all, is an error.
func (c *Client) checkCosignature(text string, cosig []byte) ([]byte, error) {
	n, err := note.Open(append([]byte(text+"\n"), cosig...), note.VerifierList(c.verifier))
	if err != nil {
		return nil, fmt.Errorf("witness %s: cosignature does not verify with %s+%08x: %w", c.w.Name, c.verifier.Name(), c.verifier.KeyHash(), err)
	}
	var out []byte
	for _, sig := range n.Sigs {
		out = append(out, "— "+sig.Name+" "+sig.Base64+"\n"...)
	}
	return out, nil
}

// noteText returns the text of a signed note (everything before the blank
// line that precedes the signatures).
func noteText(signed []byte) (string, error) {
	i := bytes.LastIndex(signed, []byte("\n\n"))
	if i < 0 {
		return "", errors.New("malformed note: no signatures")
	}
	return string(signed[:i+1]), nil
}
