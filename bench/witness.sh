#!/usr/bin/env bash
# Witnesses on: loads the bundled scenario into a fresh SQLite database,
# starts `truce serve` and three `truce witness` processes on loopback,
# uploads the scenario's agreement with a 2-of-3 witness policy, drives
# writes with bench/load (WORKERS clients, write-only) for DURATION, then
# prints the write rate and, per witness, how long after a checkpoint was
# signed its cosignature was stored (p50, p99, max), and how far the final
# checkpoint lags the newest.
#
#   bench/witness.sh [duration] [workers]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20s}
workers=${2:-8}
out=bench/out
mkdir -p "$out"
go build -o "$out/truce" ./cmd/truce
go build -o "$out/load" ./bench/load
tmp=$(mktemp -d)
db=$tmp/truce.db
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
"$out/truce" demo --db "$db" > /dev/null 2>&1
# Below the kernel's ephemeral ports (32768 up), which a client connection may hold.
port=$((20000 + RANDOM % 12000))
"$out/truce" serve --db "$db" --addr "127.0.0.1:$port" --write-rate 0 2> "$out/serve-witness.log" &
pids+=($!)
base="http://127.0.0.1:$port"
for _ in $(seq 50); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done
logkey=$(curl -fs "$base/api/v1/log/key")
origin=${logkey%%+*}
S=examples/energy-ceasefire-2025
mkdir -p "$tmp/agreement" && cp -r $S/agreement.yaml $S/zones $S/places "$tmp/agreement/"
{ echo; echo "witnesses:"; echo "  threshold: 2"; echo "  list:"; } >> "$tmp/agreement/agreement.yaml"
for i in 1 2 3; do
  vk=$("$out/truce" witness keygen --name "bench.witness/w$i" --out "$tmp/w$i.key")
  wport=$((port + i))
  "$out/truce" witness --db "$tmp/w$i.db" --key "$tmp/w$i.key" --addr "127.0.0.1:$wport" --log "$origin=$logkey" 2> "$out/witness-w$i.log" &
  pids+=($!)
  echo "    - {name: bench.witness/w$i, key: \"$vk\", url: \"http://127.0.0.1:$wport\"}" >> "$tmp/agreement/agreement.yaml"
done
admin=$("$out/truce" token create --db "$db" --role admin 2>/dev/null)
(cd "$tmp/agreement" && zip -qr ../agreement.zip agreement.yaml zones places)
code=$(curl -s -o "$tmp/upload.json" -w '%{http_code}' -H "Authorization: Bearer $admin" -H 'Content-Type: application/zip' --data-binary "@$tmp/agreement.zip" "$base/api/v1/agreements")
[ "$code" = 201 ] || { echo "upload agreement: $code"; cat "$tmp/upload.json"; exit 1; }
token=$("$out/truce" token create --db "$db" --role monitor 2>/dev/null)
sleep 2
echo "witnesses on (2 of 3):"
"$out/load" -url "$base" -token "$token" -duration "$duration" -step "$duration" -workers "$workers" -write-ratio 1
sleep 2
latest=$(curl -fs "$base/api/v1/log/checkpoint" | sed -n 2p)
final=$(curl -fs "$base/api/v1/log/checkpoint/final" | sed -n 2p)
echo "newest checkpoint: size $latest; final (2 of 3 cosigned): size $final"
sqlite3 "$db" "WITH l AS (SELECT witness, (received_ns - created_ns) / 1e6 AS ms,
    ROW_NUMBER() OVER (PARTITION BY witness ORDER BY received_ns - created_ns) AS rn, COUNT(*) OVER (PARTITION BY witness) AS n
    FROM log_cosignatures JOIN log_checkpoints USING (size))
  SELECT witness, MAX(n), MAX(CASE WHEN rn = (n + 1) / 2 THEN ms END), MAX(CASE WHEN rn = (n * 99 + 99) / 100 THEN ms END), MAX(ms)
  FROM l GROUP BY witness" |
  awk -F'|' '{printf "  %s: %d checkpoints cosigned; signed -> cosignature stored: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", $1, $2, $3, $4, $5}'
echo "checkpoints signed during the run: $(sqlite3 "$db" "SELECT COUNT(*) FROM log_checkpoints WHERE created_ns > (SELECT MIN(received_ns) FROM log_cosignatures)")"
