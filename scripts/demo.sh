#!/usr/bin/env bash
# The main job on a built-in example: installs what is missing, builds, makes
# a real Debian 12 image with the project's fixture builder (debootstrap; about
# a minute the first time, then cached), and runs the whole path end to end,
# printing each step's real output: analyze into a store, export a signed
# bundle, verify it, then on the "connected side" start the in-repo fake
# Anchore Enterprise server on loopback, trust the producer, import with
# --wait, and carry the signed receipt back.
#
# usage: scripts/demo.sh        (as root, or with sudo for apt and debootstrap)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh release
airlock=$PWD/build/release/cli/airlock
fixtures=${AIRLOCK_FIXTURES:-$HOME/.cache/airlock/fixtures}
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
$sudo tests/fixtures/make-images.sh "$fixtures" debian-minbase
fake=$PWD/build/release/tests/fake_anchore/fake-anchore
work=$(mktemp -d)
fake_pid=""
cleanup() {
  [ -z "$fake_pid" ] || kill "$fake_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step "$airlock" --version
step "$airlock" sbom "docker-archive:$fixtures/debian-minbase.docker.tar" -o summary
"$airlock" sbom "oci-archive:$fixtures/debian-minbase.oci.tar" -o table | head -11
echo "… (table cut at 10 packages)"
step "$airlock" sbom "oci-archive:$fixtures/debian-minbase.oci.tar" -o "syft-json=$work/debian.syft.json"
step "$airlock" analyze docker.io/library/debian:12 --from "docker-archive:$fixtures/debian-minbase.docker.tar" \
  --app demo --version 1.0 --account engineering --annotations "owner=platform,stage=demo" --store "$work/store"
step "$airlock" ls --store "$work/store"
step "$airlock" store check --store "$work/store"
step "$airlock" keygen --out "$work/keys"
step "$airlock" key show "$work/keys/airlock.pub"
step "$airlock" export --key "$work/keys/airlock.key" -o "$work/transfer.airlock" --store "$work/store"
step "$airlock" verify "$work/transfer.airlock" --trust "$work/keys/airlock.pub"
step "$airlock" inspect "$work/transfer.airlock" --trust "$work/keys/airlock.pub"

echo
echo "── connected side: a fake Anchore Enterprise on loopback (tests/fake_anchore) ──"
"$fake" --listen 127.0.0.1:0 >"$work/fake.out" 2>"$work/fake.err" &
fake_pid=$!
for _ in $(seq 100); do
  grep -q '^listening on ' "$work/fake.out" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$work/fake.out")
[ -n "$url" ] || { echo "demo: the fake Anchore server did not start:" >&2; cat "$work/fake.err" >&2; exit 1; }
echo "fake Anchore Enterprise listening on $url (pid $fake_pid)"
export ANCHORECTL_URL=$url ANCHORECTL_USERNAME=admin ANCHORECTL_PASSWORD=foobar
state=$work/state
step "$airlock" keygen --out "$work/receiver-keys"
step "$airlock" trust add "$work/keys/airlock.pub" --accounts engineering --name demo-producer --state "$state"
step "$airlock" import "$work/transfer.airlock" --state "$state" --create-missing --wait --poll-interval 200ms \
  --report "$work/import-report.json" --receipt "$work/receipt.json" --receipt-key "$work/receiver-keys/airlock.key"
echo "report $work/import-report.json:"
jq -c '.items[] | {asset, state, job_id}' "$work/import-report.json"
step "$airlock" import "$work/transfer.airlock" --state "$state"
echo
echo "── back on the isolated side: the signed receipt ──"
step "$airlock" receipt apply "$work/receipt.json" --trust "$work/receiver-keys/airlock.pub" --store "$work/store"
step "$airlock" ls --store "$work/store"
echo
echo "demo: done. See docs/status.md for what is not built yet."
