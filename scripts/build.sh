#!/usr/bin/env bash
# Configures and builds one flavour of airlock into build/NAME.
#
# usage: scripts/build.sh release|asan
#   release  optimised, warnings are errors, tests and benchmarks included
#   asan     AddressSanitizer + UndefinedBehaviorSanitizer, tests only
set -euo pipefail
cd "$(dirname "$0")/.."

flavour=${1:-release}
jobs=$(nproc 2>/dev/null || echo 2)
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=Release -DAIRLOCK_WARNINGS_AS_ERRORS=ON) ;;
  asan)    args=(-DCMAKE_BUILD_TYPE=Debug -DAIRLOCK_WARNINGS_AS_ERRORS=ON -DAIRLOCK_SANITIZE=ON
                 -DAIRLOCK_BUILD_BENCH=OFF) ;;
  *) echo "usage: scripts/build.sh release|asan" >&2; exit 2 ;;
esac

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ ! -f "build/$flavour/CMakeCache.txt" ]; then
  cmake -S . -B "build/$flavour" "${generator[@]}" "${args[@]}" >/dev/null
else
  cmake -S . -B "build/$flavour" "${args[@]}" >/dev/null
fi
cmake --build "build/$flavour" -j "$jobs"
