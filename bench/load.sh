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
#   SERVERS=2 bench/load.sh 20s 64 1.0 postgres  # two API servers, one database
#   PG_DELAY=150us SERVERS=2 bench/load.sh 20s 64 1.0 postgres
#                                                # with 150 µs each way between the
#                                                # servers and PostgreSQL (bench/netdelay)
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
  if [ -n "${PG_DELAY:-}" ]; then
    # The servers reach PostgreSQL through bench/netdelay, as over a network.
    go build -o "$out/netdelay" ./bench/netdelay
    pgport=$(sed -E 's|.*@[^:/]+:([0-9]+)/.*|\1|' <<< "$TRUCE_TEST_POSTGRES_DSN")
    dport=$((pgport + 500))
    "$out/netdelay" -listen "127.0.0.1:$dport" -target "127.0.0.1:$pgport" -delay "$PG_DELAY" 2> "$out/netdelay.log" &
    delaypid=$!
    for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$dport") 2>/dev/null && break; sleep 0.1; done
    db=${pgdsn/:$pgport\//:$dport/}
    echo "PostgreSQL through bench/netdelay: $PG_DELAY each way"
  fi
fi
token=$("$out/truce" token create --db "$db" --role monitor 2>/dev/null)
# SERVERS=n starts n API servers on the one database (PostgreSQL, or
# SQLite's one file) and spreads the requests over them in turn.
servers=${SERVERS:-1}
# Below the kernel's ephemeral ports (32768 up), which a client connection may hold.
port=$((20000 + RANDOM % 12000))
pids=()
urls=()
for k in $(seq 0 $((servers - 1))); do
  p=$((port + k))
  # PROFILE=file writes the (first) server's CPU profile there (go tool pprof bench/out/truce file).
  prof=()
  if [ "$k" = 0 ] && [ -n "${PROFILE:-}" ]; then prof=(--cpuprofile "$PROFILE"); fi
  # MEMPROFILE=file writes its allocations, sampled, when it stops (go tool pprof -sample_index=alloc_space).
  if [ "$k" = 0 ] && [ -n "${MEMPROFILE:-}" ]; then prof+=(--memprofile "$MEMPROFILE"); fi
  "$out/truce" serve --db "$db" --addr "127.0.0.1:$p" --write-rate 0 "${prof[@]}" 2> "$out/serve$k.log" &
  pids+=($!)
  urls+=("http://127.0.0.1:$p")
done
# Every step tolerates failure (set -e holds in the trap too): after a run
# on several servers, pids is empty, and a failed kill left the database's
# copy and the schema behind.
cleanup() {
  if [ ${#pids[@]} -gt 0 ]; then kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; fi
  if [ -n "${delaypid:-}" ]; then kill "$delaypid" 2>/dev/null || true; fi
  rm -rf "$tmp"
  if [ "$backend" = postgres ]; then psql "$TRUCE_TEST_POSTGRES_DSN" -qc "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
for u in "${urls[@]}"; do
  for _ in $(seq 50); do curl -fs "$u/healthz" >/dev/null && break; sleep 0.2; done
  # A server builds the map's simplified zones once after it starts (~2 s
  # of one core); the map's first request waits for it. Measured runs
  # start after it, not under it: at 80% of capacity, a backlog of two
  # seconds takes tens of seconds to drain and dominates a short run's p99.
  curl -fs -o /dev/null "$u/map/zones.geojson" || true
done
echo "backend: $backend, $servers server(s)"
"$out/load" -url "$(IFS=,; echo "${urls[*]}")" -token "$token" -duration "$duration" -step "$duration" -workers "$workers" -write-ratio "$ratio" "$@"
# After a run on several servers: the one log they wrote must verify.
if [ "$servers" -gt 1 ]; then
  kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null || true
  pids=()
  "$out/truce" log verify --db "$db" 2>&1 | tail -n 1
fi
