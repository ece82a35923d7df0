#!/usr/bin/env bash
# Throughput and peak memory of `truce judge` on N synthetic point reports
# (default 1,000,000) against the bundled scenario's real zones and the
# 1,078 GPPD sites. Prints reports/second and the peak resident set size.
#
#   bench/judge.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
out=bench/out
mkdir -p "$out"
go build -o "$out/truce" ./cmd/truce
go build -o "$out/genreports" ./bench/genreports
S=examples/energy-ceasefire-2025
if [ ! -s "$out/reports-$n.csv" ]; then
  "$out/genreports" -n "$n" -sites $S/sites/gppd_v1.3.0_selected_countries.csv > "$out/reports-$n.csv"
fi
/usr/bin/time -f '%e %M' -o "$out/time.txt" \
  "$out/truce" judge --agreement $S/agreement.yaml --sites $S/sites/gppd_v1.3.0_selected_countries.csv \
  --reports "$out/reports-$n.csv" --format csv > "$out/judged-$n.csv" 2>"$out/judge-stderr.txt"
read -r secs kb < "$out/time.txt"
echo "truce judge: $n reports in ${secs} s = $(awk -v n="$n" -v s="$secs" 'BEGIN{printf "%.0f", n/s}') reports/s on $(nproc) cores; peak RSS $((kb/1024)) MiB"
echo "outcomes:"; cut -d, -f7 "$out/judged-$n.csv" | tail -n +2 | sort | uniq -c
