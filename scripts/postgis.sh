#!/usr/bin/env bash
# A throwaway PostgreSQL 15 + PostGIS 3 cluster for the tests (or a local try-out).
#   scripts/postgis.sh start DIR PORT   → prints the DATABASE_URL of database "clearance"
#   scripts/postgis.sh stop DIR
set -euo pipefail
# The newest PostgreSQL server installed (15 on Debian 12; 16 on Ubuntu 24.04), or $PG_BIN.
BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$BIN/initdb" ] || { echo "PostgreSQL server not found: apt-get install postgresql postgresql-postgis" >&2; exit 1; }
cmd=$1; dir=$2; port=${3:-55432}
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_postgres "$BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    as_postgres "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
      -o "-p $port -k $dir -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off" -w start >/dev/null
    for db in clearance clearance_test; do
      as_postgres psql -h "$dir" -p "$port" -U postgres -qtAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
        || as_postgres psql -h "$dir" -p "$port" -U postgres -qc "CREATE DATABASE $db"
      as_postgres psql -h "$dir" -p "$port" -U postgres -d "$db" -qc "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
    done
    echo "postgresql+psycopg://postgres@/clearance?host=$dir&port=$port"
    ;;
  stop)
    as_postgres "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2 ;;
esac
