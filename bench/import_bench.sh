#!/usr/bin/env bash
# import_bench: how well `airlock import` overlaps the server's latency.
# 200 small items (the tiny fixture under 200 asset names) are imported into
# the in-repo fake Anchore server answering every request after 50 ms, once
# with --concurrency 1 and once with --concurrency 8 (a fresh server and
# state each time). Prints jobs per second for both, their ratio (target ≥ 5),
# and the importer's peak RSS at 20 and at 200 items (target: flat).
#
# usage: bench/import_bench.sh   env: AIRLOCK, FAKE_ANCHORE, AIRLOCK_FIXTURES, ITEMS (200), LATENCY_MS (50)
set -euo pipefail
cd "$(dirname "$0")/.."
airlock=${AIRLOCK:-build/release/cli/airlock}
fake=${FAKE_ANCHORE:-build/release/tests/fake_anchore/fake-anchore}
fixtures=${AIRLOCK_FIXTURES:-$HOME/.cache/airlock/fixtures}
items=${ITEMS:-200}
latency=${LATENCY_MS:-50}
for f in "$airlock" "$fake"; do
  [ -x "$f" ] || { echo "import_bench: $f missing; build first: scripts/build.sh release" >&2; exit 1; }
done
[ -f "$fixtures/tiny.oci.tar" ] || { echo "import_bench: no $fixtures/tiny.oci.tar; run tests/fixtures/make-images.sh" >&2; exit 1; }
work=$(mktemp -d)
fake_pid=""
stop_fake() { [ -z "$fake_pid" ] || { kill "$fake_pid" 2>/dev/null || true; wait "$fake_pid" 2>/dev/null || true; }; fake_pid=""; }
trap 'stop_fake; rm -rf "$work"' EXIT

# bundle_of N: a signed bundle of N items.
bundle_of() {
  local n=$1 store=$work/store-$1
  { echo "["; for i in $(seq 1 "$n"); do
      printf '{"image":"oci-archive:%s","asset":"i%d","account":"bench"}%s\n' "$fixtures/tiny.oci.tar" "$i" \
        "$([ "$i" = "$n" ] && echo "" || echo ,)"; done; echo "]"; } > "$work/batch-$n.json"
  "$airlock" analyze --batch "$work/batch-$n.json" --app bench --version 1 --store "$store" --no-progress >/dev/null
  "$airlock" export --key "$work/keys/airlock.key" -o "$work/b-$n.airlock" --store "$store" >/dev/null
}

start_fake() {
  "$fake" --listen 127.0.0.1:0 --latency-ms "$latency" --threads 32 >"$work/fake.out" 2>/dev/null &
  fake_pid=$!
  for _ in $(seq 100); do grep -q '^listening on ' "$work/fake.out" 2>/dev/null && break; sleep 0.05; done
  url=$(sed -n 's/^listening on //p' "$work/fake.out")
}

# import_run BUNDLE CONCURRENCY: prints "<seconds> <peak RSS KiB>".
import_run() {
  local bundle=$1 c=$2 state
  state=$(mktemp -d -p "$work")
  start_fake
  "$airlock" trust add "$work/keys/airlock.pub" --accounts bench --state "$state" >/dev/null
  /usr/bin/time -f '%e %M' -o "$work/time" "$airlock" import "$bundle" --url "$url" --username admin \
    --password foobar --state "$state" --create-missing --concurrency "$c" --no-progress >/dev/null
  stop_fake
  cat "$work/time"
}

"$airlock" keygen --out "$work/keys" >/dev/null 2>&1
bundle_of 20
bundle_of "$items"
read -r t1 _ < <(import_run "$work/b-$items.airlock" 1)
read -r t8 rss_big < <(import_run "$work/b-$items.airlock" 8)
read -r _ rss_small < <(import_run "$work/b-20.airlock" 8)
printf 'import of %d items, server latency %d ms: --concurrency 1 %.2f s (%.1f jobs/s), --concurrency 8 %.2f s (%.1f jobs/s)\n' \
  "$items" "$latency" "$t1" "$(echo "$items / $t1" | bc -l)" "$t8" "$(echo "$items / $t8" | bc -l)"
printf '  jobs/s ratio 8 ÷ 1: %.2f (target ≥ 5)\n' "$(echo "$t1 / $t8" | bc -l)"
printf '  peak RSS: %d KiB at 20 items, %d KiB at %d items (ratio %.2f; target flat)\n' \
  "$rss_small" "$rss_big" "$items" "$(echo "$rss_big / $rss_small" | bc -l)"
