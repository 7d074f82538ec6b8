#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan, coverage-instrumented
# libraries) into build/fuzz and runs each for a given time.
#
# usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   SECONDS  how long each fuzzer runs (default 180)
#   TARGET   fuzz_rpm_header, fuzz_rpm_bdb, fuzz_rpm_ndb (default: all)
#
# Each fuzzer starts from the small seed corpus in tests/fuzz/corpus/TARGET
# (kept in git) and writes what it discovers to build/fuzz/corpus/TARGET
# (not kept). A crash, leak, sanitizer report or timeout stops it and leaves
# the input in build/fuzz/artifacts/; the script then exits non-zero.
# Reproduce one with: build/fuzz/tests/fuzz/TARGET build/fuzz/artifacts/FILE
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-180}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_rpm_header fuzz_rpm_bdb fuzz_rpm_ndb)

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ ! -f build/fuzz/CMakeCache.txt ]; then
  CC=clang CXX=clang++ cmake -S . -B build/fuzz "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DAIRLOCK_FUZZ=ON -DAIRLOCK_BUILD_TESTS=OFF -DAIRLOCK_BUILD_BENCH=OFF >/dev/null
fi
nice -n 10 cmake --build build/fuzz --target "${targets[@]}"

mkdir -p build/fuzz/artifacts
status=0
for t in "${targets[@]}"; do
  mkdir -p "build/fuzz/corpus/$t"
  echo "fuzz.sh: $t for ${seconds}s"
  nice -n 10 "build/fuzz/tests/fuzz/$t" "build/fuzz/corpus/$t" "tests/fuzz/corpus/$t" \
    -max_total_time="$seconds" -max_len=32768 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="build/fuzz/artifacts/$t-" -print_final_stats=1 || status=$?
done
exit $status
