#!/usr/bin/env bash
# catalog_bench: what cataloging costs on top of reading the image, measured
# in one run: `airlock sbom -o syft-json` ÷ `airlock sbom -o summary` (the walk
# alone), target ≤ 1.15.
#
# usage: bench/catalog_bench.sh [NAME...]    (default: debian-multilayer)
# env:   AIRLOCK, AIRLOCK_FIXTURES, RUNS as for bench/walk_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
airlock=${AIRLOCK:-build/release/cli/airlock}
fixtures=${AIRLOCK_FIXTURES:-$HOME/.cache/airlock/fixtures}
runs=${RUNS:-5}
[ $# -gt 0 ] || set -- debian-multilayer
[ -x "$airlock" ] || { echo "catalog_bench: build first: scripts/build.sh release" >&2; exit 1; }

RUNS=$runs
# shellcheck source=bench/lib.sh
source bench/lib.sh  # the working directory is the repository root

printf '%-20s %-15s %9s %9s %7s %9s\n' image source walk sbom ratio packages
for name in "$@"; do
  for kind in oci-archive docker-archive; do
    file="$fixtures/$name.$([ "$kind" = oci-archive ] && echo oci || echo docker).tar"
    cat "$file" >/dev/null
    walk=$(best_of "$airlock" sbom --no-progress -o summary "$kind:$file")
    sbom=$(best_of "$airlock" sbom --no-progress -o syft-json "$kind:$file")
    packages=$("$airlock" sbom --no-progress -o table "$kind:$file" | tail -n +2 | wc -l)
    printf '%-20s %-15s %9s %9s %7.2f %9s\n' "$name" "$kind" "$walk" "$sbom" "$(echo "$sbom / $walk" | bc -l)" "$packages"
  done
done
