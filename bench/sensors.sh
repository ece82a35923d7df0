#!/usr/bin/env bash
# Satellite fire detections, truce against PostGIS on the same points, in one
# run. Generates N FIRMS VIIRS rows (default 1,000,000; deterministic: 60%
# over 44-53°N 22-41°E, 40% within 10 km of the 1,078 GPPD plants, a few on
# zone vertices), then:
#
#   truce    `truce judge` on the FIRMS file (its sensor fast path,
#            sensor.JudgeWhile): CSV in, per-point answers out, timed with
#            /usr/bin/time (wall, peak RSS) from process start, so loading
#            the agreement (14 zones) and the sites and building the index
#            are included. Run RUNS times (default 3): best and median.
#   PostGIS  a throwaway PostgreSQL 15 + PostGIS 3.3 cluster on loopback
#            (scripts/pg.sh; it installs postgresql-15-postgis-3 if
#            missing): COPY load, GiST indexing, then the per-point query
#            (nearest site within 3 km, zones containing the point) written
#            out with COPY TO, each step timed from the client. The sites
#            and zones are loaded beforehand and not counted. See
#            bench/sql/*.sql for the exact predicates and the query plan
#            choices (the fastest found on this machine).
#
# and compares the two answers on every point (bench/sensorcmp), explaining
# each difference it can, and prints the times and the ratio.
#
#   bench/sensors.sh [N]
#
# Environment: RUNS (truce repetitions, default 3); POSTGIS=0 runs truce only
# (e.g. for the peak memory at N=10000000); KEEP_PG=1 leaves the cluster
# running; TRUCE_BENCH_PG_DIR (default ${TMPDIR:-/tmp}/truce-bench-pg) and
# TRUCE_BENCH_PG_PORT (default 56500) place the cluster away from the one
# the tests use; SUBDIVIDE (default 256) is ST_Subdivide's vertex limit.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
runs=${RUNS:-3}
out=bench/out
mkdir -p "$out"

say() { printf '%s\n' "$*" >&2; }
# ms prints the milliseconds since the epoch.
ms() { date +%s%3N; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.2f", ms / 1000 }'; }

go build -o "$out/gensensors" ./bench/gensensors
go build -o "$out/truce" ./cmd/truce
go build -o "$out/sensorcmp" ./bench/sensorcmp

agreement=bench/data/sensors-agreement.yaml
sites=examples/energy-ceasefire-2025/sites/gppd_v1.3.0_selected_countries.csv
zones=bench/data/ne_4.1.0_countries_10m_selected.geojson,bench/data/black_sea_azov_ne10m.geojson,bench/data/deepstatemap_occupied_20250417.geojson
fires=$out/fires-$n.csv
# Regenerated when the generator has changed since.
if [ ! -s "$fires" ] || [ bench/gensensors/main.go -nt "$fires" ]; then
  say "generating $n FIRMS rows into $fires"
  "$out/gensensors" -n "$n" -sites "$sites" -zones "$zones" >"$fires.tmp"
  mv "$fires.tmp" "$fires"
fi
say "input: $fires ($(du -m "$fires" | cut -f1) MB, $(nproc) cores)"

# truce, RUNS times; the answers of the last run are compared.
truce_ms=()
truce_kb=()
for i in $(seq "$runs"); do
  sync
  /usr/bin/time -f '%e %M' -o "$out/time.txt" "$out/truce" judge --agreement "$agreement" --sites "$sites" \
    --reports "$fires" >"$out/truce-$n.csv" 2>"$out/sensorjudge.log"
  read -r secs_wall kb <"$out/time.txt"
  truce_ms+=("$(awk -v s="$secs_wall" 'BEGIN { printf "%d", s * 1000 }')")
  truce_kb+=("$kb")
  say "truce run $i: $secs_wall s, peak RSS $((kb / 1024)) MiB; $(tail -n 1 "$out/sensorjudge.log" | sed 's/^.*: \([0-9]* hotspots read\)/\1/')"
done
best=$(printf '%s\n' "${truce_ms[@]}" | sort -n | head -n 1)
median=$(printf '%s\n' "${truce_ms[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
peak_kb=$(printf '%s\n' "${truce_kb[@]}" | sort -n | tail -n 1)

if [ "${POSTGIS:-1}" = 0 ]; then
  echo "truce judge (FIRMS fast path), $n points on $(nproc) cores: best $(secs "$best") s, median $(secs "$median") s of $runs; peak RSS $((peak_kb / 1024)) MiB"
  exit 0
fi

# PostGIS, on its own throwaway cluster.
export TRUCE_PG_DIR=${TRUCE_BENCH_PG_DIR:-${TMPDIR:-/tmp}/truce-bench-pg}
export TRUCE_PG_PORT=${TRUCE_BENCH_PG_PORT:-56500}
eval "$(scripts/pg.sh start)"
if [ "${KEEP_PG:-0}" != 1 ]; then
  trap 'scripts/pg.sh stop >/dev/null 2>&1 || true' EXIT
fi
psql=(psql "$TRUCE_TEST_POSTGRES_DSN" -X -q -v ON_ERROR_STOP=1)
# The cluster's owner must read the files \copy sends: psql reads them and
# sends them over the connection, so only we need to.
"$out/sensorcmp" prep -agreement "$agreement" -sites "$sites" -dir "$out"
t0=$(ms)
"${psql[@]}" -f bench/sql/sensors-setup.sql \
  -c "\\copy sensors.sites FROM '$out/sites.csv' CSV" \
  -c "\\copy sensors.zones_in FROM '$out/zones.csv' CSV" \
  -v subdivide="${SUBDIVIDE:-256}" -f bench/sql/sensors-zones.sql >/dev/null
setup_ms=$(($(ms) - t0))
parts=$("${psql[@]}" -tAc "SELECT count(*) || ' zone parts of at most ' || max(ST_NPoints(geom)) || ' vertices' FROM sensors.zone_parts")
say "PostGIS setup (sites, zones made valid and subdivided into $parts; not counted): $(secs "$setup_ms") s"

t0=$(ms)
"${psql[@]}" -f bench/sql/sensors-load.sql \
  -c "\\copy sensors.fires (latitude, longitude, bright_ti4, scan, track, acq_date, acq_time, satellite, instrument, confidence, version, bright_ti5, frp, daynight) FROM '$fires' CSV HEADER" >/dev/null
load_ms=$(($(ms) - t0))
say "PostGIS COPY load: $(secs "$load_ms") s"
t0=$(ms)
"${psql[@]}" -f bench/sql/sensors-index.sql >/dev/null
index_ms=$(($(ms) - t0))
say "PostGIS GiST indexing: $(secs "$index_ms") s"
query=$(grep -v '^--' bench/sql/sensors-query.sql | tr '\n' ' ')
t0=$(ms)
"${psql[@]}" -c "SET jit = off" -c "SET work_mem = '256MB'" -c "\\copy ($query) TO '$out/postgis-$n.csv' CSV" >/dev/null
query_ms=$(($(ms) - t0))
say "PostGIS per-point query, written out: $(secs "$query_ms") s"
pg_ms=$((load_ms + index_ms + query_ms))
# Not timed: how much the choice of the sphere matters. On the spheroid
# (PostGIS's default for geography) distances differ from the sphere's by up
# to about 0.5%, so pairs near 3 km change sides.
spheroid=$("${psql[@]}" -tAc "SET jit = off; SELECT count(*) FILTER (WHERE sph <> geo) || ' of ' || count(*) || ' site-point pairs within 3.1 km change sides of 3 km on the spheroid; largest difference ' || round(max(abs(dsph - dgeo))::numeric, 2) || ' m' FROM (SELECT ST_DWithin(s.geog, f.geom::geography, 3000, false) AS sph, ST_DWithin(s.geog, f.geom::geography, 3000, true) AS geo, ST_Distance(s.geog, f.geom::geography, false) AS dsph, ST_Distance(s.geog, f.geom::geography, true) AS dgeo FROM sensors.sites s JOIN sensors.fires f ON f.geom && ST_Expand(s.box, 0.002) AND ST_DWithin(s.geog, f.geom::geography, 3100, false)) q" | tail -n 1)

echo
echo "Agreement on every point (truce vs PostGIS):"
cmp_status=0
"$out/sensorcmp" compare -agreement "$agreement" -in "$fires" -truce "$out/truce-$n.csv" -postgis "$out/postgis-$n.csv" || cmp_status=$?
echo "Sphere (truce's haversine, PostGIS use_spheroid=false) against spheroid: $spheroid."
echo
echo "$n FIRMS points, 1,078 sites at 3 km, 14 zones, $(nproc) cores, CSV to per-point answers:"
printf "  %-44s %8s s (median %s s of %d runs), peak RSS %d MiB\n" "truce judge (FIRMS fast path)" "$(secs "$best")" "$(secs "$median")" "$runs" $((peak_kb / 1024))
printf '  %-44s %8s s\n' "PostGIS COPY load" "$(secs "$load_ms")"
printf '  %-44s %8s s\n' "PostGIS GiST indexing" "$(secs "$index_ms")"
printf '  %-44s %8s s\n' "PostGIS per-point query, written out" "$(secs "$query_ms")"
printf '  %-44s %8s s\n' "PostGIS total, CSV to answers" "$(secs "$pg_ms")"
echo "  ratio, CSV to answers (PostGIS total / truce best): $(awk -v a="$pg_ms" -v b="$best" 'BEGIN { printf "%.1f", a / b }')x" \
  "(median: $(awk -v a="$pg_ms" -v b="$median" 'BEGIN { printf "%.1f", a / b }')x);" \
  "PostGIS query alone / truce best: $(awk -v a="$query_ms" -v b="$best" 'BEGIN { printf "%.1f", a / b }')x"
exit "$cmp_status"
