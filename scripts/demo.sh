#!/usr/bin/env bash
# The main job on a built-in example: installs what is missing, builds, and
# runs what airlock can do today end to end, printing each step's real output.
#
# usage: scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh release
airlock=build/release/cli/airlock
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step "$airlock" --version
step "$airlock" keygen --out "$work/keys"
step "$airlock" key show "$work/keys/airlock.pub"
step "$airlock" config show --store "$work/store"
echo
echo "demo: done (image analysis, export and import are not built yet; see README)"
