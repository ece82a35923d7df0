package main

import (
	"database/sql"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLogVerifyTampering changes, below the store, what the incident
// list, the CSV export and the permission checks read (issue 12, item 4),
// and checks that `truce log verify` fails naming the row, and that the
// binary exits non-zero.
func TestLogVerifyTampering(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "truce.db")
	mustRun(t, "import", "--db", db, "--sites", gppd)
	mustRun(t, "import", "--db", db, "testdata/acled_sample.csv")
	mustRun(t, "adjudicate", "--db", db, "--agreement", scenario)
	mustToken(t, db, "party", "UA")
	out, _ := mustRun(t, "log", "verify", "--db", db)
	if !strings.Contains(out, "log verified") || !strings.Contains(out, "sites, 1 tokens") {
		t.Fatalf("log verify:\n%s", out)
	}
	base, err := sql.Open("sqlite", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer base.Close()
	var site, token string
	if err := base.QueryRow(`SELECT id FROM sites ORDER BY id LIMIT 1`).Scan(&site); err != nil {
		t.Fatal(err)
	}
	if err := base.QueryRow(`SELECT id FROM tokens`).Scan(&token); err != nil {
		t.Fatal(err)
	}
	for i, tt := range []struct {
		name, stmt, arg, want string
	}{
		// UKR200103 is a strike by Ukraine on Krasnodar: the list and the
		// export would show a violation by RU that was never judged.
		{"incident outcome, parties and explanation", `UPDATE incidents SET outcome = 4, parties = '|RU|', explanation = 'Drone strike by RU' WHERE id = ?`,
			"UKR200103", "incident UKR200103"},
		{"site edited", `UPDATE sites SET capacity_mw = capacity_mw + 100 WHERE id = ?`, site, "site " + site},
		{"site deleted", `DELETE FROM sites WHERE id = ?`, site, "site " + site},
		{"token raised to admin", `UPDATE tokens SET role = 'admin', party = '' WHERE id = ?`, token, "token " + token},
	} {
		t.Run(tt.name, func(t *testing.T) {
			copyDB := filepath.Join(dir, "tampered"+string(rune('a'+i))+".db")
			if _, err := base.Exec(`VACUUM INTO ?`, copyDB); err != nil {
				t.Fatal(err)
			}
			c, err := sql.Open("sqlite", "file:"+copyDB)
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.Exec(tt.stmt, tt.arg)
			if err == nil {
				var n int64
				if n, err = res.RowsAffected(); err == nil && n != 1 {
					t.Fatalf("%s changed %d rows, want 1", tt.stmt, n)
				}
			}
			c.Close()
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = runTruce(t, "log", "verify", "--db", copyDB)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("log verify = %v, want an error naming %q", err, tt.want)
			}
			if i > 0 || testing.Short() {
				return
			}
			bin, err := buildTruce()
			if err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(bin, "log", "verify", "--db", copyDB).CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), tt.want) {
				t.Errorf("truce log verify: %v (want exit status 1)\n%s", err, out)
			}
		})
	}
}
