#!/usr/bin/env bash
# The main job, on embedded SQLite. Installs what is missing, builds, then
#   1. runs the quickstart example: 100,000 rows into ./quickstart.db, its report printed;
#   2. runs the default benchmark (scripts/bench.sh: every SQLite strategy against the hand-written
#      sqlite3 loop, in a temporary database file) and prints the article's table.
# Arguments go to scripts/bench.sh (--rows=N, --pg-start for PostgreSQL too, --no-pairs, ...).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j2 --target quickstart
./build/examples/quickstart
echo
exec bash scripts/bench.sh "$@"
