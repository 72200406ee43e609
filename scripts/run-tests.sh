#!/usr/bin/env bash
# Installs dependencies, then runs every check, stopping at the first stage that fails:
#   1. ./build (RelWithDebInfo): builds everything, runs every CTest test (the PostgreSQL tests start
#      their own throwaway cluster).
#      Stage 1 uses Debian's libpqxx 6.4.5; its consumer tests (tests/cmake) also bring libpqxx 7.10.7.
#   2. ./build-asan: the tests, examples and tools again under AddressSanitizer + UndefinedBehaviorSanitizer
#      (-DBULKINSERT_SANITIZE=ON), built against libpqxx 7.10.7 from ../shared/vendor (built static under
#      build-deps/ by scripts/build-libpqxx7.sh, reused on later runs); any report fails the test that
#      made it. Its PostgreSQL cluster has its own directory (BULKINSERT_TEST_PG_DIR is keyed by the
#      build dir), so it never meets stage 1's.
#   3. scripts/fuzz.sh: every libFuzzer target for a bounded number of runs (build-fuzz, clang).
# Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

stage() { echo; echo "=== run-tests: $* ($(date -u +%T))"; }
start=$SECONDS

bash scripts/install-deps.sh

# Stage 2's compiler. Set here, not in stage 2: libpqxx 7.10.7 is built with it before stage 1 (whose
# consumer tests find_package it too), because libpqxx's generated config header records what that
# compiler has (std::source_location: g++ 12 yes, clang++ 14 no), so library and users must agree.
stage2_cxx=clang++

stage "1/3 build"
libpqxx7_prefix=$(bash scripts/build-libpqxx7.sh "$stage2_cxx" | tail -n 1)
# -g1 (line tables, enough for a backtrace) rather than -g: full debug info of these template-heavy tests
# cost a third of the compile (g++ 12, a conformance file: 40 s at -O2 -g, 27 s at -O2 -g1).
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
  -DBULKINSERT_TEST_LIBPQXX7_PREFIX="$libpqxx7_prefix"
cmake --build build -j2
ctest --test-dir build --output-on-failure -j2

stage "2/3 build-asan (AddressSanitizer + UndefinedBehaviorSanitizer, libpqxx 7.10.7)"
# Debug (-O0 -g, asserts on): instrumented -O1 took twice as long to compile here (a test file:
# 108 s against 227 s), and the suite is bound by the database, not by our code's speed.
# clang++ here, g++ in stage 1: the tests, examples and tools build with both compilers.
# Against libpqxx 7 rather than a stage of its own: the same tests, examples and tools, a second
# libpqxx for the price of none extra compiled (stage 1 covers 6.4).
mkdir -p build-asan
cmake -S . -B build-asan -DCMAKE_CXX_COMPILER="$stage2_cxx" -DCMAKE_BUILD_TYPE=Debug \
  -DBULKINSERT_SANITIZE=ON -DBULKINSERT_BENCHMARKS=OFF -DCMAKE_PREFIX_PATH="$libpqxx7_prefix" \
  | tee build-asan/configure.log
grep -q "^-- bulkinsert: libpqxx 7\.10\.7 from find_package(libpqxx CONFIG)" build-asan/configure.log || {
  echo "run-tests: build-asan did not pick libpqxx 7.10.7 from $libpqxx7_prefix" >&2; exit 1; }
# bulkinsert's own headers call no libpqxx API that 7.10 deprecates (the tests may: they are ours to
# read, not users' to compile).
for header in bulkinsert/postgres.hpp bulkinsert/postgres/pqxx_session.hpp; do
  echo "#include <$header>" | "$stage2_cxx" -std=c++20 -fsyntax-only -x c++ - \
    -Wall -Wextra -Wpedantic -Wconversion -Werror -Werror=deprecated-declarations \
    -Iinclude -isystem "$libpqxx7_prefix/include" -isystem "$(pg_config --includedir)"
done
cmake --build build-asan -j2
# abort_on_error / halt_on_error: a report kills the process, so the test fails even if the program
# would have exited 0. detect_leaks: LeakSanitizer works here (ptrace is allowed); see README.
# The soak tests (load and memory flatness) run in stage 1 only: the sanitizer's quarantine is not flat.
# So do the 1,000,000-row CSV loads: the same code as the small CSV tests, a minute each when instrumented.
# tests/support/lsan.supp holds no entry with libpqxx 7.10.7 (the 6.4 leak it once hid is not in this build).
# quarantine_size_mb=48: freed memory waits there before reuse (to catch use after free), 256 MiB by
# default, so a load whose driver allocates for every statement (Connector/C) showed 286 MiB of "growth"
# that the plain build does not have; with the quarantine bounded, the streaming tests' ASan limit
# (tests/support/features.hpp) is the plain build's plus that quarantine, and still means something.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:quarantine_size_mb=48 \
LSAN_OPTIONS="suppressions=$PWD/tests/support/lsan.supp" \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j2 -E '^soak:|csv load of a generated 1,000,000-row file'

stage "3/3 fuzz (bounded)"
bash scripts/fuzz.sh

stage "all stages passed in $((SECONDS - start)) s"
