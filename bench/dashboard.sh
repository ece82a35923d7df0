#!/usr/bin/env bash
# The dashboard on a large record: loads the bundled scenario's agreement and
# sites and N synthetic reports (default 100,000) into a fresh SQLite
# database (or PostgreSQL with "postgres"), judges and groups them, starts
# `truce serve` on loopback and times every request the map page makes when
# it opens (the page, its data, the first two pages of incidents with and
# without filters, an incident page), REPEAT times each (default 20). Prints
# the median and worst time and the size of each response: the page stays
# fast because filtering and paging happen on the server. Requests are made
# as a monitor, who sees every incident.
#
#   bench/dashboard.sh [N] [sqlite|postgres]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
backend=${2:-sqlite}
repeat=${REPEAT:-20}
out=bench/out
mkdir -p "$out"
go build -o "$out/truce" ./cmd/truce
go build -o "$out/genreports" ./bench/genreports
S=examples/energy-ceasefire-2025
[ -s "$out/reports-$n.csv" ] || "$out/genreports" -n "$n" > "$out/reports-$n.csv"
tmp=$(mktemp -d)
db=$tmp/truce.db
if [ "$backend" = postgres ]; then
  eval "$(scripts/pg.sh start)"
  schema=dash_$$
  psql "$TRUCE_TEST_POSTGRES_DSN" -qc "CREATE SCHEMA $schema" >/dev/null
  db="${TRUCE_TEST_POSTGRES_DSN}&search_path=$schema,public"
  "$out/truce" migrate --db "$db" 2>/dev/null
fi
t0=$(date +%s.%N)
"$out/truce" import --db "$db" --sites $S/sites/gppd_v1.3.0_selected_countries.csv 2>/dev/null
"$out/truce" import --db "$db" "$out/reports-$n.csv" 2>/dev/null
"$out/truce" adjudicate --db "$db" --agreement $S/agreement.yaml 2>/dev/null | tail -n 3
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN{printf "loaded, judged and grouped %d reports in %.1f s\n", n, b-a}'
token=$("$out/truce" token create --db "$db" --role monitor 2>/dev/null)
auth="Authorization: Bearer $token"
# Below the kernel's ephemeral ports (32768 up), which a client connection may hold.
port=$((20000 + RANDOM % 12000))
# PROFILE=file writes the server's CPU profile there (go tool pprof bench/out/truce file).
prof=()
if [ -n "${PROFILE:-}" ]; then prof=(--cpuprofile "$PROFILE"); fi
"$out/truce" serve --db "$db" --addr "127.0.0.1:$port" "${prof[@]}" 2> "$out/serve-dashboard.log" &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  rm -rf "$tmp"
  if [ "$backend" = postgres ]; then psql "$TRUCE_TEST_POSTGRES_DSN" -qc "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done
# The first summary is built from scratch (the cache is empty): time it.
# Then four more from scratch: summaries are cached by the log size and
# the request, so each of these asks for a different (far) last day, which
# still counts every report.
cold=$(curl -fs -H "$auth" -o "$tmp/summary.json" -w '%{time_total}' "$base/api/v1/summary")
colds="$cold"
for d in 1 2 3 4; do
  colds="$colds $(curl -fs -H "$auth" -o /dev/null -w '%{time_total}' "$base/api/v1/summary?to=2100-01-0$d")"
done
total=$(grep -o '"reports": *[0-9]*' "$tmp/summary.json" | head -1 | tr -d ' ' || true)
id=$(curl -fs -H "$auth" "$base/api/v1/incidents?limit=1&outcome=violation" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
next=$(curl -fs -H "$auth" "$base/api/v1/incidents?limit=500" | grep -o '"next":"[^"]*"' | cut -d'"' -f4)
echo "backend: $backend, $n reports ($total), $(nproc) cores; $repeat requests each, one at a time"
echo "$colds" | tr ' ' '\n' | sort -n | awk -v first="$cold" '{t[NR]=$1} END{printf "period summary of every report (JSON with its cases), built from scratch: first %.1f ms; of %d builds best %.1f ms, median %.1f ms (below: the worst of a summary is its cold build)\n", first*1000, NR, t[1]*1000, t[int((NR+1)/2)]*1000}'
printf '%-62s %9s %9s %10s\n' request median worst bytes
for path in \
  "/" \
  "/api/v1/agreement" \
  "/api/v1/sites" \
  "/map/zones.geojson" \
  "/api/v1/incidents?limit=500" \
  "/api/v1/incidents?limit=500&cursor=$next" \
  "/api/v1/incidents?limit=500&from=2025-03-18&to=2025-04-17&party=RU" \
  "/api/v1/incidents?limit=500&outcome=violation&phase=energy" \
  "/api/v1/incidents?limit=500&bbox=30,46,38,50" \
  "/api/v1/incidents/$id" \
  "/api/v1/summary?from=2025-03-18&to=2025-04-17"; do
  for _ in $(seq "$repeat"); do
    curl -fs -H "$auth" -o /dev/null -w '%{time_total} %{size_download}\n' "$base$path"
  done | sort -n | awk -v p="${path:0:62}" '{t[NR]=$1; b=$2} END{printf "%-62s %7.1f ms %7.1f ms %10d\n", p, t[int((NR+1)/2)]*1000, t[NR]*1000, b}'
done
