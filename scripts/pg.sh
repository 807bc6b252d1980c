#!/usr/bin/env bash
# A throwaway, project-local Postgres cluster with logical replication on.
#   scripts/pg.sh start DATA_DIR PORT   initdb if needed, start, create database "sync_worker"
#   scripts/pg.sh stop DATA_DIR         fast shutdown
#   scripts/pg.sh url PORT              print the DATABASE_URL for that port
set -euo pipefail

find_bindir() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return
  fi
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's postgresql package…" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) >&2
    for d in /usr/lib/postgresql/*/bin; do
      [ -x "$d/initdb" ] && { echo "$d"; return; }
    done
  fi
  echo "error: PostgreSQL server binaries (initdb, pg_ctl) not found; install PostgreSQL 15+" >&2
  exit 1
}

# initdb refuses to run as root: as root, run the server as the `postgres` system user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

cmd=${1:-}
case "$cmd" in
  start)
    dir=$(realpath -m "$2"); port=$3
    bindir=$(find_bindir)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && { id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres; chown postgres "$dir"; }
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_pg mkdir -p "$dir/data" "$dir/run"
      as_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    extra=${PG_EXTRA_OPTS:-}
    if ! as_pg "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 start \
        -o "-p $port -k $dir/run -c listen_addresses=127.0.0.1 -c wal_level=logical -c max_wal_senders=10 -c max_replication_slots=10 $extra" >/dev/null \
        || { tail -20 "$dir/postgres.log" >&2; exit 1; }
    fi
    as_pg "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = 'sync_worker'" | grep -q 1 \
      || as_pg "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE sync_worker" >/dev/null
    ;;
  stop)
    dir=$(realpath -m "$2")
    [ -f "$dir/data/postmaster.pid" ] || exit 0
    bindir=$(find_bindir)
    # A logical replication client that is slow to confirm can hold a fast shutdown for up to
    # wal_sender_timeout; after 10 s fall back to an immediate stop (crash-safe: WAL recovery on start).
    as_pg "$bindir/pg_ctl" -D "$dir/data" -m "${PG_STOP_MODE:-fast}" -w -t 10 stop >/dev/null 2>&1 \
      || as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    ;;
  url)
    echo "postgres://postgres@127.0.0.1:$2/sync_worker"
    ;;
  *)
    echo "usage: scripts/pg.sh start DATA_DIR PORT | stop DATA_DIR | url PORT" >&2; exit 2 ;;
esac
