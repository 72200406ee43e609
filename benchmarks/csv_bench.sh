#!/usr/bin/env bash
# bulkinsert-load against the databases' own CSV loaders, on the same generated file, in the same run:
#   PostgreSQL: psql's \copy ... (FORMAT csv)   vs  bulkinsert-load --strategy copy
#   SQLite:     sqlite3 .import --csv           vs  bulkinsert-load (multi_values)
# Median wall-clock time of 3 runs each; also bulkinsert-load's peak RSS for a 10x smaller file, to show
# that memory does not grow with the file.
#
#   benchmarks/csv_bench.sh [BULKINSERT_LOAD_BINARY] [ROWS]
#
# PostgreSQL: a throwaway cluster started here (tests/support/pg_cluster.sh), or $BULKINSERT_BENCH_PG
# (a libpq conninfo "host=... port=... dbname=... user=...") if set.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${1:-$root/build/tools/bulkinsert-load}
rows=${2:-1000000}
runs=3
[[ -x $bin ]] || { echo "no bulkinsert-load at $bin (build it, or pass its path)" >&2; exit 1; }
for tool in psql sqlite3 python3 awk; do command -v $tool >/dev/null || { echo "$tool is needed" >&2; exit 1; }; done

work=$(mktemp -d "${TMPDIR:-/tmp}/bulkinsert-csv-bench-XXXXXX")
pg_dir=""
cleanup() {
  [[ -n $pg_dir ]] && bash "$root/tests/support/pg_cluster.sh" stop "$pg_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

if [[ -n ${BULKINSERT_BENCH_PG:-} ]]; then
  conninfo=$BULKINSERT_BENCH_PG
else
  pg_dir="/tmp/bulkinsert-csv-bench-pg-$$"
  conninfo=$(bash "$root/tests/support/pg_cluster.sh" start "$pg_dir" 54399 | tail -n 1)
fi
declare -A kv
for pair in $conninfo; do kv[${pair%%=*}]=${pair#*=}; done
url="postgresql://${kv[user]}@/${kv[dbname]}?host=${kv[host]}&port=${kv[port]}"
pg() { psql "$conninfo" -qAtX -v ON_ERROR_STOP=1 "$@"; }

# The file: id, quoted text with a comma, a decimal, a date, a boolean (about 60 bytes a row).
generate() {
  awk -v n="$1" 'BEGIN {
    print "id,name,score,born,active"
    for (i = 0; i < n; i++)
      printf "%d,\"user %d, the %dth\",%d.%d,%04d-%02d-%02d,%s\n", i + 1, i, i, i % 1000, i % 100,
             1950 + i % 70, 1 + i % 12, 1 + i % 28, (i % 2 == 0 ? "true" : "false")
  }' >"$2"
}
csv="$work/gen.csv"
small="$work/small.csv"
generate "$rows" "$csv"
generate $((rows / 10)) "$small"
echo "file: $rows rows, $(du -h "$csv" | cut -f1), 5 columns"

# seconds COMMAND...: wall-clock seconds of one run.
seconds() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null
  t1=$(date +%s.%N)
  python3 -c "print(round($t1 - $t0, 4))"
}
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# Peak resident memory (KiB) of a command.
peak_kib() {
  python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
}

pg_table="CREATE TABLE gen (id bigint, name text, score double precision, born date, active boolean)"
pg -c "DROP TABLE IF EXISTS gen" -c "$pg_table" >/dev/null

declare -a psql_t load_t sqlite_t sqlite_load_t
for i in $(seq $runs); do
  pg -c "TRUNCATE gen" -c "CHECKPOINT" >/dev/null
  psql_t+=("$(seconds pg -c "\\copy gen FROM '$csv' WITH (FORMAT csv, HEADER true)")")
  [[ $(pg -c "SELECT count(*) FROM gen") == "$rows" ]] || { echo "psql \\copy loaded a wrong count" >&2; exit 1; }
  pg -c "TRUNCATE gen" -c "CHECKPOINT" >/dev/null
  load_t+=("$(seconds "$bin" "$csv" --into gen --db "$url" --strategy copy --quiet)")
  [[ $(pg -c "SELECT count(*) FROM gen") == "$rows" ]] || { echo "bulkinsert-load loaded a wrong count" >&2; exit 1; }

  db="$work/import.db"
  rm -f "$db"
  sqlite3 "$db" "CREATE TABLE gen (id INTEGER, name TEXT, score REAL, born DATE, active BOOLEAN)"
  sqlite_t+=("$(seconds sqlite3 "$db" ".import --csv --skip 1 $csv gen")")
  [[ $(sqlite3 "$db" "SELECT count(*) FROM gen") == "$rows" ]] || { echo "sqlite3 .import loaded a wrong count" >&2; exit 1; }
  rm -f "$db"
  sqlite3 "$db" "CREATE TABLE gen (id INTEGER, name TEXT, score REAL, born DATE, active BOOLEAN)"
  sqlite_load_t+=("$(seconds "$bin" "$csv" --into gen --db "sqlite:$db" --quiet)")
  [[ $(sqlite3 "$db" "SELECT count(*) FROM gen") == "$rows" ]] || { echo "bulkinsert-load loaded a wrong count" >&2; exit 1; }
done

pg -c "TRUNCATE gen" >/dev/null
rss_small=$(peak_kib "$bin" "$small" --into gen --db "$url" --strategy copy --quiet)
pg -c "TRUNCATE gen" >/dev/null
rss_big=$(peak_kib "$bin" "$csv" --into gen --db "$url" --strategy copy --quiet)
rm -f "$work/import.db"
sqlite3 "$work/import.db" "CREATE TABLE gen (id INTEGER, name TEXT, score REAL, born DATE, active BOOLEAN)"
rss_sqlite_small=$(peak_kib "$bin" "$small" --into gen --db "sqlite:$work/import.db" --quiet)
rss_sqlite_big=$(peak_kib "$bin" "$csv" --into gen --db "sqlite:$work/import.db" --quiet)

row() {  # row NAME BASELINE_TIMES... -- OURS_TIMES...
  local name=$1 base ours
  base=$2 ours=$3
  python3 - "$name" "$base" "$ours" "$rows" <<'EOF'
import sys
name, base, ours, rows = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
print(f"| {name:<10} | {base:8.3f} s | {rows / base:12,.0f} | {ours:8.3f} s | {rows / ours:12,.0f} | {base / ours:5.2f}x |")
EOF
}
echo
echo "median of $runs runs, $rows rows"
echo "| database   | baseline   | rows/s       | bulkinsert | rows/s       | ratio  |"
echo "|------------|------------|--------------|------------|--------------|--------|"
row "PostgreSQL" "$(median "${psql_t[@]}")" "$(median "${load_t[@]}")"
row "SQLite" "$(median "${sqlite_t[@]}")" "$(median "${sqlite_load_t[@]}")"
echo "baselines: psql \\copy (FORMAT csv); sqlite3 .import --csv. bulkinsert: bulkinsert-load --strategy copy / multi_values"
echo "all runs (s): psql ${psql_t[*]} | load(pg) ${load_t[*]} | sqlite3 ${sqlite_t[*]} | load(sqlite) ${sqlite_load_t[*]}"
echo "peak RSS of bulkinsert-load: PostgreSQL $((rss_small / 1024)) MiB at $((rows / 10)) rows, $((rss_big / 1024)) MiB at $rows rows;" \
  "SQLite $((rss_sqlite_small / 1024)) MiB, $((rss_sqlite_big / 1024)) MiB"
