#!/usr/bin/env bash
# Installs the Debian 12 packages bulkinsert needs to build, test, fuzz (clang + its libFuzzer and
# sanitizer runtimes) and benchmark.
# Idempotent: runs apt-get only when a package is missing. Uses sudo when not root.
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  clang libclang-rt-14-dev
  libpqxx-dev libpq-dev libsqlitecpp-dev libsqlite3-dev sqlite3 libfmt-dev
  catch2 libbenchmark-dev
  postgresql postgresql-client
  mariadb-server mariadb-client libmariadb-dev
  python3
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages are installed"
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-deps: not root and no sudo; missing: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
