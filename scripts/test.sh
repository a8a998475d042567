#!/usr/bin/env bash
# The whole suite on SpatiaLite and PostGIS. When TEST_POSTGIS_URL names no server, a throwaway
# cluster is started here and stopped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TEST_POSTGIS_URL:-}" ]; then
  PGDIR=$(mktemp -d /tmp/clearance-pg.XXXXXX)
  PGPORT=${PGPORT:-$((50000 + RANDOM % 10000))}
  trap 'bash scripts/postgis.sh stop "$PGDIR"; rm -rf "$PGDIR"' EXIT
  bash scripts/postgis.sh start "$PGDIR" "$PGPORT" >/dev/null
  export TEST_POSTGIS_URL="postgresql+psycopg://postgres@/clearance_test?host=$PGDIR&port=$PGPORT"
  echo "PostGIS tạm thời / throwaway PostGIS: $TEST_POSTGIS_URL"
fi
.venv/bin/python -m pytest "$@"
