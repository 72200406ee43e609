#!/usr/bin/env bash
# Installs dependencies, then runs every check, stopping at the first stage that fails:
#   1. ./build (RelWithDebInfo): builds everything, runs every CTest test (the PostgreSQL tests start
#      their own throwaway cluster).
#   2. ./build-asan: the tests, examples and tools again under AddressSanitizer + UndefinedBehaviorSanitizer
#      (-DBULKINSERT_SANITIZE=ON); any report fails the test that made it. Its PostgreSQL cluster has its
#      own directory (BULKINSERT_TEST_PG_DIR is keyed by the build dir), so it never meets stage 1's.
#   3. scripts/fuzz.sh: every libFuzzer target for a bounded number of runs (build-fuzz, clang).
# Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

stage() { echo; echo "=== run-tests: $* ($(date -u +%T))"; }
start=$SECONDS

bash scripts/install-deps.sh

stage "1/3 build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j2
ctest --test-dir build --output-on-failure -j2

stage "2/3 build-asan (AddressSanitizer + UndefinedBehaviorSanitizer)"
# Debug (-O0 -g, asserts on): instrumented -O1 took twice as long to compile here (a test file:
# 108 s against 227 s), and the suite is bound by the database, not by our code's speed.
# clang++ here, g++ in stage 1: the tests, examples and tools build with both compilers.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DBULKINSERT_SANITIZE=ON -DBULKINSERT_BENCHMARKS=OFF \
  -DCMAKE_CXX_COMPILER=clang++
cmake --build build-asan -j2
# abort_on_error / halt_on_error: a report kills the process, so the test fails even if the program
# would have exited 0. detect_leaks: LeakSanitizer works here (ptrace is allowed); see README.
# The soak tests (load and memory flatness) run in stage 1 only: the sanitizer's quarantine is not flat.
# tests/support/lsan.supp: libpqxx 6.4 leaks a libpq result inside itself when the server goes away.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
LSAN_OPTIONS="suppressions=$PWD/tests/support/lsan.supp" \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j2 -E '^soak:'

stage "3/3 fuzz (bounded)"
bash scripts/fuzz.sh

stage "all stages passed in $((SECONDS - start)) s"
