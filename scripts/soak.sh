#!/usr/bin/env bash
# Soak run: 10,000,000 generated rows per backend through its fastest strategy (COPY on PostgreSQL,
# multi_values on SQLite), checking the row count and a checksum of the table against the input, and
# that peak memory stays flat (sampled at 10%, 50% and 100% of the rows). Too long for every CI run;
# the test command runs the same program with 1,000,000 rows ("soak: ..." tests).
#
#   scripts/soak.sh [--rows=N] [--backend=sqlite|postgres|both]
#
# Builds tests/soak/soak.cpp in Release into build-soak/ (BUILD_DIR to change, JOBS for -j, default 2).
# PostgreSQL runs on a throwaway cluster under /tmp started with tests/support/pg_cluster.sh and
# removed afterwards. Exit status 0 when every backend passes.
set -euo pipefail

rows=10000000
backends="sqlite postgres"
for arg in "$@"; do
  case "$arg" in
    --rows=*) rows=${arg#--rows=} ;;
    --backend=both) backends="sqlite postgres" ;;
    --backend=sqlite|--backend=postgres) backends=${arg#--backend=} ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done
[[ "$rows" =~ ^[0-9]+$ ]] || { echo "soak.sh: --rows must be a number" >&2; exit 2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build-soak}
cluster="$root/tests/support/pg_cluster.sh"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBULKINSERT_BENCHMARKS=OFF \
  -DBULKINSERT_EXAMPLES=OFF -DBULKINSERT_TOOLS=OFF >/dev/null
cmake --build "$build" --target bulkinsert_soak -j "${JOBS:-2}"
soak="$build/tests/bulkinsert_soak"

pgdir=""
cleanup() { if [[ -n "$pgdir" ]]; then bash "$cluster" stop "$pgdir" || true; fi; }
trap cleanup EXIT

status=0
for backend in $backends; do
  echo "== $backend: $rows rows"
  if [[ "$backend" == postgres ]]; then
    pgdir="/tmp/bulkinsert-soak-pg-$$"
    conninfo=$(bash "$cluster" start "$pgdir" 54330 | tail -n 1)
    "$soak" --backend=postgres --rows="$rows" --conninfo="$conninfo" || status=1
  else
    "$soak" --backend=sqlite --rows="$rows" || status=1
  fi
done
exit $status
