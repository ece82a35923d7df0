#!/usr/bin/env bash
# pg.sh starts and stops a throwaway PostgreSQL 15 + PostGIS cluster for the
# PostgreSQL store's tests: loopback only, trust authentication, fsync on,
# its data and socket in one temporary directory that `stop` removes.
#
#   eval "$(scripts/pg.sh start)"     # prints: export TRUCE_TEST_POSTGRES_DSN=...
#   TRUCE_REQUIRE_POSTGRES=1 go test -race ./internal/store/...
#   scripts/pg.sh stop
#
# `start` installs Debian's postgresql-15-postgis-3 with apt-get if PostGIS
# is missing, runs initdb as the postgres user (PostgreSQL refuses to run as
# root), picks a free port from 55432 up, waits until the server accepts
# connections, creates the database truce_test with the postgis extension
# and writes the export line to $dir/env as well. Both commands are
# idempotent: `start` on a running cluster prints its DSN again, `stop`
# without one does nothing.
#
# `recover` starts again a cluster whose server died (a test kills it, as a
# crash would), on its port, keeping its data: PostgreSQL replays its WAL.
#
# Environment: TRUCE_PG_DIR (default ${TMPDIR:-/tmp}/truce-pg) is the
# cluster's directory; TRUCE_PG_PORT (default 55432) is the first port tried;
# TRUCE_PG_OPTS adds server options (-c name=value ...) to a cluster `start`
# creates, which `recover` uses again.
set -euo pipefail

pgbin=/usr/lib/postgresql/15/bin
control=/usr/share/postgresql/15/extension/postgis.control
dir=${TRUCE_PG_DIR:-${TMPDIR:-/tmp}/truce-pg}
data=$dir/data
db=truce_test

say() { printf 'pg.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# as runs a command as the cluster's owner: the postgres user when we are
# root, ourselves otherwise.
as() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

dsn() { printf 'postgres://postgres@127.0.0.1:%s/%s?sslmode=disable' "$1" "$db"; }

running() {
  [ -f "$data/PG_VERSION" ] && as "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

install_postgis() {
  [ -f "$control" ] && return 0
  [ "$(id -u)" -eq 0 ] || die "PostGIS is missing ($control) and installing it needs root: apt-get install postgresql-15-postgis-3"
  say "installing postgresql-15-postgis-3 with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  local apt=(apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends postgresql-15-postgis-3)
  if ! "${apt[@]}" >&2; then
    say "install failed; running apt-get update and trying again"
    apt-get update -qq >&2
    "${apt[@]}" >&2
  fi
  [ -f "$control" ] || die "postgresql-15-postgis-3 installed but $control is still missing"
}

# port_free reports whether nothing listens on 127.0.0.1:$1.
port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  [ -x "$pgbin/initdb" ] || die "PostgreSQL 15 is not installed ($pgbin/initdb missing): apt-get install postgresql-15"
  if running; then
    port=$(cat "$dir/port")
    say "already running on 127.0.0.1:$port ($dir)"
    echo "export TRUCE_TEST_POSTGRES_DSN=$(dsn "$port")"
    return 0
  fi
  install_postgis
  if [ -e "$dir" ]; then
    say "removing the stale cluster directory $dir"
    rm -rf "$dir"
  fi
  mkdir -p "$dir"
  chmod 700 "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$dir"
    as test -w "$dir" || die "the postgres user cannot write $dir: set TRUCE_PG_DIR to a directory it can reach"
  fi
  say "initdb $data"
  as "$pgbin/initdb" -D "$data" -U postgres --auth=trust --no-locale -E UTF8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; die "initdb failed"; }

  port=${TRUCE_PG_PORT:-55432}
  last=$((port + 100))
  started=
  while [ "$port" -lt "$last" ]; do
    if port_free "$port"; then
      # -k: the socket lives in our directory, not /var/run/postgresql;
      # -w: pg_ctl returns once the server accepts connections.
      if as "$pgbin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start -o "$(opts "$port")" >/dev/null; then
        started=1
        break
      fi
      say "could not start on port $port; trying the next one"
    fi
    port=$((port + 1))
  done
  [ -n "$started" ] || { tail -n 20 "$dir/server.log" >&2 || true; die "no free port in ${TRUCE_PG_PORT:-55432}..$((last - 1))"; }
  echo "$port" >"$dir/port"
  printf '%s' "${TRUCE_PG_OPTS:-}" >"$dir/opts"

  psql=("$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres)
  "${psql[@]}" -d postgres -c "CREATE DATABASE $db" >&2
  "${psql[@]}" -d "$db" -c "CREATE EXTENSION IF NOT EXISTS postgis" >&2
  line="export TRUCE_TEST_POSTGRES_DSN=$(dsn "$port")"
  echo "$line" >"$dir/env"
  say "PostgreSQL $("${psql[@]}" -d "$db" -tAc "SELECT current_setting('server_version') || ', PostGIS ' || postgis_lib_version()") on 127.0.0.1:$port; DSN in $dir/env"
  echo "$line"
}

# opts prints the server's options for port $1.
opts() {
  printf -- '-c listen_addresses=127.0.0.1 -p %s -k %s -c fsync=on -c max_connections=200 %s' "$1" "$dir" "${TRUCE_PG_OPTS:-}"
}

recover_() {
  [ -f "$data/PG_VERSION" ] && [ -f "$dir/port" ] || die "no cluster to recover in $dir"
  port=$(cat "$dir/port")
  if ! running; then
    TRUCE_PG_OPTS=$(cat "$dir/opts" 2>/dev/null || true)
    as "$pgbin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start -o "$(opts "$port")" >/dev/null ||
      { tail -n 20 "$dir/server.log" >&2 || true; die "could not start the cluster in $dir again"; }
    say "started again on 127.0.0.1:$port"
  fi
  echo "export TRUCE_TEST_POSTGRES_DSN=$(dsn "$port")"
}

stop() {
  if [ ! -e "$dir" ]; then
    say "not running (no $dir)"
    return 0
  fi
  if running; then
    as "$pgbin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null
    say "stopped"
  fi
  rm -rf "$dir"
  say "removed $dir"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
recover) recover_ ;;
status)
  if running; then say "running on 127.0.0.1:$(cat "$dir/port")"; else say "not running"; exit 1; fi
  ;;
*)
  echo "usage: $0 start|stop|recover|status" >&2
  exit 2
  ;;
esac
