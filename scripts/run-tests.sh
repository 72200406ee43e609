#!/usr/bin/env bash
# Installs dependencies, configures and builds ./build, runs every CTest test (the PostgreSQL
# tests start their own throwaway cluster). Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j2
ctest --test-dir build --output-on-failure -j2
