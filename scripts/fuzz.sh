#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang into build-fuzz and runs each one on its committed
# seed corpus (fuzz/corpus/<target>/).
#
#   bash scripts/fuzz.sh                     every target, 20,000 runs each (what scripts/run-tests.sh does)
#   bash scripts/fuzz.sh --runs N            every target, N runs each
#   bash scripts/fuzz.sh --seconds N         every target, N seconds each (-max_total_time)
#   bash scripts/fuzz.sh --seconds 600 fuzz_copy_binary    one target only
#
# New inputs the fuzzer finds go to build-fuzz/corpus/<target>/, never into the committed corpus;
# a crash leaves its input as build-fuzz/crash-* (or leak-*, timeout-*), which the target replays
# when given that file: build-fuzz/fuzz/fuzz_copy_text build-fuzz/crash-...
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

limit=(-runs=20000)
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) limit=("-runs=$2"); shift 2 ;;
    --seconds) limit=("-max_total_time=$2"); shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done

CXX=${FUZZ_CXX:-clang++}
command -v "$CXX" >/dev/null || { echo "fuzz.sh: $CXX not found (scripts/install-deps.sh installs clang)" >&2; exit 1; }

# Only the fuzz targets, which need the core alone: no tests, examples, tools or drivers here.
cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBULKINSERT_FUZZ=ON -DBULKINSERT_TESTS=OFF -DBULKINSERT_BENCHMARKS=OFF -DBULKINSERT_EXAMPLES=OFF \
  -DBULKINSERT_TOOLS=OFF -DBULKINSERT_INSTALL=OFF -DBULKINSERT_WITH_SQLITE=OFF -DBULKINSERT_WITH_POSTGRES=OFF >/dev/null
cmake --build build-fuzz -j2

if [[ ${#targets[@]} -eq 0 ]]; then
  for dir in fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for t in "${targets[@]}"; do
  work="build-fuzz/corpus/$t"
  mkdir -p "$work"
  echo "fuzz.sh: $t ${limit[*]}"
  start=$SECONDS
  # The first corpus dir receives new inputs; the committed seeds are only read. -timeout: an input
  # that takes over 10 s is a hang. -rss_limit_mb: the reader's and encoders' memory is bounded.
  if (cd build-fuzz && "fuzz/$t" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
        "corpus/$t" "../fuzz/corpus/$t" >"fuzz-$t.log" 2>&1); then
    echo "fuzz.sh: $t passed in $((SECONDS - start)) s ($(grep -Eo 'Done [0-9]+ runs' "build-fuzz/fuzz-$t.log" | tail -n 1 || true))"
  else
    echo "fuzz.sh: $t FAILED after $((SECONDS - start)) s; log build-fuzz/fuzz-$t.log:" >&2
    tail -n 40 "build-fuzz/fuzz-$t.log" >&2
    failed+=("$t")
  fi
done

if [[ ${#failed[@]} -ne 0 ]]; then
  echo "fuzz.sh: ${#failed[@]} of ${#targets[@]} targets failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: all ${#targets[@]} targets passed"
