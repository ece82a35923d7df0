package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestTokenCreateRefuses: a token for a party the stored agreement does
// not have, a name that would forge a line of `token list`, and a party on
// a non-party role are refused, and nothing is stored (issue 12, item 11).
func TestTokenCreateRefuses(t *testing.T) {
	heavy(t)
	db := filepath.Join(t.TempDir(), "truce.db")
	mustRun(t, "adjudicate", "--db", db, "--agreement", scenario)
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"party not in the agreement", []string{"--role", "party", "--party", "XX"}, `--party "XX": not a party of the current agreement`},
		{"party role without a party", []string{"--role", "party"}, "the party role needs a party"},
		{"party on a monitor token", []string{"--role", "monitor", "--party", "UA"}, "only a party token acts for a party"},
		{"line break in the name", []string{"--role", "observer", "--name", "ok\ntok_forged  admin"}, "control or non-printing character"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runTruce(t, append([]string{"token", "create", "--db", db}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	out, _ := mustRun(t, "token", "list", "--db", db)
	if n := strings.Count(strings.TrimSpace(out), "\n"); n != 0 {
		t.Errorf("token list shows %d tokens after refused creations:\n%s", n, out)
	}
	mustRun(t, "token", "create", "--db", db, "--role", "party", "--party", "UA", "--name", "UA liaison")
}
