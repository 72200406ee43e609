#!/usr/bin/env bash
# Builds libpqxx 7.10.7 from ../shared/vendor/libpqxx-7.10.7.tar.gz (static, C++20) and installs it
# under build-deps/ (git-ignored), then prints the install prefix on its last line. A second run
# with the same compiler reuses the install and prints the prefix at once.
#   bash scripts/build-libpqxx7.sh [c++ compiler]   (default: $CXX, else g++)
# The test command's sanitizer stage builds bulkinsert against this prefix (CMAKE_PREFIX_PATH).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

version=7.10.7
# ../shared/vendor beside the repository; from a git worktree elsewhere, beside its main checkout.
vendor="${BULKINSERT_VENDOR_DIR:-$PWD/../shared/vendor}"
if [[ ! -d "$vendor" && -z "${BULKINSERT_VENDOR_DIR:-}" ]]; then
  vendor="$(dirname "$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || echo .)")/../shared/vendor"
fi
tarball="$(realpath -m "$vendor/libpqxx-$version.tar.gz")"
compiler="${1:-${CXX:-g++}}"
# One install per compiler, so a stage that switches to clang++ never links a g++-built archive by accident.
root="$PWD/build-deps/libpqxx-$version-$(basename "$compiler")"
prefix="$root/install"
stamp="$prefix/.built-from"

[[ -f "$tarball" ]] || { echo "build-libpqxx7: missing $tarball (see ../shared/vendor/README.md; BULKINSERT_VENDOR_DIR overrides the folder)" >&2; exit 1; }
want="$(sha256sum "$tarball" | cut -d' ' -f1) $("$compiler" --version | head -1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "build-libpqxx7: reusing $prefix" >&2
  echo "$prefix"
  exit 0
fi

rm -rf "$root"
mkdir -p "$root"
tar -xzf "$tarball" -C "$root"
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# Debug: the only user is the -O0 sanitizer stage, and -O0 compiles fastest; -g gives LeakSanitizer
# readable frames inside libpqxx.
cmake -S "$root/libpqxx-$version" -B "$root/build" \
  -DCMAKE_CXX_COMPILER="$compiler" "${launcher[@]}" \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_STANDARD=20 \
  -DSKIP_BUILD_TEST=on -DBUILD_SHARED_LIBS=OFF -DBUILD_DOC=OFF \
  -DCMAKE_INSTALL_PREFIX="$prefix" >&2
cmake --build "$root/build" -j2 >&2
cmake --install "$root/build" >&2
rm -rf "$root/build" "$root/libpqxx-$version"
echo "$want" > "$stamp"
echo "$prefix"
