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
#   scripts/bench.sh --publish             also copy report.md (with a machine/date header) and the chart
#                                          to docs/benchmarks/, which the README shows
#   scripts/bench.sh --no-pairs            skip the pair runs (below)
# Anything else (e.g. --benchmark_filter=Copy) is passed to both binaries; a --benchmark_filter also
# skips the pair runs.
#
# After the main run, each strategy that has an efficiency target runs again with only its
# hand-written baseline beside it (25 repetitions, interleaved): the report judges the targets on
# these pair runs, where a repetition and the baseline's nearest one are a second or two apart.
#
# Output: bench-results/sqlite.json, bench-results/postgres.json (Google Benchmark JSON),
#         bench-results/pairs-*.json (the pair runs),
#         bench-results/report.md (the table), bench-results/rows_per_second.svg (the chart).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

pg=0
publish=0
pairs=1
args=()
for a in "$@"; do
  case "$a" in
    --pg-start | --pg=*) pg=1 ;;
    --publish) publish=1; continue ;;
    --no-pairs) pairs=0; continue ;;
    --benchmark_filter=*) pairs=0 ;;
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

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench.sh: load average before the run: $load_before (on $(nproc) CPUs)"
mkdir -p "$out"
rm -f "$out"/sqlite.json "$out"/postgres.json "$out"/pairs-*.json "$out"/report.md "$out"/rows_per_second.svg
# Repetitions run in random order across benchmarks: a slow spell of this shared VM then lands on
# library and baseline alike instead of on whichever ran during it; the report takes medians of 9, so
# that two or three disturbed runs (a checkpoint, a neighbour on the host) do not move them.
common=(--benchmark_enable_random_interleaving=true --benchmark_display_aggregates_only=true --benchmark_out_format=json)

echo "== bench_sqlite"
sqlite_args=()
for a in "${args[@]}"; do
  case "$a" in --pg-start | --pg=*) ;; *) sqlite_args+=("$a") ;; esac
done
"$build/benchmarks/bench_sqlite" "${common[@]}" --benchmark_repetitions=9 --benchmark_out="$out/sqlite.json" "${sqlite_args[@]}"

jsons=("$out/sqlite.json")
status=0
if ((pg)); then
  echo "== bench_postgres"
  # A failed PostgreSQL run still gets the SQLite table printed; the script then exits non-zero.
  "$build/benchmarks/bench_postgres" "${common[@]}" --benchmark_repetitions=9 --benchmark_out="$out/postgres.json" "${args[@]}" || status=$?
  [[ -s "$out/postgres.json" ]] && jsons+=("$out/postgres.json")
else
  echo "== bench_postgres skipped: pass --pg-start, --pg=CONNSTR or set BULKINSERT_BENCH_PG"
fi

# The pair runs: each target's two benchmarks alone, 25 repetitions interleaved, so that every
# repetition has one of the other benchmark's within a second or two of it.
pair_jsons=()
if ((pairs)); then
  pair_args=()
  for a in "${args[@]}"; do
    case "$a" in --stream) ;; *) pair_args+=("$a") ;; esac
  done
  pair_sqlite_args=()
  for a in "${pair_args[@]}"; do
    case "$a" in --pg-start | --pg=*) ;; *) pair_sqlite_args+=("$a") ;; esac
  done
  pair_run() {  # NAME BINARY FILTER ARGS...
    local name=$1 binary=$2 filter=$3
    shift 3
    echo "== pair run: $name"
    "$build/benchmarks/$binary" "${common[@]}" --benchmark_repetitions=25 --benchmark_out="$out/pairs-$name.json" \
      "--benchmark_filter=$filter" "$@" || return $?
    pair_jsons+=("$out/pairs-$name.json")
  }
  pair_run sqlite-execute_many-light bench_sqlite '^BM_Sqlite_(ExecuteMany|Baseline_PreparedLoop)_Light/' \
    "${pair_sqlite_args[@]}"
  if ((pg)) && ((status == 0)); then
    pair_run postgres-copy-light bench_postgres '^BM_Postgres_(Copy|Baseline_CopyBinary)_Light/' "${pair_args[@]}" ||
      status=$?
    pair_run postgres-multi_values-light bench_postgres '^BM_Postgres_(MultiValues|Baseline_MultiValues)_Light/' \
      "${pair_args[@]}" || status=$?
    pair_run postgres-copy-article bench_postgres '^BM_Postgres_(Copy|Baseline_ServerCopy)/' "${pair_args[@]}" ||
      status=$?
  fi
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
echo
python3 benchmarks/report.py "${jsons[@]}" --markdown "$out/report.md" --svg "$out/rows_per_second.svg" \
  ${pair_jsons[@]+--pairs "${pair_jsons[@]}"}
echo "bench.sh: load average before: $load_before; after: $load_after"
if ((publish)); then
  mkdir -p docs/benchmarks
  model=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
  sockets=$(lscpu | sed -n 's/^Socket(s): *//p' | head -1)
  cores=$(lscpu | sed -n 's/^Core(s) per socket: *//p' | head -1)
  threads=$(lscpu | sed -n 's/^Thread(s) per core: *//p' | head -1)
  ram=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  {
    echo "# bulkinsert benchmark results"
    echo
    echo "- Machine: ${model:-unknown CPU}, $(nproc) CPUs (${sockets:-?} socket x ${cores:-?} cores x ${threads:-?} threads), $ram RAM"
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); load average (1, 5, 15 min) before the run: $load_before, after: $load_after"
    echo "- Command: \`scripts/bench.sh ${args[*]}\`; raw JSON in \`bench-results/\` of the machine that ran it"
    echo
    cat "$out/report.md"
  } >docs/benchmarks/report.md
  cp "$out/rows_per_second.svg" docs/benchmarks/rows_per_second.svg
  echo "bench.sh: published docs/benchmarks/report.md and docs/benchmarks/rows_per_second.svg"
fi
echo "bench.sh: done in $(($(date +%s) - started)) s; results in $out/"
exit "$status"
