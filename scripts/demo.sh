#!/usr/bin/env bash
# The main job on a built-in example: installs what is missing, builds, makes
# a real Debian 12 image with the project's fixture builder (debootstrap; about
# a minute the first time, then cached), and runs what airlock can do today
# end to end, printing each step's real output.
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
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step "$airlock" --version
step "$airlock" sbom "docker-archive:$fixtures/debian-minbase.docker.tar" -o summary
"$airlock" sbom "oci-archive:$fixtures/debian-minbase.oci.tar" -o table | head -11
echo "… (table cut at 10 packages)"
step "$airlock" sbom "oci-archive:$fixtures/debian-minbase.oci.tar" -o "syft-json=$work/debian.syft.json"
step "$airlock" analyze docker.io/library/debian:12 --from "docker-archive:$fixtures/debian-minbase.docker.tar" \
  --app demo --version 1.0 --annotations "owner=platform,stage=demo" --store "$work/store"
step "$airlock" ls --store "$work/store"
step "$airlock" store check --store "$work/store"
step "$airlock" keygen --out "$work/keys"
step "$airlock" key show "$work/keys/airlock.pub"
step "$airlock" export --key "$work/keys/airlock.key" -o "$work/transfer.airlock" --store "$work/store"
step "$airlock" verify "$work/transfer.airlock" --trust "$work/keys/airlock.pub"
step "$airlock" inspect "$work/transfer.airlock" --trust "$work/keys/airlock.pub"
echo
echo "demo: done. Not built yet: the connected side (trust, import into Anchore; see docs/status.md)."
