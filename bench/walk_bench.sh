#!/usr/bin/env bash
# walk_bench: how long `airlock sbom` takes to read an image, against the
# floor the hardware sets for the same bytes, measured in the same run.
#
# usage: bench/walk_bench.sh [NAME...]     (default: debian-multilayer; add big when built)
# env:   AIRLOCK      the binary (default build/release/cli/airlock)
#        AIRLOCK_FIXTURES  the fixture folder (default ~/.cache/airlock/fixtures)
#        RUNS         best of how many runs (default 3)
#
# Floor, OCI archive (gzip layers): `igzip -dc` of every layer blob plus
# `openssl sha256` of every blob (what any reader must do at least).
# Floor, docker archive (plain tar layers): `openssl sha256` of every layer.
# Prints wall time, peak RSS and the ratio airlock ÷ floor (target ≤ 1.5).
set -euo pipefail
cd "$(dirname "$0")/.."
airlock=${AIRLOCK:-build/release/cli/airlock}
fixtures=${AIRLOCK_FIXTURES:-$HOME/.cache/airlock/fixtures}
runs=${RUNS:-3}
[ $# -gt 0 ] || set -- debian-multilayer
for tool in igzip openssl jq /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "walk_bench: $tool is missing (scripts/install-deps.sh)" >&2; exit 1; }
done
[ -x "$airlock" ] || { echo "walk_bench: build first: scripts/build.sh release" >&2; exit 1; }

RUNS=$runs
# shellcheck source=bench/lib.sh
source bench/lib.sh  # the working directory is the repository root
peak_rss_mib() {
  /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.0f", $1/1024}'
}

printf '%-20s %-15s %9s %9s %7s %9s\n' image source airlock floor ratio rss_MiB
for name in "$@"; do
  layout="$fixtures/$name.oci"
  [ -d "$layout" ] || { echo "walk_bench: $layout is missing (tests/fixtures/make-images.sh)" >&2; exit 1; }
  manifest=$(jq -r '.manifests[0].digest' "$layout/index.json" | cut -d: -f2)
  mapfile -t blobs < <(jq -r '.layers[].digest' "$layout/blobs/sha256/$manifest" | cut -d: -f2 | sed "s|^|$layout/blobs/sha256/|")
  cat "$fixtures/$name.oci.tar" "$fixtures/$name.docker.tar" "${blobs[@]}" >/dev/null  # warm the page cache

  gzip_floor() { for b in "${blobs[@]}"; do igzip -dc "$b" >/dev/null; done; openssl sha256 "${blobs[@]}" >/dev/null; }
  floor=$(best_of gzip_floor)
  ours=$(best_of "$airlock" sbom --no-progress "oci-archive:$fixtures/$name.oci.tar")
  rss=$(peak_rss_mib "$airlock" sbom --no-progress "oci-archive:$fixtures/$name.oci.tar")
  printf '%-20s %-15s %9s %9s %7.2f %9s\n' "$name" oci-archive "$ours" "$floor" "$(echo "$ours / $floor" | bc -l)" "$rss"

  mapfile -t tars < <(jq -r '.[0].Layers[]' <(tar -xOf "$fixtures/$name.docker.tar" manifest.json))
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  tar -xf "$fixtures/$name.docker.tar" -C "$tmp" "${tars[@]}"
  plain_floor() { (cd "$tmp" && openssl sha256 "${tars[@]}" >/dev/null); }
  floor=$(best_of plain_floor)
  rm -rf "$tmp"
  ours=$(best_of "$airlock" sbom --no-progress "docker-archive:$fixtures/$name.docker.tar")
  rss=$(peak_rss_mib "$airlock" sbom --no-progress "docker-archive:$fixtures/$name.docker.tar")
  printf '%-20s %-15s %9s %9s %7.2f %9s\n' "$name" docker-archive "$ours" "$floor" "$(echo "$ours / $floor" | bc -l)" "$rss"
done
