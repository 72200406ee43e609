#!/usr/bin/env bash
# The benchmark harness in miniature, for the test suite: the binaries at 2,000 rows, one repetition
# (PostgreSQL on its own throwaway cluster; MariaDB, when given, in a database of its own on the test
# fixture's server, $BULKINSERT_TEST_MARIADB), then report.py on their JSON. Fails if a binary fails, if a
# benchmark the issue names is missing or reports an error or a wrong row count, or if the report
# cannot be drawn. It measures nothing worth reading: it keeps the harness from rotting unnoticed.
#
#   benchmarks/smoke.sh BENCH_SQLITE BENCH_POSTGRES [BENCH_MARIADB]
set -euo pipefail

[[ $# -eq 2 || $# -eq 3 ]] || { echo "usage: $0 BENCH_SQLITE BENCH_POSTGRES [BENCH_MARIADB]" >&2; exit 2; }
bench_sqlite=$1
bench_postgres=$2
bench_mariadb=${3:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$(mktemp -d /tmp/bulkinsert-bench-smoke-XXXXXX)
trap 'rm -rf "$out"' EXIT

rows=2000
common=(--rows=$rows --benchmark_repetitions=1 --benchmark_out_format=json)

"$bench_sqlite" "${common[@]}" --benchmark_out="$out/sqlite.json" >"$out/sqlite.txt" 2>&1 ||
  { cat "$out/sqlite.txt"; echo "smoke: bench_sqlite failed" >&2; exit 1; }
"$bench_postgres" --pg-start "${common[@]}" --benchmark_out="$out/postgres.json" >"$out/postgres.txt" 2>&1 ||
  { cat "$out/postgres.txt"; echo "smoke: bench_postgres --pg-start failed" >&2; exit 1; }
jsons=("$out/sqlite.json" "$out/postgres.json")
if [[ -n "$bench_mariadb" ]]; then
  [[ -n "${BULKINSERT_TEST_MARIADB:-}" ]] ||
    { echo "smoke: BULKINSERT_TEST_MARIADB is not set (run through ctest, whose fixture starts the server)" >&2; exit 1; }
  # The fixture's URL with a database of this run's own (bench_mariadb creates it).
  url=$(sed -E "s#^([a-z]+://[^/]*/)[^?]*#\1bulkinsert_bench_smoke_$$#" <<<"$BULKINSERT_TEST_MARIADB")
  "$bench_mariadb" --mariadb="$url" "${common[@]}" --benchmark_out="$out/mariadb.json" >"$out/mariadb.txt" 2>&1 ||
    { cat "$out/mariadb.txt"; echo "smoke: bench_mariadb --mariadb=$url failed" >&2; exit 1; }
  jsons+=("$out/mariadb.json")
fi

python3 - "$rows" "${jsons[@]}" <<'EOF'
import json, sys

rows = int(sys.argv[1])
names, problems = set(), []
backends = set()
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    for b in data["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        name = b["name"].split("/")[0]
        names.add(name)
        if b.get("error_occurred"):
            problems.append(f"{b['name']}: {b.get('error_message')}")
        elif b.get("started_s", -1) < 0 and not name.endswith("Stream1M"):
            problems.append(f"{b['name']}: no started_s counter")
    backend = "sqlite" if path.endswith("sqlite.json") else "mariadb" if path.endswith("mariadb.json") else "postgres"
    backends.add(backend)
    keys = {"sqlite": ("compiler", "sqlite_version"),
            "postgres": ("compiler", "libpq_version", "postgres_server_version"),
            "mariadb": ("compiler", "mariadb_client_version", "mariadb_server_version", "mariadb_default_strategy")}
    for key in keys[backend]:
        if key not in data["context"]:
            problems.append(f"{path}: context has no {key}")

expected = set()
for suffix in ("", "_Light"):
    for s in ("PerRow", "MultiValues", "ExecuteMany", "Baseline_PreparedLoop"):
        expected.add(f"BM_Sqlite_{s}{suffix}")
    for s in ("PerRow", "MultiValues", "ExecuteMany", "Copy", "Baseline_CopyBinary", "Baseline_MultiValues",
              "Baseline_ServerCopy"):
        expected.add(f"BM_Postgres_{s}{suffix}")
    if "mariadb" in backends:
        for s in ("PerRow", "MultiValues", "ExecuteMany", "Copy", "Baseline_ArrayBinding", "Baseline_MultiValues",
                  "Baseline_LoadData", "Baseline_ServerInsert"):
            expected.add(f"BM_Mariadb_{s}{suffix}")
expected |= {"BM_Sqlite_MultiValuesSweep_Light", "BM_Postgres_MultiValuesSweep_Light"}
problems += [f"missing: {n}" for n in sorted(expected - names)]
if problems:
    print("smoke: " + "\nsmoke: ".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"smoke: {len(names)} benchmarks ran without error")
EOF

python3 "$here/report.py" "${jsons[@]}" --pairs "${jsons[@]}" --markdown "$out/report.md" --svg "$out/chart.svg" >/dev/null
wants=("### SQLite, light schema" "### PostgreSQL, article schema" "### Targets" "Baseline_CopyBinary")
[[ -n "$bench_mariadb" ]] && wants+=("### MariaDB, article schema" "### MariaDB, light schema"
  "MariaDB light: Copy >= 0.95 x Baseline_LoadData" "(the default strategy against the server alone)")
for want in "${wants[@]}"; do
  grep -qF "$want" "$out/report.md" || { echo "smoke: report.md lacks \"$want\"" >&2; exit 1; }
done
grep -q "<svg" "$out/chart.svg" || { echo "smoke: no chart" >&2; exit 1; }
echo "smoke: report and chart drawn"
