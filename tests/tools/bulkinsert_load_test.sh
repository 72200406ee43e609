#!/usr/bin/env bash
# End-to-end checks of the bulkinsert-load command: exit codes, the printed counts, the reject file.
#
#   bulkinsert_load_test.sh BINARY sqlite
#   bulkinsert_load_test.sh BINARY postgres      (BULKINSERT_TEST_PG: the fixture's libpq conninfo)
#   bulkinsert_load_test.sh BINARY mariadb       (BULKINSERT_TEST_MARIADB: the fixture's mariadb:// URL)
set -uo pipefail

bin=$1
backend=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/bulkinsert-load-test-XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# run EXPECTED_STATUS ARGS...: runs the command, keeps stdout/stderr in $out/$err.
run() {
  local expected=$1; shift
  "$bin" "$@" >"$work/out" 2>"$work/err"
  local status=$?
  out=$(cat "$work/out"); err=$(cat "$work/err")
  if [[ $status -ne $expected ]]; then
    fail "exit $status, expected $expected: bulkinsert-load $* | stdout: $out | stderr: $err"
    return 1
  fi
  return 0
}
expect_in() {  # expect_in TEXT NEEDLE
  [[ "$1" == *"$2"* ]] || fail "expected \"$2\" in: $1"
}

if [[ $backend == sqlite ]]; then
  db_file="$work/t.db"
  db="sqlite:$db_file"
  sql() { sqlite3 "$db_file" "$1"; }
  sql "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, age INTEGER)"
  schema_args=()
elif [[ $backend == mariadb ]]; then
  [[ -n "${BULKINSERT_TEST_MARIADB:-}" ]] || { echo "BULKINSERT_TEST_MARIADB is not set" >&2; exit 1; }
  socket=${BULKINSERT_TEST_MARIADB#*\?socket=}
  database="cli_test_$$_$RANDOM"
  # mysql:// is the same as mariadb://; the URL names the database, --schema names it again.
  db="mysql://root@localhost/$database?socket=$socket"
  sql() { mariadb --no-defaults --socket="$socket" -uroot -N -B -e "$1" "$database"; }
  mariadb --no-defaults --socket="$socket" -uroot -e "CREATE DATABASE $database"
  trap 'mariadb --no-defaults --socket="$socket" -uroot -e "DROP DATABASE $database" >/dev/null 2>&1; rm -rf "$work"' EXIT
  sql "CREATE TABLE people (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL UNIQUE, age INT)"
  schema_args=(--schema "$database")
else
  [[ -n "${BULKINSERT_TEST_PG:-}" ]] || { echo "BULKINSERT_TEST_PG is not set" >&2; exit 1; }
  # The fixture's conninfo: host=SOCKDIR port=PORT dbname=D user=U
  declare -A kv
  for pair in $BULKINSERT_TEST_PG; do kv[${pair%%=*}]=${pair#*=}; done
  db="postgresql://${kv[user]}@/${kv[dbname]}?host=${kv[host]}&port=${kv[port]}"
  schema="cli_test_$$_$RANDOM"
  sql() { psql "$BULKINSERT_TEST_PG" -qAtX -v ON_ERROR_STOP=1 -c "SET search_path TO $schema; $1"; }
  psql "$BULKINSERT_TEST_PG" -qAtX -c "CREATE SCHEMA $schema" >/dev/null
  trap 'psql "$BULKINSERT_TEST_PG" -qAtX -c "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1; rm -rf "$work"' EXIT
  sql "CREATE TABLE people (id serial PRIMARY KEY, name text NOT NULL UNIQUE, age integer)"
  schema_args=(--schema "$schema")
fi
load() { run "$1" "${@:2}" --into people --db "$db" "${schema_args[@]}"; }

# --- help and usage errors -------------------------------------------------------------------
run 0 --help && for flag in --into --db --strategy --chunk-rows --map --delimiter --null --checkpoint-every \
    --resume --max-rejects --rejects --quiet --workers --ignore-unmapped --schema; do expect_in "$out" "$flag"; done
run 2 "$work/none.csv" --db "$db" && expect_in "$err" "--into TABLE is required"
run 2 x.csv --into people --db oracle://x && expect_in "$err" "--db must be sqlite:PATH, postgresql://... or mariadb://"
run 2 x.csv --into people --db "$db" --max-rejects 3 && expect_in "$err" "--rejects FILE"
run 2 x.csv --into people --db "$db" --bogus && expect_in "$err" "unknown option --bogus"

# --- a clean load, with CRLF, a BOM, quoting and a tab delimiter -------------------------------
printf '\xef\xbb\xbfname\tage\r\n"a\tb"\t1\r\n"line\nbreak"\t\r\n"q""uote"\t3\r\n' >"$work/tab.csv"
load 0 "$work/tab.csv" --delimiter tab --quiet && expect_in "$out" "3 rows read, 3 loaded, 0 rejected"
[[ $(sql "SELECT count(*) FROM people WHERE age IS NULL") == 1 ]] || fail "empty field did not become NULL"
[[ $(sql "SELECT name FROM people WHERE age = 3") == 'q"uote' ]] || fail "doubled quote not read"
sql "DELETE FROM people" >/dev/null

# --- standard input, and --map ------------------------------------------------------------------
printf 'who,years\nann,30\nbob,40\n' | "$bin" - --into people --db "$db" "${schema_args[@]}" --map who=name --map years=age \
  >"$work/out" 2>"$work/err" || fail "stdin load failed: $(cat "$work/err")"
expect_in "$(cat "$work/out")" "2 rows read, 2 loaded, 0 rejected"

# --- failures: one line, non-zero ------------------------------------------------------------------
load 1 "$work/missing.csv" && expect_in "$err" "cannot open $work/missing.csv"
run 1 "$work/tab.csv" --into nope --db "$db" "${schema_args[@]}" && expect_in "$err" 'table "nope"'
printf 'name,agee\nx,1\n' >"$work/header.csv"
load 1 "$work/header.csv" && expect_in "$err" 'CSV column "agee" has no column in table "people"'
printf 'age\n1\n' >"$work/required.csv"
load 1 "$work/required.csv" && expect_in "$err" "requires column name"
printf 'name,age\nok,1\n"open,2\nmore,3\n' >"$work/unclosed.csv"
load 1 "$work/unclosed.csv" && expect_in "$err" "line 3" && expect_in "$err" "never closed"
printf 'name,age\nc1,1\nc2,two\n' >"$work/convert.csv"
load 1 "$work/convert.csv" && expect_in "$err" 'line 3, column "age": "two" is not an integer'
[[ $(echo "$err" | wc -l) == 1 ]] || fail "the reason is not one line: $err"
[[ $(sql "SELECT count(*) FROM people WHERE name LIKE 'c_'") == 0 ]] || fail "a failed load left rows behind"
if [[ $backend == sqlite ]]; then
  run 1 "$work/tab.csv" --into people --db "sqlite:$work/no/such.db" && expect_in "$err" "cannot open SQLite database"
elif [[ $backend == mariadb ]]; then
  run 1 "$work/tab.csv" --into people --db "mariadb://nobody@localhost/x?socket=$work/nosock" &&
    expect_in "$err" "cannot connect to MariaDB"
else
  run 1 "$work/tab.csv" --into people --db "postgresql://nobody@/x?host=$work&port=1" &&
    expect_in "$err" "cannot connect to PostgreSQL"
fi

# --- a unique violation, without and with a reject limit ------------------------------------------------
sql "DELETE FROM people" >/dev/null
sql "INSERT INTO people (name, age) VALUES ('ann', 0)" >/dev/null
{
  echo "name,age"
  for i in $(seq 1 30); do
    if [[ $i == 5 ]]; then echo "ann,5"; elif [[ $i == 20 ]]; then echo "dup,20"; else echo "u$i,$i"; fi
  done
  echo "dup,31"
  printf 'bad\xff,32\n'
  echo "w,x,33"
} >"$work/dups.csv"
for strategy in $([[ $backend == sqlite ]] && echo "multi_values execute_many per_row" || echo "copy multi_values execute_many per_row"); do
  load 1 "$work/dups.csv" --strategy "$strategy" --chunk-rows 8
  [[ $(sql "SELECT count(*) FROM people") == 1 ]] || fail "$strategy: rows left behind by a refused load"
  rm -f "$work/rejects.csv"
  load 0 "$work/dups.csv" --strategy "$strategy" --chunk-rows 8 --max-rejects 4 --rejects "$work/rejects.csv" &&
    expect_in "$out" "33 rows read, 29 loaded, 4 rejected"
  [[ $(sql "SELECT count(*) FROM people") == 30 ]] || fail "$strategy: table does not hold exactly the good rows"
  [[ $(sql "SELECT count(*) FROM people WHERE age IN (5, 31, 32, 33)") == 0 ]] || fail "$strategy: a bad row was loaded"
  lines=$(tail -n +2 "$work/rejects.csv" | cut -d, -f1 | sort -n | tr '\n' ' ')
  [[ $lines == "6 32 33 34 " ]] || fail "$strategy: reject file lines are \"$lines\": $(cat "$work/rejects.csv")"
  grep -q '^32,.*"dup,31"$' "$work/rejects.csv" || fail "$strategy: reject file lacks the record: $(cat "$work/rejects.csv")"
  grep -q '^34,,,"3 fields, expected 2","w,x,33"$' "$work/rejects.csv" || fail "$strategy: malformed row not rejected with its reason"
  sql "DELETE FROM people WHERE name <> 'ann'" >/dev/null
  load 1 "$work/dups.csv" --strategy "$strategy" --chunk-rows 8 --max-rejects 2 --rejects "$work/rejects.csv"
  expect_in "$err" "more than 2"
  [[ $(sql "SELECT count(*) FROM people") == 1 ]] || fail "$strategy: rows left behind past the reject limit"
done

# --- checkpoint and resume --------------------------------------------------------------------------------
sql "DELETE FROM people" >/dev/null
{ echo "name,age"; for i in $(seq 1 100); do echo "r$i,$i"; done; } >"$work/resume.csv"
sql "INSERT INTO people (name, age) VALUES ('r45', 0)" >/dev/null
load 1 "$work/resume.csv" --chunk-rows 10 --checkpoint-every 1 --resume && expect_in "$err" "lines 42-51"
[[ $(sql "SELECT count(*) FROM people") == 41 ]] || fail "checkpoints not kept: $(sql "SELECT count(*) FROM people")"
sql "DELETE FROM people WHERE age = 0" >/dev/null
load 0 "$work/resume.csv" --chunk-rows 10 --checkpoint-every 1 --resume &&
  expect_in "$out" "100 rows read, 100 loaded, 0 rejected" && expect_in "$out" "40 of the loaded rows were committed by an earlier run"
[[ $(sql "SELECT count(DISTINCT name) FROM people") == 100 && $(sql "SELECT count(*) FROM people") == 100 ]] ||
  fail "resume did not load each row exactly once"

# --- progress when not a terminal: nothing for a short load, and nothing at all with --quiet ---------------
sql "DELETE FROM people" >/dev/null
load 0 "$work/resume.csv" && [[ -z $err ]] || fail "unexpected stderr: $err"

if [[ $backend != sqlite ]]; then
  # InnoDB keeps deleted keys (delete-marked, until purge) in the unique index, and inserting the same
  # keys again takes gap locks on them, which parallel workers' inserts then wait on (lock timeout):
  # TRUNCATE leaves no deleted keys behind. The README says so.
  if [[ $backend == mariadb ]]; then sql "TRUNCATE TABLE people" >/dev/null; else sql "DELETE FROM people" >/dev/null; fi
  load 0 "$work/resume.csv" --workers 3 --chunk-rows 10 && expect_in "$out" "100 rows read, 100 loaded, 0 rejected"
  [[ $(sql "SELECT count(*) FROM people") == 100 ]] || fail "--workers did not load every row"
else
  load 2 "$work/resume.csv" --workers 3 && expect_in "$err" "--workers needs PostgreSQL or MariaDB"
fi

if [[ $failures -ne 0 ]]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all bulkinsert-load checks passed ($backend)"
