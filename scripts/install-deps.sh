#!/usr/bin/env bash
# Installs, with apt-get, every Debian 12 package airlock needs to build, test
# and benchmark. Idempotent: packages already present are not touched, and
# nothing is fetched when nothing is missing.
#
# usage: scripts/install-deps.sh [--build-only]
#   --build-only   only what building needs (no test services, no bench tools)
set -euo pipefail

build_pkgs=(
  build-essential cmake ninja-build pkg-config ccache git
  libsqlite3-dev libarchive-dev libsodium-dev libssl-dev libisal-dev libzstd-dev
  libboost-program-options-dev nlohmann-json3-dev libgtest-dev libgmock-dev
  libbenchmark-dev libcurl4-openssl-dev libcpp-httplib-dev libpcre2-dev
  libyaml-cpp-dev
)
# Tools the tests and benchmarks drive: the real components of DESIGN §8.
test_pkgs=(
  openssl isal zstd time curl
  debootstrap debian-archive-keyring umoci skopeo podman docker-registry
  apache2-utils jq python3
  rpm sqlite3 clang libclang-rt-14-dev
)

want=("${build_pkgs[@]}")
[ "${1:-}" = "--build-only" ] || want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  sudo=sudo
fi

echo "install-deps: installing ${missing[*]}"
# Some packages (docker-registry) start a system service on install; a
# temporary policy-rc.d keeps apt from starting anything.
created_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
cleanup() { [ "$created_policy" = 1 ] && $sudo rm -f /usr/sbin/policy-rc.d; true; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
