package web_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"truce"
	"truce/internal/ledger"
	"truce/internal/witness"

	"github.com/chromedp/chromedp"
)

// TestWitnessedVerify checks the incident page's verifier under an
// agreement with a witness policy (the API tests' small agreement: one
// witness, threshold 1): before the witness has cosigned, the record is
// not accepted and the page says why; once a cosignature is stored, the
// record is verified against the final checkpoint and the page names the
// cosigner.
func TestWitnessedVerify(t *testing.T) {
	exe := chromiumPath(t)
	dir := artifacts(t)
	srv := newTestServer(t, false)
	agr, err := os.ReadFile("../httpapi/testdata/small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if resp, b := srv.do(t, "POST", "/api/v1/agreements", "admin", "application/yaml", agr); resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload agreement: %d %.300s", resp.StatusCode, b)
	}
	var rep struct {
		Incident string `json:"incident"`
	}
	srv.must(t, http.StatusCreated, "POST", "/api/v1/reports", "monitor", map[string]any{"time": "2025-04-02", "lon": 30.5, "lat": 50.4,
		"text": "shelling near a substation", "published": true}, &rep)
	b, err := browser(t, exe, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	verify := func(tb *tab) (state, verdict, witnesses string) {
		tb.open("/incidents/" + rep.Incident)
		tb.wait(`document.getElementById('verify') !== null`)
		tb.do(chromedp.Click(chromedp.ID("verify")))
		tb.wait(`['valid', 'invalid', 'error'].includes(document.getElementById('verify-result').dataset.state)`)
		var res struct{ State, Verdict, Witnesses string }
		tb.eval(`({state: document.getElementById('verify-result').dataset.state, verdict: document.getElementById('verify-verdict').textContent,
		  witnesses: (document.getElementById('verify-witnesses') || {}).textContent || ''})`, &res)
		return res.State, res.Verdict, res.Witnesses
	}

	waitCheckpoint(t, srv)
	state, verdict, _ := verify(newTab(t, b, srv, dir))
	if state != "error" || !strings.Contains(verdict, "cosign") {
		t.Errorf("before any cosignature: %s %q; want the record refused for want of cosignatures", state, verdict)
	}
	t.Logf("before: %s", verdict)

	cosignNewest(t, srv)
	tb := newTab(t, b, srv, dir)
	state, verdict, witnesses := verify(tb)
	if state != "valid" || !strings.Contains(witnesses, "witness.test.example/w1") {
		t.Errorf("after the witness cosigned: %s %q, witnesses %q", state, verdict, witnesses)
	}
	t.Logf("after: %s; %s", verdict, witnesses)
	tb.screenshot("incident-verified-witnessed")
}

// waitCheckpoint waits until the log's newest checkpoint covers every
// record written so far.
func waitCheckpoint(t *testing.T, srv *testServer) {
	t.Helper()
	ctx := context.Background()
	n, err := srv.store.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, vk, err := srv.store.LogKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if signed, err := srv.store.LatestCheckpoint(ctx); err == nil {
			if c, err := ledger.Open(vk, signed); err == nil && c.Size >= n {
				return
			}
		}
	}
	t.Fatalf("no checkpoint covers the %d records after 10 s", n)
}

// cosignNewest has the API tests' witness (its signer key is
// ../httpapi/testdata/witness.key) cosign the newest checkpoint, and
// stores the cosignature as the log server's collector would.
func cosignNewest(t *testing.T, srv *testServer) {
	t.Helper()
	ctx := context.Background()
	key, err := os.ReadFile("../httpapi/testdata/witness.key")
	if err != nil {
		t.Fatal(err)
	}
	origin, vk, err := srv.store.LogKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := witness.OpenStore(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	w, err := witness.NewServer(ws, strings.TrimSpace(string(key)), []witness.Log{{Origin: origin, VerifierKey: vk}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := srv.store.LatestCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ledger.Open(vk, signed)
	if err != nil {
		t.Fatal(err)
	}
	line, err := w.AddCheckpoint(ctx, witness.AddCheckpoint{Checkpoint: signed}.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.store.AddCosignature(ctx, truce.Cosignature{Size: c.Size, Witness: "witness.test.example/w1", Line: line, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
}
