package web_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"truce/internal/witness"
)

// testCosigners checks the in-browser check of witnesses' cosignatures
// against a cosignature made by internal/witness (torchwood's format): a
// good one is counted, one with a flipped bit, a line by an unknown
// witness and a malformed key are not.
func testCosigners(t *testing.T, tb *tab, srv *testServer) {
	ctx := context.Background()
	skey, vkey, err := witness.GenerateKey("witness.browser.test/w1")
	if err != nil {
		t.Fatal(err)
	}
	origin, logKey, err := srv.store.LogKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := witness.OpenStore(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	w, err := witness.NewServer(ws, skey, []witness.Log{{Origin: origin, VerifierKey: logKey}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := srv.store.LatestCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	line, err := w.AddCheckpoint(ctx, witness.AddCheckpoint{Checkpoint: signed}.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	cosigned, err := witness.MergeCosignatures(signed, line)
	if err != nil {
		t.Fatal(err)
	}
	// One base64 character of the signature changed: no longer valid.
	bad := []byte(strings.Replace(string(cosigned), string(line), string(line[:len(line)-6])+flip(line[len(line)-6])+string(line[len(line)-5:]), 1))
	var got map[string]any
	tb.eval(`(async () => {
	  const src = [...document.scripts].map(s => s.src).find(s => s.endsWith('/js/incident.js'));
	  const v = await import(src.replace('/incident.js', '/verify.js'));
	  const enc = (s) => new TextEncoder().encode(s);
	  const key = await v.parseWitnessKey(`+jsString(vkey)+`);
	  const out = {};
	  out.good = await v.cosigners(enc(`+jsString(string(cosigned))+`), [key]);
	  out.bad = await v.cosigners(enc(`+jsString(string(bad))+`), [key]);
	  out.plain = await v.cosigners(enc(`+jsString(string(signed))+`), [key]);
	  try { await v.parseWitnessKey(`+jsString(logKey)+`); out.logKey = 'accepted'; } catch (e) { out.logKey = 'refused: ' + e.message; }
	  return out; })()`, &got)
	if g, _ := got["good"].([]any); len(g) != 1 || g[0] != "witness.browser.test/w1" {
		t.Errorf("a good cosignature: cosigners %v", got["good"])
	}
	for _, k := range []string{"bad", "plain"} {
		if g, _ := got[k].([]any); len(g) != 0 {
			t.Errorf("%s: cosigners %v, want none", k, got[k])
		}
	}
	if s, _ := got["logKey"].(string); !strings.HasPrefix(s, "refused") {
		t.Errorf("the log's own key as a witness key: %v", got["logKey"])
	}
	t.Logf("cosigners: %v", got)
}

// flip returns another base64 character than c.
func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}
