#!/usr/bin/env bash
# store_bench: the store's two speed-ups, measured in one run.
#  1. Layer reuse: analyze debian-multilayer into a store that already holds
#     debian-minbase (its first layer), against the same analysis uncached and
#     against one with every layer cached (the cost that is not layer reading),
#     and against an image made of just its two new layers, analyzed into the
#     same store ("its new layers alone"). Target: after-minbase ÷ new-only ≤ 1.2.
#  2. --batch of 20 images on this machine's cores: wall time ÷ the sum of
#     the same 20 analyses run one by one (layer cache off for both). Target ≤ 0.6.
#
# usage: bench/store_bench.sh     env: AIRLOCK, AIRLOCK_FIXTURES, RUNS (default 11)
set -euo pipefail
cd "$(dirname "$0")/.."
airlock=${AIRLOCK:-build/release/cli/airlock}
fixtures=${AIRLOCK_FIXTURES:-$HOME/.cache/airlock/fixtures}
runs=${RUNS:-11}  # the timings are tens of milliseconds: best of many on a shared machine
[ -x "$airlock" ] || { echo "store_bench: build first: scripts/build.sh release" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
best_of() {  # best_of SETUP CMD...: SETUP runs untimed before each run
  local setup=$1 best="" t0 t1 d; shift
  for _ in $(seq "$runs"); do
    eval "$setup"
    t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
    d=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$d < $best" | bc -l)" = 1 ]; then best=$d; fi
  done
  printf '%.3f' "$best"
}
min="oci-archive:$fixtures/debian-minbase.oci.tar"
ml="oci-archive:$fixtures/debian-multilayer.oci.tar"
cat "$fixtures"/debian-*.oci.tar >/dev/null

t_min=$(best_of "rm -rf $work/s" "$airlock" analyze "$min" --ref b/min:1 --app a --version 1 --store "$work/s")
t_ml=$(best_of "rm -rf $work/s" "$airlock" analyze "$ml" --ref b/ml:1 --app a --version 1 --store "$work/s")
t_cached=$(best_of "rm -rf $work/s; $airlock analyze $min --ref b/min:1 --app a --version 1 --store $work/s >/dev/null 2>&1" \
  "$airlock" analyze "$ml" --ref b/ml:1 --app a --version 1 --store "$work/s")
# Every layer cached (the same image again): what an analysis costs besides reading layers.
t_fixed=$(best_of "rm -rf $work/s; $airlock analyze $ml --ref b/ml:1 --app a --version 1 --store $work/s >/dev/null 2>&1" \
  "$airlock" analyze "$ml" --ref b/ml:1 --app a --version 1 --store "$work/s")
# "Its new layers alone": an image of just debian-multilayer's layers above
# the shared base (the same layers, manifest and config without the first),
# nothing of it cached: the cost an analysis of those layers has anyway.
new_only=$work/new-only
mkdir -p "$new_only/blobs/sha256"
src=$fixtures/debian-multilayer.oci
cp "$src/oci-layout" "$new_only/"
manifest_digest=$(jq -r '.manifests[0].digest' "$src/index.json")
manifest=$src/blobs/sha256/${manifest_digest#sha256:}
config=$src/blobs/sha256/$(jq -r '.config.digest' "$manifest" | cut -d: -f2)
for d in $(jq -r '.layers[1:][].digest' "$manifest"); do ln -s "$src/blobs/sha256/${d#sha256:}" "$new_only/blobs/sha256/"; done
jq -c '.rootfs.diff_ids |= .[1:]' "$config" > "$work/config.json"
config_digest=$(sha256sum "$work/config.json" | cut -d' ' -f1)
cp "$work/config.json" "$new_only/blobs/sha256/$config_digest"
jq -c --arg d "sha256:$config_digest" --argjson s "$(stat -c %s "$work/config.json")" \
  '.config.digest = $d | .config.size = $s | .layers |= .[1:]' "$manifest" > "$work/manifest.json"
new_manifest_digest=$(sha256sum "$work/manifest.json" | cut -d' ' -f1)
cp "$work/manifest.json" "$new_only/blobs/sha256/$new_manifest_digest"
jq -c --arg d "sha256:$new_manifest_digest" --argjson s "$(stat -c %s "$work/manifest.json")" \
  '.manifests[0].digest = $d | .manifests[0].size = $s' "$src/index.json" > "$new_only/index.json"
# In a store that holds debian-minbase too, as for the cached analysis: the
# two differ only in the image.
t_new_only=$(best_of "rm -rf $work/s; $airlock analyze $min --ref b/min:1 --app a --version 1 --store $work/s >/dev/null 2>&1" \
  "$airlock" analyze "oci-dir:$new_only" --ref b/new:1 --app a --version 1 --store "$work/s")
printf 'layer reuse: minbase %.3f s, multilayer %.3f s, multilayer after minbase %.3f s, all layers cached %.3f s\n' \
  "$t_min" "$t_ml" "$t_cached" "$t_fixed"
printf '  cached ÷ uncached: %.2f; reading the two new layers costs %.3f s of the %.3f s\n' \
  "$(echo "$t_cached / $t_ml" | bc -l)" "$(echo "$t_cached - $t_fixed" | bc -l)" "$t_cached"
printf '  multilayer after minbase ÷ its two new layers alone as an image (%.3f s): %.2f (target ≤ 1.2)\n' \
  "$t_new_only" "$(echo "$t_cached / $t_new_only" | bc -l)"

# 20 analyses: the four small fixtures in turn, each under its own reference.
: > "$work/batch.yaml"
images=(debian-minbase debian-multilayer tiny debian-minbase)
sum=0
for i in $(seq 0 19); do
  name=${images[$((i % 4))]}
  echo "- {image: oci-archive:$fixtures/$name.oci.tar, ref: bench/img$i:1}" >> "$work/batch.yaml"
done
t0=$(now)
for i in $(seq 0 19); do
  name=${images[$((i % 4))]}
  "$airlock" analyze "oci-archive:$fixtures/$name.oci.tar" --ref "bench/img$i:1" --app a --version 1 \
    --no-layer-cache --store "$work/single" >/dev/null 2>&1
done
t1=$(now)
sum=$(echo "$t1 - $t0" | bc -l)
t_batch=$(best_of "rm -rf $work/b" "$airlock" analyze --batch "$work/batch.yaml" --app a --version 1 --no-layer-cache --store "$work/b")
printf 'batch of 20 on %s cores: %.3f s; one by one: %.3f s; ratio %.2f (target <= 0.6)\n' "$(nproc)" "$t_batch" "$sum" \
  "$(echo "$t_batch / $sum" | bc -l)"
