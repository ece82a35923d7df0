#!/usr/bin/env bash
# browser.sh installs what the web dashboard's browser tests need: Debian's
# chromium (the tests drive it headless with chromedp) and fonts-dejavu-core,
# so that Cyrillic place names render in screenshots. It does nothing when
# /usr/bin/chromium and the DejaVu fonts are already there, runs
# `apt-get update` only when an install fails without it, and prints nothing
# on success.
#
#   scripts/browser.sh && TRUCE_REQUIRE_BROWSER=1 go test -race ./internal/web/
set -euo pipefail

chromium=/usr/bin/chromium
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

say() { printf 'browser.sh: %s\n' "$*" >&2; }

if [ -x "$chromium" ] && [ -f "$font" ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  say "chromium or fonts-dejavu-core is missing and installing them needs root: apt-get install chromium fonts-dejavu-core"
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
apt=(apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends chromium fonts-dejavu-core)
if ! "${apt[@]}" >"$log" 2>&1; then
  # A new machine has no package lists yet; fetch them and try once more.
  if ! apt-get update -qq >>"$log" 2>&1 || ! "${apt[@]}" >>"$log" 2>&1; then
    cat "$log" >&2
    say "installing chromium failed"
    exit 1
  fi
fi
if [ ! -x "$chromium" ]; then
  cat "$log" >&2
  say "chromium installed but $chromium is missing"
  exit 1
fi
