#!/usr/bin/env bash
# Bulk import of N synthetic reports (default 1,000,000) into both backends:
# the embedded SQLite file and PostgreSQL (a throwaway cluster started with
# scripts/pg.sh). Each report is stored, opens an incident and is appended to
# the tamper-evident log, with a signed checkpoint per batch. Prints reports/s.
#
#   bench/import.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
out=bench/out
mkdir -p "$out"
go build -o "$out/truce" ./cmd/truce
go build -o "$out/genreports" ./bench/genreports
[ -s "$out/reports-$n.csv" ] || "$out/genreports" -n "$n" > "$out/reports-$n.csv"

eval "$(scripts/pg.sh start)"
trap 'scripts/pg.sh stop >/dev/null 2>&1 || true' EXIT
schema=bench_$$
psql "$TRUCE_TEST_POSTGRES_DSN" -qc "CREATE SCHEMA $schema" >/dev/null
pgdsn="${TRUCE_TEST_POSTGRES_DSN}&search_path=$schema,public"

time_import() { # name dsn
  local start end
  start=$(date +%s.%N)
  "$out/truce" import --db "$2" "$out/reports-$n.csv" 2>"$out/import-$1.log"
  end=$(date +%s.%N)
  awk -v n="$n" -v s="$start" -v e="$end" -v name="$1" 'BEGIN{printf "%-10s %d reports in %.1f s = %.0f reports/s\n", name, n, e-s, n/(e-s)}'
}
db=$(mktemp -d)/truce.db
time_import sqlite "$db"
time_import postgres "$pgdsn"
"$out/truce" log verify --db "$pgdsn" | tail -1
rm -rf "$(dirname "$db")"
psql "$TRUCE_TEST_POSTGRES_DSN" -qc "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1
