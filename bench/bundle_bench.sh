#!/usr/bin/env bash
# bundle_bench: export and verify against their physical floors, in one run.
#  - export of a 20-image store ÷ `zstd -3` over the same parts (target ≤ 1.3)
#  - verify of that bundle ÷ `sha256sum` of the bundle file (target ≤ 1.2)
#  - peak RSS of both (target < 64 MB, independent of bundle size: printed for
#    the 20-image bundle and for a 30-item bundle of about 100 MB)
#
# usage: bench/bundle_bench.sh     env: AIRLOCK, AIRLOCK_FIXTURES, RUNS (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
RUNS=${RUNS:-5}
airlock=${AIRLOCK:-build/release/cli/airlock}
fixtures=${AIRLOCK_FIXTURES:-$HOME/.cache/airlock/fixtures}
[ -x "$airlock" ] || { echo "bundle_bench: build first: scripts/build.sh release" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The 20-image store of store_bench: the four small fixtures in turn. No layer
# cache, so the store's blobs are exactly the items' parts.
images=(debian-minbase debian-multilayer tiny debian-minbase)
: > "$work/batch.yaml"
for i in $(seq 0 19); do
  printf -- '- image: oci-archive:%s\n  ref: bench/%s-%d:1\n' "$fixtures/${images[$((i % 4))]}.oci.tar" \
    "${images[$((i % 4))]}" "$i" >> "$work/batch.yaml"
done
"$airlock" analyze --batch "$work/batch.yaml" --app bench --version 1 --store "$work/store" --no-layer-cache \
  --no-progress >/dev/null
"$airlock" keygen --out "$work/keys" >/dev/null 2>&1

# The parts as plain bytes, for the zstd floor.
find "$work/store/blobs" -type f -name '[0-9a-f]*' -exec zstd -qdc {} + > "$work/parts.raw"
parts_bytes=$(stat -c %s "$work/parts.raw")

t_export=$(best_of "$airlock" export --key "$work/keys/airlock.key" -o "$work/b.airlock" --store "$work/store" --all)
t_zstd=$(best_of zstd -3 -q -c -T1 "$work/parts.raw")
"$airlock" export --key "$work/keys/airlock.key" -o "$work/b.airlock" --store "$work/store" --all >/dev/null
bundle_bytes=$(stat -c %s "$work/b.airlock")
t_verify=$(best_of "$airlock" verify "$work/b.airlock" --trust "$work/keys/airlock.pub")
t_sha=$(best_of sha256sum "$work/b.airlock")
rss() { /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>&1; cat "$work/rss"; }
rss_export=$(rss "$airlock" export --key "$work/keys/airlock.key" -o "$work/r.airlock" --store "$work/store" --all)
rss_verify=$(rss "$airlock" verify "$work/b.airlock" --trust "$work/keys/airlock.pub")

printf '20 images: parts %.1f MiB, bundle %.1f MiB\n' "$(echo "$parts_bytes / 1048576" | bc -l)" \
  "$(echo "$bundle_bytes / 1048576" | bc -l)"
printf '  export %s s; zstd -3 over the same parts %s s; ratio %.2f (target ≤ 1.3)\n' "$t_export" "$t_zstd" \
  "$(echo "$t_export / $t_zstd" | bc -l)"
printf '  verify %s s; sha256sum of the bundle %s s; ratio %.2f (target ≤ 1.2)\n' "$t_verify" "$t_sha" \
  "$(echo "$t_verify / $t_sha" | bc -l)"
printf '  peak RSS: export %d KiB, verify %d KiB\n' "$rss_export" "$rss_verify"

t_start=$(best_of "$airlock" --version)
printf '  (starting the airlock binary costs %s s of each run)\n' "$t_start"

# A bundle big enough that start-up does not dominate. The fixtures' SBOMs
# are few and deduplicate, so each of 30 items of the tiny image carries its
# own 3 MiB Dockerfile (random base64 text: what zstd cannot shrink much).
if true; then
  : > "$work/big.yaml"
  for i in $(seq 1 "${BIG_ITEMS:-30}"); do
    head -c 2300000 /dev/urandom | base64 > "$work/Dockerfile.$i"
    printf -- '- image: oci-archive:%s\n  ref: bench/big-%d:1\n  dockerfile: %s\n' "$fixtures/tiny.oci.tar" "$i" \
      "$work/Dockerfile.$i" >> "$work/big.yaml"
  done
  "$airlock" analyze --batch "$work/big.yaml" --app bench --version 1 --store "$work/big" --no-progress \
    --no-layer-cache >/dev/null
  RUNS=3
  t_big_export=$(best_of "$airlock" export --key "$work/keys/airlock.key" -o "$work/big.airlock" --store "$work/big" --all)
  "$airlock" export --key "$work/keys/airlock.key" -o "$work/big.airlock" --store "$work/big" --all >/dev/null
  find "$work/big/blobs" -type f -name '[0-9a-f]*' -exec zstd -qdc {} + > "$work/big.raw"
  t_big_zstd=$(best_of zstd -3 -q -c -T1 "$work/big.raw")
  t_big_verify=$(best_of "$airlock" verify "$work/big.airlock" --trust "$work/keys/airlock.pub")
  t_big_sha=$(best_of sha256sum "$work/big.airlock")
  rss_big_export=$(rss "$airlock" export --key "$work/keys/airlock.key" -o "$work/big2.airlock" --store "$work/big" --all)
  rss_big_verify=$(rss "$airlock" verify "$work/big.airlock" --trust "$work/keys/airlock.pub")
  printf '%d items with a 3 MiB Dockerfile each: parts %.1f MiB, bundle %.1f MiB\n' "${BIG_ITEMS:-30}" \
    "$(echo "$(stat -c %s "$work/big.raw") / 1048576" | bc -l)" "$(echo "$(stat -c %s "$work/big.airlock") / 1048576" | bc -l)"
  printf '  export %s s; zstd -3 over the same parts %s s; ratio %.2f (target ≤ 1.3)\n' "$t_big_export" "$t_big_zstd" \
    "$(echo "$t_big_export / $t_big_zstd" | bc -l)"
  printf '  verify %s s; sha256sum %s s; ratio %.2f (target ≤ 1.2)\n' "$t_big_verify" "$t_big_sha" \
    "$(echo "$t_big_verify / $t_big_sha" | bc -l)"
  printf '  peak RSS: export %d KiB, verify %d KiB\n' "$rss_big_export" "$rss_big_verify"
fi
