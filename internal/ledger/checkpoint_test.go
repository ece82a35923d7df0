package ledger_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
)

// Fixed keys from the sumdb/note documentation, so that signatures are
// reproducible (Ed25519 is deterministic).
const (
	fixedSigner   = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
	fixedVerifier = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
)

func TestCheckpointText(t *testing.T) {
	h := tlog.RecordHash([]byte("x"))
	c := ledger.Checkpoint{Origin: "truce.example.org/ledger", Size: 1234, Hash: h}
	want := "truce.example.org/ledger\n1234\n" + h.String() + "\n"
	if diff := cmp.Diff(want, c.Text()); diff != "" {
		t.Errorf("Text() mismatch (-want +got):\n%s", diff)
	}
}

func TestSignOpen(t *testing.T) {
	root := tlog.RecordHash([]byte("root"))
	c := ledger.Checkpoint{Origin: "PeterNeumann", Size: 42, Hash: root}
	signed, err := ledger.Sign(fixedSigner, c)
	if err != nil {
		t.Fatalf("Sign() = %v", err)
	}
	// The signature is deterministic; pin the whole note.
	want := "PeterNeumann\n42\n" + root.String() + "\n\n— PeterNeumann "
	if !strings.HasPrefix(string(signed), want) {
		t.Errorf("Sign() = %q, want prefix %q", signed, want)
	}
	again, err := ledger.Sign(fixedSigner, c)
	if err != nil || !bytes.Equal(again, signed) {
		t.Errorf("Sign() not deterministic: %q vs %q (%v)", signed, again, err)
	}
	got, err := ledger.Open(fixedVerifier, signed)
	if err != nil {
		t.Fatalf("Open() = %v", err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("Open() mismatch (-want +got):\n%s", diff)
	}

	// Another party's co-signature does not disturb Open.
	_, other := MustKey(t, "witness.example")
	wskey, _ := MustKey(t, "witness.example")
	n, err := note.Open(signed, note.VerifierList(mustVerifier(t, fixedVerifier)))
	if err != nil {
		t.Fatal(err)
	}
	cosigned, err := note.Sign(n, mustSigner(t, wskey))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.Open(fixedVerifier, cosigned); err != nil {
		t.Errorf("Open(co-signed) = %v", err)
	}
	if _, err := ledger.Open(other, signed); !errors.Is(err, ledger.ErrBadCheckpoint) {
		t.Errorf("Open(with witness key) = %v, want ErrBadCheckpoint", err)
	}
}

func TestSignErrors(t *testing.T) {
	c := ledger.Checkpoint{Origin: "PeterNeumann", Size: 1}
	for _, tt := range []struct {
		name string
		key  string
		c    ledger.Checkpoint
	}{
		{name: "origin is not the key name", key: fixedSigner, c: ledger.Checkpoint{Origin: "someone.else", Size: 1}},
		{name: "negative size", key: fixedSigner, c: ledger.Checkpoint{Origin: "PeterNeumann", Size: -1}},
		{name: "verifier key given as signer key", key: fixedVerifier, c: c},
		{name: "garbage key", key: "PRIVATE+KEY+x", c: c},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if b, err := ledger.Sign(tt.key, tt.c); err == nil {
				t.Errorf("Sign() = %q, want error", b)
			}
		})
	}
	if _, _, err := ledger.GenerateKey("bad name"); err == nil {
		t.Error(`GenerateKey("bad name") = nil error, want error`)
	}
}

func TestOpenErrors(t *testing.T) {
	root := tlog.RecordHash([]byte("root"))
	good, err := ledger.Sign(fixedSigner, ledger.Checkpoint{Origin: "PeterNeumann", Size: 42, Hash: root})
	if err != nil {
		t.Fatal(err)
	}
	impostorSigner, _ := MustKey(t, "PeterNeumann") // same name, other key
	forged, err := ledger.Sign(impostorSigner, ledger.Checkpoint{Origin: "PeterNeumann", Size: 42, Hash: root})
	if err != nil {
		t.Fatal(err)
	}
	signText := func(text string) []byte {
		b, err := note.Sign(&note.Note{Text: text}, mustSigner(t, fixedSigner))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tt := range []struct {
		name   string
		signed []byte
		want   string
	}{
		{name: "other key with the same name", signed: forged, want: "not signed by key PeterNeumann+c74f20a3"},
		{name: "body changed after signing", signed: bytes.Replace(good, []byte("\n42\n"), []byte("\n43\n"), 1), want: "invalid signature"},
		{name: "signature changed", signed: flipLastSigByte(good), want: "invalid signature"},
		{name: "not a note", signed: []byte("hello"), want: "malformed"},
		{name: "empty", signed: nil, want: "malformed"},
		{name: "extension line", signed: signText("PeterNeumann\n42\n" + root.String() + "\nextra\n"), want: "want 3 lines"},
		{name: "two lines", signed: signText("PeterNeumann\n42\n"), want: "want 3 lines"},
		{name: "leading zero in size", signed: signText("PeterNeumann\n042\n" + root.String() + "\n"), want: "bad size"},
		{name: "plus sign in size", signed: signText("PeterNeumann\n+42\n" + root.String() + "\n"), want: "bad size"},
		{name: "negative size", signed: signText("PeterNeumann\n-1\n" + root.String() + "\n"), want: "bad size"},
		{name: "short hash", signed: signText("PeterNeumann\n42\nAAAA\n"), want: "bad root hash"},
		{name: "hash not base64", signed: signText("PeterNeumann\n42\n!!!!\n"), want: "bad root hash"},
		{name: "empty origin", signed: signText("\n42\n" + root.String() + "\n"), want: "empty origin"},
		{name: "origin is not the key name", signed: signText("other.log\n42\n" + root.String() + "\n"), want: "not the key name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ledger.Open(fixedVerifier, tt.signed)
			if !errors.Is(err, ledger.ErrBadCheckpoint) {
				t.Fatalf("Open() = %+v, %v; want ErrBadCheckpoint", c, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open() error %q does not contain %q", err, tt.want)
			}
		})
	}
	if _, err := ledger.Open("not a key", good); err == nil || errors.Is(err, ledger.ErrBadCheckpoint) {
		t.Errorf("Open(malformed verifier key) = %v, want a non-ErrBadCheckpoint error", err)
	}
}

func TestSignTree(t *testing.T) {
	ctx := context.Background()
	skey, vkey := MustKey(t, "truce.test/ledger")
	m := MustLog(t, 10, skey)
	signed, c, err := ledger.SignTree(ctx, m, skey, 10)
	if err != nil {
		t.Fatal(err)
	}
	root, err := ledger.TreeHash(ctx, m, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := ledger.Checkpoint{Origin: "truce.test/ledger", Size: 10, Hash: root}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("SignTree() checkpoint mismatch (-want +got):\n%s", diff)
	}
	got, err := ledger.Open(vkey, signed)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Open(SignTree()) mismatch (-want +got):\n%s", diff)
	}
	if _, _, err := ledger.SignTree(ctx, m, skey, 11); err == nil {
		t.Error("SignTree(beyond log) = nil error, want error")
	}
	if _, _, err := ledger.SignTree(ctx, m, vkey, 10); err == nil {
		t.Error("SignTree(verifier key) = nil error, want error")
	}
}

func flipLastSigByte(signed []byte) []byte {
	b := bytes.Clone(signed)
	// The last signature line ends "...<base64>=\n" or "...<base64>\n";
	// change a character in the middle of it.
	i := bytes.LastIndex(b, []byte(" ")) + 10
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return b
}

func mustSigner(tb testing.TB, skey string) note.Signer {
	tb.Helper()
	s, err := note.NewSigner(skey)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func mustVerifier(tb testing.TB, vkey string) note.Verifier {
	tb.Helper()
	v, err := note.NewVerifier(vkey)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}
