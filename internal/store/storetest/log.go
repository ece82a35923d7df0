package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"truce"
	"truce/internal/ledger"
)

// records returns every log record.
func records(t *testing.T, e *env) [][]byte {
	t.Helper()
	n := logSize(t, e)
	out := make([][]byte, n)
	for i := range out {
		b, err := e.s.LogRecord(e.ctx, int64(i))
		must(t, err)
		out[i] = b
	}
	return out
}

// mth is the RFC 6962 Merkle tree hash of the leaves, computed from the
// definition (section 2.1) with transparency-dev/merkle's hasher: an
// oracle independent of tlog and of the store's stored hashes.
func mth(leaves [][]byte) []byte {
	h := rfc6962.DefaultHasher
	switch n := len(leaves); n {
	case 0:
		return h.EmptyRoot()
	case 1:
		return h.HashLeaf(leaves[0])
	default:
		k := 1
		for k<<1 < n {
			k <<= 1
		}
		return h.HashChildren(mth(leaves[:k]), mth(leaves[k:]))
	}
}

func proofBytes(p [][32]byte) [][]byte {
	out := make([][]byte, len(p))
	for i := range p {
		out[i] = p[i][:]
	}
	return out
}

func tlogProof(p [][32]byte) []tlog.Hash {
	out := make([]tlog.Hash, len(p))
	for i := range p {
		out[i] = p[i]
	}
	return out
}

// checkpoint integrates every record sequenced so far and returns the
// latest checkpoint, opened with the log's key.
func checkpoint(t *testing.T, e *env) ledger.Checkpoint {
	t.Helper()
	_, err := e.s.Integrate(e.ctx)
	must(t, err)
	return stored(t, e)
}

// stored returns the latest checkpoint as stored, without integrating,
// opened with the log's key.
func stored(t *testing.T, e *env) ledger.Checkpoint {
	t.Helper()
	_, vk, err := e.s.LogKey(e.ctx)
	must(t, err)
	signed, err := e.s.LatestCheckpoint(e.ctx)
	must(t, err)
	c, err := ledger.Open(vk, signed)
	must(t, err)
	return c
}

var logKeyCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		origin, vk, err := e.s.LogKey(e.ctx)
		must(t, err)
		if origin != Origin {
			t.Errorf("LogKey origin = %q, want the configured %q", origin, Origin)
		}
		v, err := note.NewVerifier(vk)
		must(t, err)
		if v.Name() != origin {
			t.Errorf("verifier key name %q, want the origin %q", v.Name(), origin)
		}
		// The key is stable: every write is signed with it.
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()[0])
		origin2, vk2, err := e.s.LogKey(e.ctx)
		must(t, err)
		if origin2 != origin || vk2 != vk {
			t.Errorf("LogKey changed after a write: %q %q", origin2, vk2)
		}
		if c := checkpoint(t, e); c.Origin != Origin {
			t.Errorf("checkpoint origin = %q, want %q", c.Origin, Origin)
		}
	}},
}

var logSizeCases = []tcase{
	{"Grows", func(t *testing.T, e *env) {
		rs := scenario()
		id := func(r truce.ReportID) truce.IncidentID { return truce.IncidentID(r) }
		tok := truce.Token{ID: "tok_obs", Hash: hashOf("x"), Role: truce.RoleObserver, CreatedAt: T0}
		steps := []struct {
			name  string
			delta int64
			do    func() error
		}{
			{"PutSites", 2, func() error { _, err := e.s.PutSites(e.ctx, sites()); return err }},
			{"CreateToken", 1, func() error { return e.s.CreateToken(e.ctx, &tok) }},
			{"PutReports", 3, func() error { _, err := e.s.PutReports(e.ctx, truce.System, rs[:3], truce.PutOptions{}); return err }},
			{"PutReports again", 0, func() error { _, err := e.s.PutReports(e.ctx, truce.System, rs[:3], truce.PutOptions{}); return err }},
			{"PutReports more", 4, func() error { _, err := e.s.PutReports(e.ctx, truce.System, rs, truce.PutOptions{}); return err }},
			{"PutAgreement", 1, func() error { _, _, err := e.s.PutAgreement(e.ctx, admin, agreementID, bundleV1); return err }},
			{"PutAgreement same", 0, func() error { _, _, err := e.s.PutAgreement(e.ctx, admin, agreementID, bundleV1); return err }},
			{"PutJudgements", 2, func() error {
				_, err := e.s.PutJudgements(e.ctx, truce.System, agreementID, 1, []truce.Judgement{
					judgement(rKherson, truce.OutcomeViolation, "RU", "x", "energy"), judgement(rSudzha, truce.OutcomeDisputed, "UA", "y", "energy")})
				return err
			}},
			{"PutJudgements same", 0, func() error {
				_, err := e.s.PutJudgements(e.ctx, truce.System, agreementID, 1, []truce.Judgement{judgement(rKherson, truce.OutcomeViolation, "RU", "x", "energy")})
				return err
			}},
			{"ChangeStatus", 1, func() error {
				_, err := e.s.ChangeStatus(e.ctx, monitor, id(rKherson), truce.StatusUnderReview, "")
				return err
			}},
			{"ChangeStatus final, publishing", 2, func() error {
				_, err := e.s.ChangeStatus(e.ctx, monitor, id(rKherson), truce.StatusVerified, "")
				return err
			}},
			{"AddNote", 1, func() error { _, err := e.s.AddNote(e.ctx, monitor, id(rKherson), "n"); return err }},
			{"Respond", 1, func() error {
				_, err := e.s.Respond(e.ctx, partyRU, id(rKherson), truce.ResponseDenial, "r")
				return err
			}},
			{"AddEvidence on a verified incident", 2, func() error {
				_, err := e.s.AddEvidence(e.ctx, monitor, id(rKherson), &truce.Evidence{MediaType: "text/plain"}, []byte("e1"))
				return err
			}},
			{"AddEvidence", 1, func() error {
				_, err := e.s.AddEvidence(e.ctx, monitor, id(rKherson), &truce.Evidence{MediaType: "text/plain"}, []byte("e2"))
				return err
			}},
			{"Publish", 1, func() error { _, err := e.s.Publish(e.ctx, monitor, id(rSudzha)); return err }},
			{"Merge", 2, func() error { _, err := e.s.Merge(e.ctx, monitor, id(rSloviansk), id(rVysokoivanivka), ""); return err }},
			{"Split", 2, func() error { _, err := e.s.Split(e.ctx, monitor, rVysokoivanivka, ""); return err }},
			{"RevokeToken", 1, func() error { return e.s.RevokeToken(e.ctx, tok.ID, T0) }},
		}
		for _, st := range steps {
			before := logSize(t, e)
			e.clock.Advance(time.Second)
			if err := st.do(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			after := logSize(t, e)
			if after-before != st.delta {
				t.Errorf("%s: LogSize grew by %d, want %d", st.name, after-before, st.delta)
			}
			if after > 0 {
				// The latest checkpoint covers every acknowledged write.
				if c := checkpoint(t, e); c.Size != after {
					t.Errorf("%s: latest checkpoint has size %d, want %d", st.name, c.Size, after)
				}
			}
		}
		rep, _ := mustVerify(t, e)
		if rep.Unsigned != 0 {
			t.Errorf("%d unsigned records", rep.Unsigned)
		}
	}},
	{"Concurrent", func(t *testing.T, e *env) {
		// Writers on several connections: appends must be serialised so
		// that the tree never forks and every record gets one index.
		rs := scenario()
		mustPutReports(t, e, truce.System, truce.PutOptions{}, rs...)
		const writers, notes = 6, 5
		var wg sync.WaitGroup
		errs := make(chan error, writers*(notes+1))
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := truce.IncidentID(rs[w].ID)
				for i := range notes {
					if _, err := e.s.AddNote(e.ctx, monitor, id, fmt.Sprintf("note %d", i)); err != nil {
						errs <- err
					}
				}
				r := *rs[w]
				r.ID = truce.ReportID(fmt.Sprintf("concurrent:%d", w))
				if _, err := e.s.PutReports(e.ctx, truce.System, []*truce.Report{&r}, truce.PutOptions{}); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		want := int64(len(rs) + writers*(notes+1))
		if got := logSize(t, e); got != want {
			t.Errorf("LogSize = %d, want %d", got, want)
		}
		rep, rc := mustVerify(t, e)
		if rep.Records != want || rep.Unsigned != 0 || rc.Events != writers*notes {
			t.Errorf("verify: %d records (%d unsigned), %d events; want %d, 0, %d", rep.Records, rep.Unsigned, rc.Events, want, writers*notes)
		}
		// Every note has its own record.
		seen := map[int64]bool{}
		for w := range writers {
			evs, err := e.s.Events(e.ctx, truce.IncidentID(rs[w].ID))
			must(t, err)
			for _, ev := range evs {
				if seen[ev.LogIndex] {
					t.Errorf("log index %d used twice", ev.LogIndex)
				}
				seen[ev.LogIndex] = true
			}
		}
	}},
}

// sequenceRecord stores record n-1's bytes again as record n, as a write
// that committed just before the process died would have: sequenced, not
// integrated. It returns n.
func sequenceRecord(t *testing.T, e *env) int64 {
	t.Helper()
	n := logSize(t, e)
	data, err := e.s.LogRecord(e.ctx, n-1)
	must(t, err)
	e.exec(t, `INSERT INTO log_records (idx, data) VALUES ($1, $2)`, n, data)
	return n
}

// sequencedCases check the sequenced log: a record is durable and has its
// index at once, its proofs wait for integration, which Integrate (the
// background integrator's) and LogSource perform; reading the checkpoint
// does not.
var sequencedCases = []tcase{
	{"ProofWaitsForIntegration", func(t *testing.T, e *env) {
		populate(t, e)
		checkpoint(t, e)
		// The background integrator started by populate's writes may
		// still be waiting to run: if it integrates the record sequenced
		// here (a raw insert starts none), sequence another.
		var n int64
		for attempt := 1; ; attempt++ {
			n = sequenceRecord(t, e)
			if got := logSize(t, e); got != n+1 {
				t.Fatalf("LogSize = %d, want %d", got, n+1)
			}
			_, err := e.s.ProveRecord(e.ctx, n+1, n)
			// Reading the checkpoint does not integrate: it covers the
			// integrated records only, and never waits for the log lock.
			c := stored(t, e)
			if errors.Is(err, ledger.ErrNotIntegrated) && c.Size == n {
				break
			}
			if c.Size > n && attempt < 5 {
				continue // integrated in the background meanwhile
			}
			t.Fatalf("ProveRecord of a record not integrated = %v (checkpoint size %d), want ErrNotIntegrated at size %d", err, c.Size, n)
		}
		if _, err := e.s.ProveRecord(e.ctx, n, 0); err != nil {
			t.Errorf("ProveRecord in the integrated tree: %v", err)
		}
		recs := records(t, e)
		if c := checkpoint(t, e); c.Size != n+1 || !bytes.Equal(c.Hash[:], mth(recs)) {
			t.Errorf("checkpoint %+v, want size %d, root %x", c, n+1, mth(recs))
		}
		p, err := e.s.ProveRecord(e.ctx, n+1, n)
		must(t, err)
		if err := ledger.VerifyInclusion(recs[n], n, tlogProof(p), checkpoint(t, e)); err != nil {
			t.Error(err)
		}
	}},
	{"VerifyIntegrates", func(t *testing.T, e *env) {
		populate(t, e)
		n := sequenceRecord(t, e)
		// The log only: record n has no row, which VerifyRows reports.
		_, vk, err := e.s.LogKey(e.ctx)
		must(t, err)
		src, done, err := e.s.LogSource(e.ctx)
		must(t, err)
		defer done()
		rep, err := ledger.Verify(e.ctx, src, vk)
		must(t, err)
		if rep.Records != n+1 || rep.Latest.Size != n+1 || rep.Unsigned != 0 {
			t.Errorf("verify after a crash before integration: %+v, want %d records, all signed", rep, n+1)
		}
	}},
	{"ConcurrentIntegrations", func(t *testing.T, e *env) {
		// Integrations that overlap (the background one, LogSource's,
		// another server's) each end with the log integrated at least to
		// the size they saw, and the tree and checkpoints stay one.
		populate(t, e)
		for round := range 4 {
			for range 3 + round {
				sequenceRecord(t, e)
			}
			n := logSize(t, e)
			errs := make(chan error, 6)
			for range cap(errs) {
				go func() {
					size, err := e.s.Integrate(e.ctx)
					if err == nil && size < n {
						err = fmt.Errorf("integrated size %d, want at least %d", size, n)
					}
					errs <- err
				}()
			}
			for range cap(errs) {
				if err := <-errs; err != nil {
					t.Fatalf("round %d: concurrent Integrate: %v", round, err)
				}
			}
			if c := stored(t, e); c.Size != n {
				t.Fatalf("round %d: checkpoint of size %d, want %d", round, c.Size, n)
			}
		}
		_, vk, err := e.s.LogKey(e.ctx)
		must(t, err)
		src, done, err := e.s.LogSource(e.ctx)
		must(t, err)
		defer done()
		if _, err := ledger.Verify(e.ctx, src, vk); err != nil {
			t.Errorf("verify after concurrent integrations: %v", err)
		}
	}},
	{"BadRecordStopsIntegration", func(t *testing.T, e *env) {
		// A record altered before it is integrated is never signed.
		populate(t, e)
		checkpoint(t, e)
		n := logSize(t, e)
		e.exec(t, `INSERT INTO log_records (idx, data) VALUES ($1, $2)`, n, []byte(`{"v":1}`))
		_, err := e.s.Integrate(e.ctx)
		if !errors.Is(err, ledger.ErrLedgerDiverged) || !contains(err.Error(), "record "+itoa(n)) {
			t.Errorf("Integrate over a bad record = %v, want ErrLedgerDiverged naming record %d", err, n)
		}
		// The checkpoint read serves the last one signed, before it.
		if c := stored(t, e); c.Size != n {
			t.Errorf("checkpoint after a failed integration has size %d, want %d", c.Size, n)
		}
	}},
}

var logRecordCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		populate(t, e)
		for i, data := range records(t, e) {
			if _, err := ledger.DecodeRecord(data); err != nil {
				t.Errorf("record %d: %v", i, err)
			}
		}
	}},
	{"NotFound", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		for _, i := range []int64{7, 100, -1} {
			_, err := e.s.LogRecord(e.ctx, i)
			if truce.ErrorCode(err) != truce.ENOTFOUND {
				t.Errorf("LogRecord(%d) = %v, want ENOTFOUND", i, err)
			}
		}
	}},
}

var latestCheckpointCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		populate(t, e)
		recs := records(t, e)
		c := checkpoint(t, e)
		if c.Size != int64(len(recs)) || !bytes.Equal(c.Hash[:], mth(recs)) || c.Origin != Origin {
			t.Errorf("checkpoint %+v, want size %d, root %x, origin %s", c, len(recs), mth(recs), Origin)
		}
		// Signed by the log's key only.
		_, otherVK, err := ledger.GenerateKey(Origin)
		must(t, err)
		signed, err := e.s.LatestCheckpoint(e.ctx)
		must(t, err)
		if _, err := ledger.Open(otherVK, signed); err == nil {
			t.Error("checkpoint opens with another key")
		}
	}},
	{"Empty", func(t *testing.T, e *env) {
		_, err := e.s.LatestCheckpoint(e.ctx)
		wantCode(t, err, truce.ENOTFOUND)
	}},
}

// proveRecordCases include the sequenced log's (sequencedCases).
var proveRecordCases = append([]tcase{
	{"OK", func(t *testing.T, e *env) {
		populate(t, e)
		checkpoint(t, e) // integrates every record
		recs := records(t, e)
		n := int64(len(recs))
		for size := int64(1); size <= n; size++ {
			root := mth(recs[:size])
			for i := int64(0); i < size; i++ {
				if size != n && i%3 != 0 && i != size-1 {
					continue // every record in the full tree, a sample in the others
				}
				p, err := e.s.ProveRecord(e.ctx, size, i)
				must(t, err)
				if err := tlog.CheckRecord(tlogProof(p), size, tlog.Hash(root), i, tlog.RecordHash(recs[i])); err != nil {
					t.Errorf("tlog.CheckRecord(size %d, record %d): %v", size, i, err)
				}
				leaf := rfc6962.DefaultHasher.HashLeaf(recs[i])
				if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(i), uint64(size), leaf, proofBytes(p), root); err != nil {
					t.Errorf("merkle VerifyInclusion(size %d, record %d): %v", size, i, err)
				}
			}
		}
		// Against the signed checkpoint.
		c := checkpoint(t, e)
		p, err := e.s.ProveRecord(e.ctx, c.Size, 3)
		must(t, err)
		if err := ledger.VerifyInclusion(recs[3], 3, tlogProof(p), c); err != nil {
			t.Errorf("ledger.VerifyInclusion: %v", err)
		}
	}},
	{"OutOfRange", func(t *testing.T, e *env) {
		_, err := e.s.ProveRecord(e.ctx, 1, 0)
		wantCode(t, err, truce.EINVALID) // the empty log
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		for _, c := range []struct{ size, i int64 }{{0, 0}, {-1, 0}, {8, 0}, {7, 7}, {3, 3}, {3, -1}, {1 << 40, 0}} {
			_, err := e.s.ProveRecord(e.ctx, c.size, c.i)
			if truce.ErrorCode(err) != truce.EINVALID {
				t.Errorf("ProveRecord(size %d, record %d) = %v, want EINVALID", c.size, c.i, err)
			}
		}
	}},
}, sequencedCases...)

var proveTreeCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		populate(t, e)
		checkpoint(t, e) // integrates every record
		recs := records(t, e)
		n := int64(len(recs))
		for size := int64(1); size <= n; size++ {
			for old := int64(1); old <= size; old++ {
				if size != n && old%4 != 1 && old != size {
					continue
				}
				p, err := e.s.ProveTree(e.ctx, size, old)
				must(t, err)
				root, oldRoot := mth(recs[:size]), mth(recs[:old])
				if err := tlog.CheckTree(tlogProof(p), size, tlog.Hash(root), old, tlog.Hash(oldRoot)); err != nil {
					t.Errorf("tlog.CheckTree(%d, %d): %v", size, old, err)
				}
				if err := proof.VerifyConsistency(rfc6962.DefaultHasher, uint64(old), uint64(size), proofBytes(p), oldRoot, root); err != nil {
					t.Errorf("merkle VerifyConsistency(%d, %d): %v", old, size, err)
				}
			}
		}
	}},
	{"OutOfRange", func(t *testing.T, e *env) {
		_, err := e.s.ProveTree(e.ctx, 1, 1)
		wantCode(t, err, truce.EINVALID) // the empty log
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		for _, c := range []struct{ size, old int64 }{{7, 0}, {7, 8}, {8, 1}, {0, 0}, {3, 4}, {-1, 1}, {7, -2}} {
			_, err := e.s.ProveTree(e.ctx, c.size, c.old)
			if truce.ErrorCode(err) != truce.EINVALID {
				t.Errorf("ProveTree(%d, %d) = %v, want EINVALID", c.size, c.old, err)
			}
		}
	}},
}

var verifyCases = []tcase{
	{"Empty", func(t *testing.T, e *env) {
		rep, rc := mustVerify(t, e)
		if rep.Records != 0 || rep.Checkpoints != 0 || rc != (ledger.RowCheck{}) {
			t.Errorf("empty store: %+v, %+v", rep, rc)
		}
	}},
	{"OK", func(t *testing.T, e *env) {
		populate(t, e)
		n := logSize(t, e)
		rep, _ := mustVerify(t, e)
		// Integration signs a checkpoint per batch, not per write.
		if rep.Records != n || rep.Size != n || rep.Latest.Size != n || rep.Unsigned != 0 || rep.Checkpoints < 1 {
			t.Errorf("ledger.Verify = %+v, want %d records, all signed", rep, n)
		}
		if rep.StoredHashes != tlog.StoredHashCount(n) {
			t.Errorf("stored hashes = %d, want %d", rep.StoredHashes, tlog.StoredHashCount(n))
		}
		// The log exports to a bundle that verifies offline with the key.
		_, vk, err := e.s.LogKey(e.ctx)
		must(t, err)
		src, done, err := e.s.LogSource(e.ctx)
		must(t, err)
		var buf bytes.Buffer
		err = ledger.ExportBundle(e.ctx, src, vk, &buf)
		done()
		must(t, err)
		brep, err := ledger.VerifyBundle(&buf, vk)
		must(t, err)
		if brep.Root != rep.Root || brep.Records != n {
			t.Errorf("bundle verifies to %+v, want the store's root %s", brep, rep.Root)
		}
	}},
	{"Snapshot", func(t *testing.T, e *env) {
		// A log source is a snapshot: writes after it do not show.
		populate(t, e)
		n := logSize(t, e)
		_, vk, err := e.s.LogKey(e.ctx)
		must(t, err)
		src, done, err := e.s.LogSource(e.ctx)
		must(t, err)
		defer done()
		if got, err := src.Len(e.ctx); err != nil || got != n {
			t.Fatalf("Len = %d, %v; want %d", got, err, n)
		}
		_, err = e.s.AddNote(e.ctx, monitor, truce.IncidentID(rKherson), "after the snapshot")
		must(t, err)
		rep, err := ledger.Verify(e.ctx, src, vk)
		must(t, err)
		if rep.Records != n || rep.Latest.Size != n {
			t.Errorf("snapshot verify: %d records, latest checkpoint %d; want %d, %d", rep.Records, rep.Latest.Size, n, n)
		}
	}},
}

var verifyRowsCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		m := populate(t, e)
		_, rc := mustVerify(t, e)
		want := ledger.RowCheck{Reports: len(m.reports), Agreements: 2, Events: m.events, Evidence: 1, Judgements: len(m.reports) + 2,
			Incidents: len(m.reports), Sites: len(sites()), Tokens: 1, Briefs: len(m.reports) + 2}
		equal(t, "VerifyRows", want, rc)
	}},
}
