package main

import (
	"bytes"
	"database/sql"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"truce/internal/store/sqlstore"
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
	var site, token, judged string
	var packed []byte
	if err := base.QueryRow(`SELECT id FROM sites ORDER BY id LIMIT 1`).Scan(&site); err != nil {
		t.Fatal(err)
	}
	// SQLite keeps judgement details packed (sqlstore.PackDetail); the
	// record hashes their JSON.
	if err := base.QueryRow(`SELECT report_id, detail FROM judgements ORDER BY report_id LIMIT 1`).Scan(&judged, &packed); err != nil {
		t.Fatal(err)
	}
	detail, err := sqlstore.UnpackDetail(packed)
	if err != nil || packed[0] == '{' {
		t.Fatalf("stored detail %.20q: not packed (%v)", packed, err)
	}
	edited := sqlstore.PackDetail(bytes.Replace(detail, []byte(`"Perpetrator":""`), []byte(`"Perpetrator":"RU"`), 1))
	if bytes.Equal(edited, packed) {
		edited = sqlstore.PackDetail(append(bytes.TrimSuffix(detail, []byte("}")), []byte(`,"x":1}`)...))
	}
	damaged := bytes.Clone(packed)
	damaged[len(damaged)/2] ^= 0x55
	if err := base.QueryRow(`SELECT id FROM tokens`).Scan(&token); err != nil {
		t.Fatal(err)
	}
	// A database written before details were packed keeps them as JSON
	// text: it verifies as it did.
	plain := filepath.Join(dir, "plain.db")
	copyWith(t, base, plain, `UPDATE judgements SET detail = ? WHERE report_id = ?`, string(detail), judged)
	if out, _ := mustRun(t, "log", "verify", "--db", plain); !strings.Contains(out, "log verified") {
		t.Errorf("log verify of a database with a JSON detail:\n%s", out)
	}
	// A packed detail damaged in place does not stop the report being
	// judged again: the damaged row compares unequal, so adjudicating
	// logs a new record and replaces it, and the log verifies again.
	repaired := filepath.Join(dir, "repaired.db")
	bad := packed[:len(packed)-5] // cut short: it no longer unpacks
	if _, err := sqlstore.UnpackDetail(bad); err == nil {
		t.Fatal("a packed detail cut short unpacked")
	}
	copyWith(t, base, repaired, `UPDATE judgements SET detail = ? WHERE report_id = ?`, bad, judged)
	if _, _, err := runTruce(t, "log", "verify", "--db", repaired); err == nil {
		t.Fatal("log verify passed a damaged packed detail")
	}
	mustRun(t, "adjudicate", "--db", repaired, "--agreement", scenario)
	if out, _ := mustRun(t, "log", "verify", "--db", repaired); !strings.Contains(out, "log verified") {
		t.Errorf("log verify after judging again:\n%s", out)
	}
	for i, tt := range []struct {
		name, stmt string
		args       []any // the statement's arguments
		want       string
	}{
		// UKR200103 is a strike by Ukraine on Krasnodar: the list and the
		// export would show a violation by RU that was never judged.
		{"incident outcome, parties and explanation", `UPDATE incidents SET outcome = 4, parties = '|RU|', explanation = 'Drone strike by RU' WHERE id = ?`,
			[]any{"UKR200103"}, "incident UKR200103"},
		{"site edited", `UPDATE sites SET capacity_mw = capacity_mw + 100 WHERE id = ?`, []any{site}, "site " + site},
		{"site deleted", `DELETE FROM sites WHERE id = ?`, []any{site}, "site " + site},
		{"token raised to admin", `UPDATE tokens SET role = 'admin', party = '' WHERE id = ?`, []any{token}, "token " + token},
		{"judgement detail edited and packed again", `UPDATE judgements SET detail = ? WHERE report_id = ?`,
			[]any{edited, judged}, "judgement of report " + judged},
		{"packed judgement detail damaged", `UPDATE judgements SET detail = ? WHERE report_id = ?`,
			[]any{damaged, judged}, "judgement of report " + judged},
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
			res, err := c.Exec(tt.stmt, tt.args...)
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

// copyWith copies base into path (VACUUM INTO) and runs stmt on the copy.
func copyWith(t *testing.T, base *sql.DB, path, stmt string, args ...any) {
	t.Helper()
	if _, err := base.Exec(`VACUUM INTO ?`, path); err != nil {
		t.Fatal(err)
	}
	c, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Exec(stmt, args...); err != nil {
		t.Fatal(err)
	}
}
