#!/usr/bin/env bash
# Builds the benchmarks (Release, in ./build-bench), runs them, writes bench-results/ and prints the
# article's table. Idempotent; needs no network (dependencies: scripts/install-deps.sh).
#
#   scripts/bench.sh                       SQLite only (a temporary database file)
#   scripts/bench.sh --pg-start            also PostgreSQL, on a throwaway local cluster
#   BULKINSERT_BENCH_PG='host=... dbname=...' scripts/bench.sh      also PostgreSQL, on that server
#   scripts/bench.sh --pg=CONNSTR          the same
#   scripts/bench.sh --rows=N              rows per timed insert (default 100000; PG PerRow: N/10)
#   scripts/bench.sh --stream              also the 1,000,000-row streaming benchmarks (slow)
# Anything else (e.g. --benchmark_filter=Copy) is passed to both binaries.
#
# Output: bench-results/sqlite.json, bench-results/postgres.json (Google Benchmark JSON),
#         bench-results/report.md (the table), bench-results/rows_per_second.svg (the chart).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

pg=0
args=()
for a in "$@"; do
  case "$a" in
    --pg-start | --pg=*) pg=1 ;;
  esac
  args+=("$a")
done
[[ -n "${BULKINSERT_BENCH_PG:-}" ]] && pg=1

build=build-bench
out=bench-results
started=$(date +%s)

# Tests and examples are not needed here; other builds in ./build are left alone.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBULKINSERT_TESTS=OFF -DBULKINSERT_EXAMPLES=OFF \
  -DBULKINSERT_BENCHMARKS=ON >/dev/null
targets=(bench_sqlite)
((pg)) && targets+=(bench_postgres)
cmake --build "$build" -j2 --target "${targets[@]}"

mkdir -p "$out"
rm -f "$out"/sqlite.json "$out"/postgres.json "$out"/report.md "$out"/rows_per_second.svg
common=(--benchmark_repetitions=3 --benchmark_display_aggregates_only=true --benchmark_out_format=json)

echo "== bench_sqlite"
sqlite_args=()
for a in "${args[@]}"; do
  case "$a" in --pg-start | --pg=*) ;; *) sqlite_args+=("$a") ;; esac
done
"$build/benchmarks/bench_sqlite" "${common[@]}" --benchmark_out="$out/sqlite.json" "${sqlite_args[@]}"

jsons=("$out/sqlite.json")
status=0
if ((pg)); then
  echo "== bench_postgres"
  # A failed PostgreSQL run still gets the SQLite table printed; the script then exits non-zero.
  "$build/benchmarks/bench_postgres" "${common[@]}" --benchmark_out="$out/postgres.json" "${args[@]}" || status=$?
  [[ -s "$out/postgres.json" ]] && jsons+=("$out/postgres.json")
else
  echo "== bench_postgres skipped: pass --pg-start, --pg=CONNSTR or set BULKINSERT_BENCH_PG"
fi

echo
python3 benchmarks/report.py "${jsons[@]}" --markdown "$out/report.md" --svg "$out/rows_per_second.svg"
echo "bench.sh: done in $(($(date +%s) - started)) s; results in $out/"
exit "$status"
