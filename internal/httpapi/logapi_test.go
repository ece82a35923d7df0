package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/httpapi"
	"truce/internal/ledger"
	"truce/internal/store/sqlite"
	"truce/internal/witness"
)

func ptr[T any](v T) *T { return &v }

// wantProof checks a proof answer: its sizes and index (present, even 0,
// in an inclusion proof; absent from a consistency proof), and that it
// has hashes.
func wantProof(want httpapi.Proof) func(*testing.T, map[string]string, http.Header, []byte) {
	return func(t *testing.T, _ map[string]string, _ http.Header, body []byte) {
		t.Helper()
		got := decode[httpapi.Proof](t, body)
		got.Hashes, want.Hashes = nil, nil
		if diff := cmp.Diff(want, got); diff != "" || !bytes.Contains(body, []byte(`"hashes":[`)) {
			t.Errorf("proof mismatch (-want +got):\n%s%s", diff, body)
		}
		raw := decode[map[string]any](t, body)
		if _, ok := raw["index"]; ok != (want.Index != nil) {
			t.Errorf("proof %s: has index %v, want %v", body, ok, want.Index != nil)
		}
	}
}

// wantText checks a text answer against a pattern.
func wantText(pattern, contentType string) func(*testing.T, map[string]string, http.Header, []byte) {
	re := regexp.MustCompile(pattern)
	return func(t *testing.T, _ map[string]string, h http.Header, body []byte) {
		t.Helper()
		if !re.Match(body) {
			t.Errorf("answer %q, want it to match %s", body, pattern)
		}
		header(t, h, "Content-Type", contentType)
	}
}

// waitIntegrated waits until the newest checkpoint covers every record
// sequenced when it is called (the background integrator signs it within
// tens of milliseconds of a write) and returns its size. It fails the test
// after 10 seconds.
func waitIntegrated(t testing.TB, st truce.LogStore) int64 {
	t.Helper()
	ctx := context.Background()
	n, err := st.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, vk, err := st.LogKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		signed, err := st.LatestCheckpoint(ctx)
		if err != nil && truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Fatal(err)
		}
		if err == nil {
			c, err := ledger.Open(vk, signed)
			if err != nil {
				t.Fatal(err)
			}
			if c.Size >= n {
				return c.Size
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint covers the %d records sequenced after 10s", n)
		}
	}
}

// TestLogHandlers exercises the log operations (logapi.go): the key, the
// checkpoint, records and proofs, and the records a caller may not read.
func TestLogHandlers(t *testing.T) {
	f := newFixture(t)
	f.run(t, []call{
		{name: "key", who: "public", method: "GET", path: "/api/v1/log/key", status: http.StatusOK,
			check: wantText(`^truce\.local/log\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+\n$`, "text/plain; charset=utf-8")},
		{name: "checkpoint", who: "public", method: "GET", path: "/api/v1/log/checkpoint", status: http.StatusOK,
			check: wantText(`^truce\.local/log\n[0-9]+\n[A-Za-z0-9+/=]{44}\n\n— truce\.local/log `, "text/plain; charset=utf-8")},
		{name: "record", who: "public", method: "GET", path: "/api/v1/log/records/0", status: http.StatusOK,
			check: wantText(`^\{.*"kind":`, "application/json")},
		{name: "record/not found", who: "public", method: "GET", path: "/api/v1/log/records/999999", status: http.StatusNotFound, detail: "log record 999999 not found"},
		{name: "record/negative", who: "public", method: "GET", path: "/api/v1/log/records/-1", status: http.StatusUnprocessableEntity, detail: "validation failed", location: "path.index"},
		{name: "inclusion", who: "public", method: "GET", path: "/api/v1/log/proofs/inclusion?index=0&size=2", status: http.StatusOK,
			check: wantProof(httpapi.Proof{Index: ptr(int64(0)), Size: 2})},
		{name: "inclusion/record beyond the tree", who: "public", method: "GET", path: "/api/v1/log/proofs/inclusion?index=5&size=2",
			status: http.StatusUnprocessableEntity, detail: "record 5 is not in a tree of size 2"},
		{name: "inclusion/tree larger than the log", who: "public", method: "GET", path: "/api/v1/log/proofs/inclusion?index=0&size=1000000",
			status: http.StatusUnprocessableEntity, detail: "tree size 1000000 out of range"},
		{name: "inclusion/no size", who: "public", method: "GET", path: "/api/v1/log/proofs/inclusion?index=0",
			status: http.StatusUnprocessableEntity, detail: "validation failed", location: "query.size"},
		{name: "consistency", who: "public", method: "GET", path: "/api/v1/log/proofs/consistency?old=1&size=3", status: http.StatusOK,
			check: wantProof(httpapi.Proof{OldSize: 1, Size: 3})},
		{name: "consistency/old larger than new", who: "public", method: "GET", path: "/api/v1/log/proofs/consistency?old=3&size=2",
			status: http.StatusUnprocessableEntity, detail: "old tree size 3 out of range 1..2"},

		// A record about a party's unpublished submission: its log index
		// from the record a monitor reads.
		{name: "hidden/setup: a party's submission", who: "party:UA", method: "POST", path: "/api/v1/reports",
			body: map[string]any{"time": "2025-04-02", "lon": 30.5, "lat": 50.4, "text": "unpublished"}, status: http.StatusCreated,
			check: func(t *testing.T, vars map[string]string, _ http.Header, body []byte) {
				vars["report"] = decode[httpapi.ReportOut](t, body).ID
			}},
		{name: "hidden/setup: its record", who: "monitor", method: "GET", path: "/api/v1/incidents/{report}", status: http.StatusOK,
			check: func(t *testing.T, vars map[string]string, _ http.Header, body []byte) {
				d := decode[httpapi.IncidentDetail](t, body)
				if len(d.LogIndexes) == 0 {
					t.Fatalf("the incident has no log records")
				}
				vars["record"] = strconv.FormatInt(d.LogIndexes[0], 10)
				// Proofs are against a checkpoint: wait for one that
				// covers the write (the integrator runs shortly after it).
				vars["size"] = strconv.FormatInt(waitIntegrated(t, f.st), 10)
			}},
		{name: "hidden/from the public", who: "public", method: "GET", path: "/api/v1/log/records/{record}", status: http.StatusForbidden,
			detail: "this record is about an incident you may not read"},
		{name: "hidden/from another party", who: "party:RU", method: "GET", path: "/api/v1/log/records/{record}", status: http.StatusForbidden,
			detail: "this record is about an incident you may not read"},
		{name: "hidden/not from the submitter", who: "party:UA", method: "GET", path: "/api/v1/log/records/{record}", status: http.StatusOK,
			check: wantText(`"kind":`, "application/json")},
		{name: "hidden/its proof is not", who: "public", method: "GET", path: "/api/v1/log/proofs/inclusion?index={record}&size={size}", status: http.StatusOK,
			check: func(t *testing.T, vars map[string]string, _ http.Header, body []byte) {
				if p := decode[httpapi.Proof](t, body); p.Index == nil || strconv.FormatInt(*p.Index, 10) != vars["record"] || len(p.Hashes) == 0 {
					t.Errorf("proof %+v, want one of record %s", p, vars["record"])
				}
			}},
	})
}

// cosignLatest has the test witness (signer key testdata/witness.key, in
// the scenario's witness policy) cosign the newest checkpoint, and stores
// its cosignature as the log server's collector would.
func cosignLatest(t testing.TB, st *sqlite.Store) {
	t.Helper()
	ctx := context.Background()
	key, err := os.ReadFile("testdata/witness.key")
	if err != nil {
		t.Fatal(err)
	}
	origin, vk, err := st.LogKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := witness.OpenStore(ctx, filepath.Join(t.TempDir(), "witness.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	srv, err := witness.NewServer(ws, strings.TrimSpace(string(key)), []witness.Log{{Origin: origin, VerifierKey: vk}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := st.LatestCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ledger.Open(vk, signed)
	if err != nil {
		t.Fatal(err)
	}
	line, err := srv.AddCheckpoint(ctx, witness.AddCheckpoint{Checkpoint: signed}.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddCosignature(ctx, truce.Cosignature{Size: c.Size, Witness: "witness.test.example/w1", Line: line, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

// TestFinalCheckpoint checks that the final checkpoint carries the
// witness's cosignature and meets the scenario's policy, that the latest
// checkpoint carries the cosignatures it has, and that with no policy
// there is no final checkpoint.
func TestFinalCheckpoint(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, vk, err := f.st.LogKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	policy := witness.Policy{Threshold: 1, Witnesses: []witness.Witness{{Name: "witness.test.example/w1",
		VerifierKey: "witness.test.example/w1+17d3fc66+BGDym1W+WAA43rXshSw4nWjCMz1g0MowAH68gWiLizeW"}}}
	for _, path := range []string{"/api/v1/log/checkpoint/final", "/api/v1/log/checkpoint"} {
		code, body := f.do(t, "public", "GET", path, "", nil)
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, code, body)
		}
		if err := policy.Verify([]byte(body), vk); err != nil {
			t.Errorf("GET %s does not meet the policy: %v\n%s", path, err, body)
		}
	}
	// A policy of two witnesses, one of them not yet heard from.
	two := policy
	two.Threshold = 2
	two.Witnesses = append(two.Witnesses, witness.Witness{Name: "witness.test.example/w2",
		VerifierKey: "witness.test.example/w2+2abab9af+BPLPHCyJn6IJj03cuA3CGEFyNRlyoVXrv/2BnDJBTx0B"})
	_, body := f.do(t, "public", "GET", "/api/v1/log/checkpoint/final", "", nil)
	if err := two.Verify([]byte(body), vk); err == nil || !strings.Contains(err.Error(), "witness.test.example/w2") {
		t.Errorf("a 2-of-2 policy with one cosignature: got %v, want an error naming the missing witness", err)
	} else {
		t.Log(err)
	}

	bare := newBareFixture(t)
	if code, body := bare.do(t, "public", "GET", "/api/v1/log/checkpoint/final", "", nil); code != http.StatusNotFound {
		t.Errorf("no agreement: GET final checkpoint = %d %s, want 404", code, body)
	}
}
