#!/usr/bin/env bash
# The benchmark harness in miniature, for the test suite: both binaries at 2,000 rows, one repetition
# (PostgreSQL on its own throwaway cluster), then report.py on their JSON. Fails if a binary fails, if a
# benchmark the issue names is missing or reports an error or a wrong row count, or if the report
# cannot be drawn. It measures nothing worth reading: it keeps the harness from rotting unnoticed.
#
#   benchmarks/smoke.sh BENCH_SQLITE BENCH_POSTGRES
set -euo pipefail

[[ $# -eq 2 ]] || { echo "usage: $0 BENCH_SQLITE BENCH_POSTGRES" >&2; exit 2; }
bench_sqlite=$1
bench_postgres=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$(mktemp -d /tmp/bulkinsert-bench-smoke-XXXXXX)
trap 'rm -rf "$out"' EXIT

rows=2000
common=(--rows=$rows --benchmark_repetitions=1 --benchmark_out_format=json)

"$bench_sqlite" "${common[@]}" --benchmark_out="$out/sqlite.json" >"$out/sqlite.txt" 2>&1 ||
  { cat "$out/sqlite.txt"; echo "smoke: bench_sqlite failed" >&2; exit 1; }
"$bench_postgres" --pg-start "${common[@]}" --benchmark_out="$out/postgres.json" >"$out/postgres.txt" 2>&1 ||
  { cat "$out/postgres.txt"; echo "smoke: bench_postgres --pg-start failed" >&2; exit 1; }

python3 - "$out/sqlite.json" "$out/postgres.json" "$rows" <<'EOF'
import json, sys

rows = int(sys.argv[3])
names, problems = set(), []
for path in sys.argv[1:3]:
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
    for key in ("compiler", "sqlite_version") if "sqlite" in path else ("compiler", "libpq_version", "postgres_server_version"):
        if key not in data["context"]:
            problems.append(f"{path}: context has no {key}")

expected = set()
for suffix in ("", "_Light"):
    for s in ("PerRow", "MultiValues", "ExecuteMany", "Baseline_PreparedLoop"):
        expected.add(f"BM_Sqlite_{s}{suffix}")
    for s in ("PerRow", "MultiValues", "ExecuteMany", "Copy", "Baseline_CopyBinary", "Baseline_MultiValues",
              "Baseline_ServerCopy"):
        expected.add(f"BM_Postgres_{s}{suffix}")
expected |= {"BM_Sqlite_MultiValuesSweep_Light", "BM_Postgres_MultiValuesSweep_Light"}
problems += [f"missing: {n}" for n in sorted(expected - names)]
if problems:
    print("smoke: " + "\nsmoke: ".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"smoke: {len(names)} benchmarks ran without error")
EOF

python3 "$here/report.py" "$out/sqlite.json" "$out/postgres.json" --pairs "$out/sqlite.json" "$out/postgres.json" \
  --markdown "$out/report.md" --svg "$out/chart.svg" >/dev/null
for want in "### SQLite, light schema" "### PostgreSQL, article schema" "### Targets" "Baseline_CopyBinary"; do
  grep -qF "$want" "$out/report.md" || { echo "smoke: report.md lacks \"$want\"" >&2; exit 1; }
done
grep -q "<svg" "$out/chart.svg" || { echo "smoke: no chart" >&2; exit 1; }
echo "smoke: report and chart drawn"
