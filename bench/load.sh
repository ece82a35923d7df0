#!/usr/bin/env bash
# Load test of the API on loopback: loads the bundled scenario into a fresh
# database, starts `truce serve`, drives it with bench/load and prints
# throughput and p50/p99 latency for reads and writes (writes include the
# log append, i.e. sequencing its records; the tree and the checkpoint are
# integrated in batches after the write is acknowledged).
#
#   bench/load.sh [duration] [workers] [write-ratio] [sqlite|postgres] [extra flags for bench/load]
#
#   bench/load.sh 10m 16 0.05 sqlite            # the full 10-minute run
#   bench/load.sh 20s 16 0.05 postgres -find     # find the highest sustained rate
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-30s}
workers=${2:-16}
ratio=${3:-0.1}
backend=${4:-sqlite}
shift $(( $# < 4 ? $# : 4 ))
out=bench/out
mkdir -p "$out"
[ -n "${TRUCE_BIN:-}" ] && cp "$TRUCE_BIN" "$out/truce" || go build -o "$out/truce" ./cmd/truce
go build -o "$out/load" ./bench/load
tmp=$(mktemp -d)
db=$tmp/truce.db
"$out/truce" demo --db "$db" > /dev/null 2>&1
if [ "$backend" = postgres ]; then
  eval "$(scripts/pg.sh start)"
  schema=load_$$
  psql "$TRUCE_TEST_POSTGRES_DSN" -qc "CREATE SCHEMA $schema" >/dev/null
  pgdsn="${TRUCE_TEST_POSTGRES_DSN}&search_path=$schema,public"
  "$out/truce" migrate --db "$pgdsn" 2>/dev/null
  "$out/truce" migrate --from "$db" --to "$pgdsn" >/dev/null
  db=$pgdsn
fi
token=$("$out/truce" token create --db "$db" --role monitor 2>/dev/null)
port=$((20000 + RANDOM % 20000))
# PROFILE=file writes the server's CPU profile there (go tool pprof bench/out/truce file).
"$out/truce" serve --db "$db" --addr "127.0.0.1:$port" --write-rate 0 ${PROFILE:+--cpuprofile "$PROFILE"} 2> "$out/serve.log" &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  rm -rf "$tmp"
  if [ "$backend" = postgres ]; then psql "$TRUCE_TEST_POSTGRES_DSN" -qc "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
echo "backend: $backend"
"$out/load" -url "http://127.0.0.1:$port" -token "$token" -duration "$duration" -step "$duration" -workers "$workers" -write-ratio "$ratio" "$@"
