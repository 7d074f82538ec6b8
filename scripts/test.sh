#!/usr/bin/env bash
# The test command: installs what is missing, builds with warnings as errors,
# runs every test with ctest, then runs them again built with ASan + UBSan.
#
# usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)

echo "== release build"
scripts/build.sh release
echo "== tests (release)"
(cd build/release && ctest --output-on-failure -j "$jobs")

echo "== sanitizer build (ASan + UBSan)"
scripts/build.sh asan
echo "== tests (ASan + UBSan)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build/asan && ctest --output-on-failure -j "$jobs")
