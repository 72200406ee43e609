#!/usr/bin/env bash
# Installs dependencies, builds ./build and runs the quickstart example (SQLite).
# Arguments are passed on to the example.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j2 --target quickstart
exec ./build/examples/quickstart "$@"
