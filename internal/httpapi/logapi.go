package httpapi

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"truce"
	"truce/internal/cosign"
	"truce/internal/ledger"
)

// Proof is an inclusion or consistency proof: RFC 6962 hashes, base64.
// Index is set (0 included) in an inclusion proof only; OldSize (at
// least 1) in a consistency proof only.
type Proof struct {
	Index   *int64   `json:"index,omitempty"`
	OldSize int64    `json:"old_size,omitempty"`
	Size    int64    `json:"size"`
	Hashes  []string `json:"hashes"`
}

func proofOut(hs [][32]byte) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}

// The inputs and outputs of the log operations.
type (
	textOut struct {
		ContentType string `header:"Content-Type"`
		Body        []byte
	}
	recordIn struct {
		Index int64 `path:"index" minimum:"0"`
	}
	inclusionIn struct {
		Index int64 `query:"index" minimum:"0" required:"true"`
		Size  int64 `query:"size" minimum:"1" required:"true" doc:"the tree size of the checkpoint to prove against"`
	}
	consistencyIn struct {
		Old  int64 `query:"old" minimum:"1" required:"true"`
		Size int64 `query:"size" minimum:"1" required:"true"`
	}
	proofBody struct{ Body Proof }
)

// logKey serves log-key.
func (s *Server) logKey(ctx context.Context, _ truce.Principal, _ *struct{}) (*textOut, error) {
	_, vk, err := s.store.LogKey(ctx)
	if err != nil {
		return nil, err
	}
	return &textOut{ContentType: "text/plain; charset=utf-8", Body: []byte(vk + "\n")}, nil
}

// logCheckpoint serves log-checkpoint: the newest checkpoint with the
// cosignatures the witnesses have returned for it so far.
func (s *Server) logCheckpoint(ctx context.Context, _ truce.Principal, _ *struct{}) (*textOut, error) {
	b, err := cosign.Latest(ctx, s.store)
	if err != nil {
		return nil, err
	}
	return &textOut{ContentType: "text/plain; charset=utf-8", Body: b}, nil
}

// logFinalCheckpoint serves log-final-checkpoint: the newest checkpoint
// that meets the current agreement's witness policy, with the
// cosignatures of the policy's witnesses.
func (s *Server) logFinalCheckpoint(ctx context.Context, _ truce.Principal, _ *struct{}) (*textOut, error) {
	p, err := s.WitnessPolicy(ctx)
	if err != nil {
		return nil, err
	}
	b, err := cosign.Final(ctx, s.store, p)
	if err != nil {
		return nil, err
	}
	return &textOut{ContentType: "text/plain; charset=utf-8", Body: b}, nil
}

// WitnessPolicy returns the current agreement's witness policy: nil when
// no agreement is stored or it names no witnesses.
func (s *Server) WitnessPolicy(ctx context.Context) (*truce.WitnessPolicy, error) {
	_, a, err := s.currentAgreement(ctx)
	if truce.ErrorCode(err) == truce.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return a.Witnesses, nil
}

// logRecord serves log-record.
func (s *Server) logRecord(ctx context.Context, p truce.Principal, in *recordIn) (*textOut, error) {
	b, err := s.store.LogRecord(ctx, in.Index)
	if err != nil {
		return nil, err
	}
	if err := s.canReadRecord(ctx, p, b); err != nil {
		return nil, err
	}
	return &textOut{ContentType: "application/json", Body: b}, nil
}

// notIntegrated answers a proof asked for at a tree size that is
// sequenced but not yet integrated with 425 Too Early and Retry-After: the
// integrator signs a checkpoint that covers it within tens of
// milliseconds of the write, and GET checkpoint then returns it.
func notIntegrated(err error) error {
	if !errors.Is(err, ledger.ErrNotIntegrated) {
		return err
	}
	return huma.ErrorWithHeaders(huma.NewError(http.StatusTooEarly,
		"that tree size is sequenced but not yet integrated into a signed checkpoint: retry, or fetch the latest checkpoint first"),
		http.Header{"Retry-After": {"1"}})
}

// inclusionProof serves log-inclusion-proof.
func (s *Server) inclusionProof(ctx context.Context, _ truce.Principal, in *inclusionIn) (*proofBody, error) {
	hs, err := s.store.ProveRecord(ctx, in.Size, in.Index)
	if err != nil {
		return nil, notIntegrated(err)
	}
	return &proofBody{Body: Proof{Index: &in.Index, Size: in.Size, Hashes: proofOut(hs)}}, nil
}

// consistencyProof serves log-consistency-proof.
func (s *Server) consistencyProof(ctx context.Context, _ truce.Principal, in *consistencyIn) (*proofBody, error) {
	hs, err := s.store.ProveTree(ctx, in.Size, in.Old)
	if err != nil {
		return nil, notIntegrated(err)
	}
	return &proofBody{Body: Proof{OldSize: in.Old, Size: in.Size, Hashes: proofOut(hs)}}, nil
}

// canReadRecord hides records about incidents p may not read.
func (s *Server) canReadRecord(ctx context.Context, p truce.Principal, data []byte) error {
	if p.Role == truce.RoleAdmin || p.Role == truce.RoleMonitor {
		return nil
	}
	rec, err := ledger.DecodeRecord(data)
	if err != nil {
		return err
	}
	var inc truce.IncidentID
	switch rec.Kind {
	case ledger.KindReport, ledger.KindJudgement:
		if inc, err = s.store.IncidentOf(ctx, truce.ReportID(rec.Subject)); err != nil {
			return truce.Errorf(truce.EFORBIDDEN, "this record is about a report you may not read")
		}
	case ledger.KindEvent:
		inc = truce.IncidentID(rec.Subject)
	case ledger.KindObservation, ledger.KindObservationPublished, ledger.KindRestriction, ledger.KindRestrictionPublished:
		return s.canReadFieldRecord(ctx, p, rec)
	default:
		return nil
	}
	in, err := s.store.Incident(ctx, inc)
	if err != nil || !canSee(p, in) {
		return truce.Errorf(truce.EFORBIDDEN, "this record is about an incident you may not read; its hash is in the tree, and proofs work without it")
	}
	return nil
}

// canReadFieldRecord hides the records of observations and restrictions p
// may not read (truce.CanReadField).
func (s *Server) canReadFieldRecord(ctx context.Context, p truce.Principal, rec *ledger.Record) error {
	var party truce.PartyID
	var published bool
	if rec.Kind == ledger.KindObservation || rec.Kind == ledger.KindObservationPublished {
		o, err := s.store.Observation(ctx, truce.ObservationID(rec.Subject))
		if err != nil {
			return truce.Errorf(truce.EFORBIDDEN, "this record is about an observation you may not read")
		}
		party, published = o.Party, o.Published
	} else {
		r, err := s.store.Restriction(ctx, truce.RestrictionID(rec.Subject))
		if err != nil {
			return truce.Errorf(truce.EFORBIDDEN, "this record is about a restriction you may not read")
		}
		party, published = r.Party, r.Published
	}
	if !truce.CanReadField(p, party, published) {
		return truce.Errorf(truce.EFORBIDDEN, "this record is about a record you may not read; its hash is in the tree, and proofs work without it")
	}
	return nil
}
