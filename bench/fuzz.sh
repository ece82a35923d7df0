#!/usr/bin/env bash
# Runs every fuzz target (every `func Fuzz…` in a _test.go file) for a
# longer time than CI does, then prints the executions and the failures of
# each and in total. With -keep, the smallest new inputs that widened
# coverage (up to 20 per target) are copied from Go's fuzz cache into the
# package's testdata/fuzz/<Target>/, where `go test` replays them as
# regression cases and CI's short fuzz runs start from them.
#
#   bench/fuzz.sh [-keep] [time per target, default 1m]
#
# A failing input is written by Go to testdata/fuzz/<Target>/ and the
# script exits 1 after running every target.
set -uo pipefail
cd "$(dirname "$0")/.."
keep=0
if [ "${1:-}" = -keep ]; then keep=1; shift; fi
per=${1:-1m}
cache=$(go env GOCACHE)/fuzz/truce
out=bench/out/fuzz
mkdir -p "$out"
total=0
failed=0
targets=0
while read -r f; do
  dir=$(dirname "$f")
  for name in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | sed 's/^func //'); do
    targets=$((targets + 1))
    log="$out/$name.log"
    go test -run '^$' -fuzz "^${name}\$" -fuzztime "$per" "./$dir" >"$log" 2>&1
    rc=$?
    execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || true)
    execs=${execs:-0}
    status=ok
    if [ $rc -ne 0 ]; then
      # Go 1.26 can end a duration-bounded run with a spurious "context
      # deadline exceeded" (golang/go#75804); anything else is a failure.
      if grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"; then
        status="ok (golang/go#75804 at the deadline)"
      else
        status=FAILED
        failed=$((failed + 1))
      fi
    fi
    total=$((total + execs))
    printf '%-22s %-24s %12d execs  %s\n' "$dir" "$name" "$execs" "$status"
    if [ $keep = 1 ] && [ -d "$cache/$dir/$name" ]; then
      mkdir -p "$dir/testdata/fuzz/$name"
      # The smallest new entries first; skip any already kept.
      ls -S -r "$cache/$dir/$name" | head -n 20 | while read -r e; do
        [ -e "$dir/testdata/fuzz/$name/$e" ] || cp "$cache/$dir/$name/$e" "$dir/testdata/fuzz/$name/$e"
      done
    fi
  done
done < <(git grep -l '^func Fuzz' -- '*_test.go')
echo "fuzz: $targets targets, $per each: $total executions, $failed failing"
[ $failed -eq 0 ]
