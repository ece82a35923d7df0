package ledger

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	"truce"
)

func (v *rowVerifier) reportRows(ctx context.Context, src RowSource) error {
	return src.Reports(ctx, func(row *ReportRow) error {
		r := row.Report
		what := "report " + string(r.ID)
		rec, err := v.record(row.LogIndex, row.Record, KindReport, string(r.ID))
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		var logged ReportBody
		if err := json.Unmarshal(rec.Body, &logged); err != nil {
			return diverged("%s does not match log record %d", what, row.LogIndex)
		}
		mine, err := ReportRecord(truce.System, rec.At, r, truce.PutOptions{SubmittedBy: row.SubmittedBy, Published: logged.Published})
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if !bytes.Equal(mine.Body, rec.Body) {
			return diverged("%s does not match log record %d", what, row.LogIndex)
		}
		if !sameTime(row.CreatedAt, rec.At) {
			return diverged("%s: its creation time does not match log record %d", what, row.LogIndex)
		}
		if want := v.st.ReportOf[r.ID]; want != row.Incident {
			return diverged("%s: it belongs to incident %s, but the log puts it in %s", what, row.Incident, want)
		}
		v.use(row.LogIndex)
		v.reports[r.ID] = &figReport{ReportFigures: ReportFigures{Report: r.ID, Start: r.Start, Location: r.Location}, incident: row.Incident}
		v.rc.Reports++
		return nil
	})
}

func (v *rowVerifier) agreementRows(ctx context.Context, src RowSource) error {
	return src.Agreements(ctx, func(row *AgreementRow) error {
		a := row.Version
		what := fmt.Sprintf("agreement %s version %d", a.ID, a.Version)
		rec, err := v.record(a.LogIndex, row.Record, KindAgreement, fmt.Sprintf("%s@%d", a.ID, a.Version))
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if sum := sha256.Sum256(a.Bundle); hex.EncodeToString(sum[:]) != a.SHA256 {
			return diverged("%s: its bundle does not match its SHA-256", what)
		}
		mine, err := AgreementRecord(truce.System, rec.At, a)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if !bytes.Equal(mine.Body, rec.Body) {
			return diverged("%s does not match log record %d", what, a.LogIndex)
		}
		if !sameTime(a.CreatedAt, rec.At) {
			return diverged("%s: its creation time does not match log record %d", what, a.LogIndex)
		}
		v.use(a.LogIndex)
		v.rc.Agreements++
		return nil
	})
}

// evidenceRows checks each item's bytes against its SHA-256; eventRows
// then checks the rest against its event's record.
func (v *rowVerifier) evidenceRows(ctx context.Context, src RowSource) error {
	return src.Evidence(ctx, func(row *EvidenceRow) error {
		ev := row.Evidence
		if sum := sha256.Sum256(row.Content); hex.EncodeToString(sum[:]) != ev.SHA256 || int64(len(row.Content)) != ev.Size {
			return diverged("evidence %s of incident %s: its bytes do not match its SHA-256", ev.ID, ev.Incident)
		}
		v.evidence[evidenceKey{ev.Incident, ev.ID}] = &evidenceSeen{ev: *ev, logIndex: row.LogIndex}
		v.rc.Evidence++
		return nil
	})
}

func (v *rowVerifier) eventRows(ctx context.Context, src RowSource) error {
	err := src.Events(ctx, func(row *EventRow) error {
		e := row.Event
		what := fmt.Sprintf("event %d of incident %s", e.ID, e.Incident)
		if e.Kind == truce.EventCreated {
			return v.createdEvent(e, row.Record)
		}
		rec, err := v.record(e.LogIndex, row.Record, KindEvent, string(e.Incident))
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if e.LogIndex < int64(len(v.used)) && v.used[e.LogIndex] {
			return diverged("%s: another event names log record %d too", what, e.LogIndex)
		}
		var ev *truce.Evidence
		if e.Kind == truce.EventEvidence {
			seen := v.evidence[evidenceKey{e.Incident, e.Evidence}]
			if seen == nil {
				return diverged("evidence %s of incident %s is missing", e.Evidence, e.Incident)
			}
			if seen.logIndex != e.LogIndex || seen.ev.AddedBy != rec.Actor || !sameTime(seen.ev.At, rec.At) {
				return diverged("evidence %s of incident %s: its log index, uploader or time do not match log record %d", e.Evidence, e.Incident, e.LogIndex)
			}
			seen.used = true
			ev = &seen.ev
		}
		if e.Actor != rec.Actor || !sameTime(e.At, rec.At) {
			return diverged("%s: its actor or time do not match log record %d", what, e.LogIndex)
		}
		logged := *e
		logged.At = rec.At
		mine, err := EventRecord(truce.System, &logged, ev)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if !bytes.Equal(mine.Body, rec.Body) {
			return diverged("%s does not match log record %d", what, e.LogIndex)
		}
		v.use(e.LogIndex)
		v.rc.Events++
		return nil
	})
	if err != nil {
		return err
	}
	var unused []evidenceKey
	for k, seen := range v.evidence {
		if !seen.used {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		k := slices.MinFunc(unused, func(a, b evidenceKey) int {
			return cmp.Or(cmp.Compare(a.incident, b.incident), cmp.Compare(a.id, b.id))
		})
		return diverged("evidence %s of incident %s has no evidence event in the log", k.id, k.incident)
	}
	if len(v.created) != len(v.st.ReportOf) {
		for _, id := range sortedKeys(v.st.ReportOf) {
			if !v.created[truce.IncidentID(id)] {
				return diverged("incident %s: its created event is missing", id)
			}
		}
	}
	return nil
}

// createdEvent checks an incident's "created" event, whose record is the
// report record that opened it.
func (v *rowVerifier) createdEvent(e *truce.Event, data []byte) error {
	what := fmt.Sprintf("event %d of incident %s", e.ID, e.Incident)
	rec, err := v.record(e.LogIndex, data, KindReport, string(e.Incident))
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if e.From != "" || e.To != truce.StatusReported || e.Reason != "" || e.Party != "" || e.Response != "" || e.Evidence != "" || e.Other != "" ||
		e.Actor != rec.Actor || !sameTime(e.At, rec.At) {
		return diverged("%s does not match log record %d", what, e.LogIndex)
	}
	if v.created[e.Incident] {
		return diverged("%s: the incident has another created event", what)
	}
	v.created[e.Incident] = true
	return nil
}

func (v *rowVerifier) judgementRows(ctx context.Context, src RowSource) error {
	cur := v.st.Current
	return src.Judgements(ctx, func(row *JudgementRow) error {
		what := fmt.Sprintf("judgement of report %s under %s version %d", row.Report, row.Agreement, row.Version)
		rec, err := v.record(row.LogIndex, row.Record, KindJudgement, string(row.Report))
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		var logged JudgementBody
		if err := json.Unmarshal(rec.Body, &logged); err != nil {
			return diverged("%s does not match log record %d", what, row.LogIndex)
		}
		sum := sha256.Sum256(row.Detail)
		if logged.Outcome != row.Outcome.String() || logged.Explanation != row.Explanation || logged.DetailSHA256 != hex.EncodeToString(sum[:]) ||
			row.Judgement == nil {
			return diverged("%s does not match log record %d", what, row.LogIndex)
		}
		// A row points at the record of its judgement, or at an earlier
		// record of the same report with the same content; never at one
		// older than a record of its own version.
		if later, ok := v.st.judged[judgedKey{row.Report, row.Agreement, row.Version}]; ok && later > row.LogIndex {
			return diverged("%s: it points at log record %d, but log record %d judges the report later under that version", what, row.LogIndex, later)
		}
		phases := JudgementPhases(row.Judgement)
		if row.Judgement.Facts.Perpetrator != row.Perpetrator || !slices.Equal(phases, row.Phases) {
			return diverged("%s: its perpetrator or phases columns do not match its detail", what)
		}
		if row.Agreement == cur.Agreement && row.Version == cur.Version {
			if r := v.reports[row.Report]; r != nil {
				r.Outcome, r.Perpetrator, r.Phases, r.Explanation = row.Outcome, row.Perpetrator, phases, row.Explanation
			}
		}
		v.rc.Judgements++
		return nil
	})
}

// JudgementPhases lists the phases with a finding other than
// not_prohibited, in the order of their first such finding: what the
// stores keep in a judgement's phases column, for the filters and the
// incident figures.
func JudgementPhases(j *truce.Judgement) []truce.PhaseID {
	var ps []truce.PhaseID
	for _, f := range j.Findings {
		if f.Outcome != truce.OutcomeNotProhibited && !slices.Contains(ps, f.Phase) {
			ps = append(ps, f.Phase)
		}
	}
	return ps
}

func (v *rowVerifier) currentRow(ctx context.Context, src RowSource) error {
	id, version, ok, err := src.Current(ctx)
	if err != nil {
		return err
	}
	want := v.st.Current
	switch {
	case ok && (id != want.Agreement || version != want.Version):
		return diverged("settings: the current agreement is %s version %d, but the log makes %s version %d current (log record %d)",
			id, version, want.Agreement, want.Version, want.Index)
	case !ok && want.Explicit:
		return diverged("settings: no current agreement is stored, but log record %d makes %s version %d current", want.Index, want.Agreement, want.Version)
	}
	return nil
}

func (v *rowVerifier) siteRows(ctx context.Context, src RowSource) error {
	seen := map[truce.SiteID]bool{}
	err := src.Sites(ctx, func(s *truce.Site) error {
		what := "site " + string(s.ID)
		logged := v.st.Sites[s.ID]
		if logged == nil {
			return diverged("%s is not in the log: it was not stored through the store", what)
		}
		body, err := Canonical(siteBody(s))
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if !bytes.Equal(body, logged.Body) {
			return diverged("%s does not match log record %d", what, logged.Index)
		}
		seen[s.ID] = true
		v.rc.Sites++
		return nil
	})
	if err != nil {
		return err
	}
	if len(seen) != len(v.st.Sites) {
		for _, id := range sortedKeys(v.st.Sites) {
			if !seen[id] {
				return diverged("site %s is in log record %d but has no row: it was deleted", id, v.st.Sites[id].Index)
			}
		}
	}
	return nil
}

func (v *rowVerifier) tokenRows(ctx context.Context, src RowSource) error {
	seen := map[string]bool{}
	err := src.Tokens(ctx, func(t *truce.Token) error {
		what := "token " + t.ID
		logged := v.st.Tokens[t.ID]
		if logged == nil {
			return diverged("%s is not in the log: it was not created through the store", what)
		}
		if tokenBody(t) != logged.Body {
			return diverged("%s: its role, party, times, hash or name do not match log record %d", what, logged.Index)
		}
		revoked := ""
		if t.RevokedAt != nil {
			revoked = rfc3339(*t.RevokedAt)
		}
		if revoked != logged.Revoked {
			return diverged("%s: its revocation does not match the log", what)
		}
		seen[t.ID] = true
		v.rc.Tokens++
		return nil
	})
	if err != nil {
		return err
	}
	if len(seen) != len(v.st.Tokens) {
		for _, id := range sortedKeys(v.st.Tokens) {
			if !seen[id] {
				return diverged("token %s is in log record %d but has no row: it was deleted", id, v.st.Tokens[id].Index)
			}
		}
	}
	return nil
}
