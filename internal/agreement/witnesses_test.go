package agreement_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/agreement"
)

// cosignerKey returns a tlog-cosignature/v1 verifier key for name, built
// by hand from the C2SP encoding (name, key hash, 0x04 || public key).
func cosignerKey(t *testing.T, name string) string {
	t.Helper()
	return noteKey(t, name, 0x04)
}

// noteKey returns a note verifier key of type alg for name.
func noteKey(t *testing.T, name string, alg byte) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	key := append([]byte{alg}, pub...)
	h := sha256.Sum256(append([]byte(name+"\n"), key...))
	return fmt.Sprintf("%s+%08x+%s", name, binary.BigEndian.Uint32(h[:4]), base64.StdEncoding.EncodeToString(key))
}

// TestParseWitnesses checks the witness policy: parsed as written, and a
// bad key, URL, party or threshold reported at its FILE:LINE:COL.
func TestParseWitnesses(t *testing.T) {
	ua, us := cosignerKey(t, "witness.ua.example"), cosignerKey(t, "witness.us.example")
	doc := func(witnesses string) string {
		return strings.Replace(base, "phases:\n", witnesses+"phases:\n", 1) + "  - {id: p, name: P, start: {at: 2025-03-18}}\n"
	}
	list := func(threshold string, entries ...string) string {
		return "witnesses:\n  threshold: " + threshold + "\n  list:\n" + strings.Join(entries, "")
	}
	entry := func(name, party, key, url string) string {
		return fmt.Sprintf("    - {name: %s, party: %s, key: '%s', url: '%s'}\n", name, party, key, url)
	}
	good := list("2", entry("witness.ua.example", "UA", ua, "https://witness.ua.example/"),
		entry("witness.us.example", "US", us, "http://127.0.0.1:8081"))
	a, err := agreement.Parse("a.yaml", []byte(doc(good)), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &truce.WitnessPolicy{Threshold: 2, Witnesses: []truce.Witness{
		{Name: "witness.ua.example", Party: "UA", Key: ua, URL: "https://witness.ua.example/"},
		{Name: "witness.us.example", Party: "US", Key: us, URL: "http://127.0.0.1:8081"},
	}}
	if diff := cmp.Diff(want, a.Witnesses); diff != "" {
		t.Errorf("witness policy mismatch (-want +got):\n%s", diff)
	}
	if a, err := agreement.Parse("a.yaml", []byte(doc("")), nil); err != nil || a.Witnesses != nil {
		t.Errorf("no witnesses: got %v, %v; want nil policy", a.Witnesses, err)
	}
	ed := noteKey(t, "witness.ua.example", 0x01) // an Ed25519 note key, not a cosignature key
	i := strings.Index(ua, "+") + 1
	badHash := ua[:i] + map[bool]string{true: "1", false: "0"}[ua[i] == '0'] + ua[i+1:]
	for _, tt := range []struct {
		name, src string
		want      []string
	}{
		{"threshold above the list", list("3", entry("witness.ua.example", "UA", ua, "https://w/")),
			[]string{`a.yaml:16:14: witnesses: threshold "3" must be a whole number from 1 to 1 (the witnesses listed)`}},
		{"key of another name", list("1", entry("witness.ru.example", "RU", ua, "https://w/")),
			[]string{`a.yaml:18:7: witness "witness.ru.example": key is for "witness.ua.example", not for the witness's name`}},
		{"not a cosignature key", list("1", entry("witness.ua.example", "UA", ed, "https://w/")),
			[]string{`a.yaml:18:7: witness "witness.ua.example": key is not a tlog-cosignature/v1 (Ed25519, type 0x04) verifier key`}},
		{"bad hash", list("1", entry("witness.ua.example", "UA", badHash, "https://w/")),
			[]string{`a.yaml:18:7: witness "witness.ua.example": key hash`}},
		{"unknown party, bad url", list("1", entry("witness.ua.example", "XX", ua, "ftp://w/")),
			[]string{`a.yaml:18:7: witness "witness.ua.example": url "ftp://w/" is not an http(s) URL`, `a.yaml:18:41: unknown party "XX"`}},
		{"no threshold", "witnesses:\n  list:\n" + entry("witness.ua.example", "UA", ua, "https://w/"),
			[]string{`a.yaml:16:3: missing required key "threshold" in witnesses`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := problems(t, doc(tt.src), nil)
			if len(got) != len(tt.want) {
				t.Fatalf("problems: got %q, want %q", got, tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("problem %d: got %q, want it to start with %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}
