package witness_test

import (
	"testing"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"

	"truce/internal/witness"
)

// TestInteropTorchwood checks a checkpoint cosigned by our witness server
// with torchwood's own policy API and with sumdb/note, not with Policy.
func TestInteropTorchwood(t *testing.T) {
	l := newMemLog(t, "truce.example/log").add("r", 11)
	w := mustStartWitness(t, "witness.example/w1", l)
	got := mustPost(t, w.URL, l.body(0))
	if got.status != 200 {
		t.Fatalf("POST = %d %q", got.status, got.body)
	}
	signed := append(l.checkpoint(), got.body...)

	pol, err := torchwood.ParsePolicy([]byte("log " + l.vkey + "\nwitness w1 " + w.VerifierKey + "\nquorum w1\n"))
	if err != nil {
		t.Fatal(err)
	}
	c, n, err := torchwood.VerifyCheckpoint(signed, pol)
	if err != nil {
		t.Fatalf("torchwood.VerifyCheckpoint: %v", err)
	}
	if c.Origin != l.origin || c.N != 11 || c.Hash != l.root(11) {
		t.Fatalf("checkpoint = %+v, want %s size 11 root %s", c, l.origin, l.root(11))
	}
	if _, _, err := torchwood.VerifyCheckpoint(l.checkpoint(), pol); err == nil {
		t.Fatal("torchwood accepted the checkpoint without the cosignature: the test proves nothing")
	}
	var sig note.Signature
	for _, s := range n.Sigs {
		if s.Name == "witness.example/w1" {
			sig = s
		}
	}
	ts, err := torchwood.CosignatureTimestamp(sig)
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > time.Minute {
		t.Fatalf("cosignature timestamp %d, %v; want about now", ts, err)
	}

	v, err := torchwood.NewCosignatureVerifier(w.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	nn, err := note.Open(signed, note.VerifierList(v))
	if err != nil || len(nn.Sigs) != 1 || nn.Sigs[0].Name != "witness.example/w1" {
		t.Fatalf("note.Open with the witness verifier = %+v, %v", nn, err)
	}
}

// TestGenerateKey checks the key pair against torchwood: the verifier key
// is a cosignature/v1 key for the signer's Ed25519 key.
func TestGenerateKey(t *testing.T) {
	skey, vkey, err := witness.GenerateKey("witness.example/w1")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := witness.VerifierKey(skey); err != nil || got != vkey {
		t.Fatalf("VerifierKey = %q, %v; want %q", got, err, vkey)
	}
	if _, err := torchwood.NewCosignatureVerifier(vkey); err != nil {
		t.Fatalf("torchwood rejects the verifier key: %v", err)
	}
	if _, _, err := witness.GenerateKey("bad name"); err == nil {
		t.Error("GenerateKey accepted a name with a space")
	}
	_, logVkey, err := witness.GenerateKey("w")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := witness.VerifierKey(logVkey); err == nil || contains(err.Error(), logVkey) {
		t.Errorf("VerifierKey(a verifier key) = %v, want an error that does not repeat the key", err)
	}
	if _, err := witness.VerifierKey(skey + "x"); err == nil || contains(err.Error(), skey[20:]) {
		t.Errorf("VerifierKey(a corrupt signer key) = %v, want an error that does not repeat the key", err)
	}
}
