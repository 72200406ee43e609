#!/usr/bin/env bash
# Builds the benchmarks (Release, in ./build-bench), runs them, writes bench-results/ and prints the
# article's table. Idempotent; needs no network (dependencies: scripts/install-deps.sh).
#
#   scripts/bench.sh                       SQLite only (a temporary database file)
#   scripts/bench.sh --pg-start            also PostgreSQL, on a throwaway local cluster
#   BULKINSERT_BENCH_PG='host=... dbname=...' scripts/bench.sh      also PostgreSQL, on that server
#   scripts/bench.sh --pg=CONNSTR          the same
#   scripts/bench.sh --mariadb-start       also MariaDB, on a throwaway local server at default durability
#   BULKINSERT_BENCH_MARIADB='mariadb://...' scripts/bench.sh      also MariaDB, on that server
#   scripts/bench.sh --mariadb=URL         the same (mariadb://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?socket=PATH])
#   scripts/bench.sh --no-sqlite           skip bench_sqlite (with --pg... / --mariadb...: only those)
#   scripts/bench.sh --rows=N              rows per timed insert (default 100000; PG and MariaDB PerRow: N/10)
#   scripts/bench.sh --stream              also the 1,000,000-row streaming benchmarks (slow)
#   scripts/bench.sh --publish             also copy report.md (with a machine/date header) and the chart
#                                          to docs/benchmarks/, which the README shows
#   scripts/bench.sh --no-pairs            skip the pair runs (below)
#   scripts/bench.sh --pair-repetitions=N  repetitions of each pair run (default 25)
# Anything else (e.g. --benchmark_filter=Copy) is passed to every binary; a --benchmark_filter also
# skips the pair runs.
#
# After the main run, each strategy that has an efficiency target runs again with only its
# hand-written baseline beside it (25 repetitions, interleaved): the report judges the targets on
# these pair runs, where a repetition and the baseline's nearest one are a second or two apart.
#
# Output: bench-results/sqlite.json, bench-results/postgres.json, bench-results/mariadb.json (Google Benchmark JSON),
#         bench-results/pairs-*.json (the pair runs),
#         bench-results/report.md (the table), bench-results/rows_per_second.svg (the chart).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

pg=0
mariadb=0
sqlite=1
publish=0
pairs=1
pair_repetitions=25
args=()
for a in "$@"; do
  case "$a" in
    --pg-start | --pg=*) pg=1 ;;
    --mariadb-start | --mariadb=*) mariadb=1 ;;
    --no-sqlite) sqlite=0; continue ;;
    --publish) publish=1; continue ;;
    --no-pairs) pairs=0; continue ;;
    --pair-repetitions=*) pair_repetitions=${a#*=}; continue ;;
    --benchmark_filter=*) pairs=0 ;;
  esac
  args+=("$a")
done
[[ -n "${BULKINSERT_BENCH_PG:-}" ]] && pg=1
[[ -n "${BULKINSERT_BENCH_MARIADB:-}" ]] && mariadb=1

build=build-bench
out=bench-results
started=$(date +%s)

# Tests and examples are not needed here; other builds in ./build are left alone.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBULKINSERT_TESTS=OFF -DBULKINSERT_EXAMPLES=OFF \
  -DBULKINSERT_BENCHMARKS=ON >/dev/null
targets=()
((sqlite)) && targets+=(bench_sqlite)
((pg)) && targets+=(bench_postgres)
((mariadb)) && targets+=(bench_mariadb)
((${#targets[@]})) || { echo "bench.sh: --no-sqlite and no --pg... / --mariadb...: nothing to run" >&2; exit 2; }
cmake --build "$build" -j2 --target "${targets[@]}"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench.sh: load average before the run: $load_before (on $(nproc) CPUs)"
mkdir -p "$out"
rm -f "$out"/sqlite.json "$out"/postgres.json "$out"/mariadb.json "$out"/pairs-*.json "$out"/report.md "$out"/rows_per_second.svg
# Repetitions run in random order across benchmarks: a slow spell of this shared VM then lands on
# library and baseline alike instead of on whichever ran during it; the report takes medians of 9, so
# that two or three disturbed runs (a checkpoint, a neighbour on the host) do not move them.
common=(--benchmark_enable_random_interleaving=true --benchmark_display_aggregates_only=true --benchmark_out_format=json)

# Each binary gets the flags but the other servers' (bench_sqlite gets neither).
sqlite_args=()
pg_args=()
mariadb_args=()
for a in "${args[@]}"; do
  case "$a" in
    --pg-start | --pg=*) pg_args+=("$a") ;;
    --mariadb-start | --mariadb=*) mariadb_args+=("$a") ;;
    *) sqlite_args+=("$a"); pg_args+=("$a"); mariadb_args+=("$a") ;;
  esac
done

jsons=()
status=0
if ((sqlite)); then
  echo "== bench_sqlite"
  "$build/benchmarks/bench_sqlite" "${common[@]}" --benchmark_repetitions=9 --benchmark_out="$out/sqlite.json" ${sqlite_args[@]+"${sqlite_args[@]}"}
  jsons+=("$out/sqlite.json")
fi
if ((pg)); then
  echo "== bench_postgres"
  # A failed PostgreSQL run still gets the other tables printed; the script then exits non-zero.
  "$build/benchmarks/bench_postgres" "${common[@]}" --benchmark_repetitions=9 --benchmark_out="$out/postgres.json" "${pg_args[@]}" || status=$?
  [[ -s "$out/postgres.json" ]] && jsons+=("$out/postgres.json")
else
  echo "== bench_postgres skipped: pass --pg-start, --pg=CONNSTR or set BULKINSERT_BENCH_PG"
fi
mariadb_status=0
if ((mariadb)); then
  echo "== bench_mariadb"
  "$build/benchmarks/bench_mariadb" "${common[@]}" --benchmark_repetitions=9 --benchmark_out="$out/mariadb.json" "${mariadb_args[@]}" || mariadb_status=$?
  [[ -s "$out/mariadb.json" ]] && jsons+=("$out/mariadb.json")
  ((mariadb_status == 0)) || status=$mariadb_status
else
  echo "== bench_mariadb skipped: pass --mariadb-start, --mariadb=URL or set BULKINSERT_BENCH_MARIADB"
fi

# The pair runs: each target's two benchmarks alone, 25 repetitions interleaved, so that every
# repetition has one of the other benchmark's within a second or two of it.
pair_jsons=()
if ((pairs)); then
  without_stream() {  # ARGS...: the arguments but --stream
    local a
    for a in "$@"; do [[ "$a" == --stream ]] || printf '%s\0' "$a"; done
  }
  pair_sqlite_args=() pair_pg_args=() pair_mariadb_args=()
  ((${#sqlite_args[@]})) && mapfile -d '' pair_sqlite_args < <(without_stream "${sqlite_args[@]}")
  mapfile -d '' pair_pg_args < <(without_stream "${pg_args[@]}")
  mapfile -d '' pair_mariadb_args < <(without_stream "${mariadb_args[@]}")
  pair_run() {  # NAME BINARY FILTER ARGS...
    local name=$1 binary=$2 filter=$3
    shift 3
    echo "== pair run: $name"
    "$build/benchmarks/$binary" "${common[@]}" --benchmark_repetitions="$pair_repetitions" \
      --benchmark_out="$out/pairs-$name.json" "--benchmark_filter=$filter" "$@" || return $?
    pair_jsons+=("$out/pairs-$name.json")
  }
  if ((sqlite)); then
    pair_run sqlite-execute_many-light bench_sqlite '^BM_Sqlite_(ExecuteMany|Baseline_PreparedLoop)_Light/' \
      ${pair_sqlite_args[@]+"${pair_sqlite_args[@]}"}
  fi
  if ((pg)) && ((status == 0)); then
    pair_run postgres-copy-light bench_postgres '^BM_Postgres_(Copy|Baseline_CopyBinary)_Light/' "${pair_pg_args[@]}" ||
      status=$?
    pair_run postgres-multi_values-light bench_postgres '^BM_Postgres_(MultiValues|Baseline_MultiValues)_Light/' \
      "${pair_pg_args[@]}" || status=$?
    pair_run postgres-copy-article bench_postgres '^BM_Postgres_(Copy|Baseline_ServerCopy)/' "${pair_pg_args[@]}" ||
      status=$?
  fi
  # MariaDB: each strategy with its hand-written twin (light schema), and the default strategy with the
  # server alone (article schema). Each run with --mariadb-start starts a server of its own.
  if ((mariadb)) && ((mariadb_status == 0)); then
    pair_run mariadb-execute_many-light bench_mariadb '^BM_Mariadb_(ExecuteMany|Baseline_ArrayBinding)_Light/' \
      "${pair_mariadb_args[@]}" || status=$?
    pair_run mariadb-multi_values-light bench_mariadb '^BM_Mariadb_(MultiValues|Baseline_MultiValues)_Light/' \
      "${pair_mariadb_args[@]}" || status=$?
    pair_run mariadb-copy-light bench_mariadb '^BM_Mariadb_(Copy|Baseline_LoadData)_Light/' "${pair_mariadb_args[@]}" ||
      status=$?
    pair_run mariadb-default-article bench_mariadb '^BM_Mariadb_(MultiValues|Baseline_ServerInsert)/' \
      "${pair_mariadb_args[@]}" || status=$?
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
