#!/usr/bin/env bash
# Starts a Docker Engine API (v1.41) compatible daemon, podman system service,
# on a UNIX socket only (no TCP), with its own storage kept apart in
# $(dirname SOCKET_PATH)/podman-state (overlay driver, vfs when overlay fails).
#
# usage: tests/services/start-podman.sh SOCKET_PATH
#
# Waits until GET /v1.41/_ping answers OK, then prints on stdout:
#   PID=<pid>
#   DOCKER_HOST=unix://<absolute SOCKET_PATH>
# load an image: tests/services/podman.sh SOCKET_PATH load FILE.docker.tar
# stop:          tests/services/podman.sh SOCKET_PATH stop
#                (= kill <pid>, wait, then umount what is mounted below
#                podman-state: with overlay, podman-state/storage/overlay stays
#                bind-mounted after the service exits)
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
die() { printf 'start-podman: error: %s\n' "$*" >&2; exit 1; }

[ $# -eq 1 ] || usage
case "$1" in -h|--help|-*) usage ;; esac
command -v curl >/dev/null || die "curl not found; run scripts/install-deps.sh"
here=$(cd "$(dirname "$0")" && pwd -P)
mkdir -p "$(dirname "$1")"
sock="$(cd "$(dirname "$1")" && pwd -P)/$(basename "$1")"
state="$(dirname "$sock")/podman-state"
mkdir -p "$state"

if [ -f "$state/service.pid" ] && kill -0 "$(cat "$state/service.pid")" 2>/dev/null; then
  die "a podman service on $state is already running (PID $(cat "$state/service.pid"))"
fi
[ ! -S "$sock" ] || ! curl -fs --unix-socket "$sock" http://d/_ping >/dev/null \
  || die "something already answers on $sock"
rm -f "$sock"

# podman.sh picks the storage driver and execs podman with the isolation flags;
# --time=0: never exit when idle. Only a unix:// listener is created.
"$here/podman.sh" "$sock" system service --time=0 "unix://$sock" \
  </dev/null >"$state/service.log" 2>&1 &
pid=$!
echo "$pid" > "$state/service.pid"

ok=""
for _ in $(seq 1 150); do
  kill -0 "$pid" 2>/dev/null || break
  if [ -S "$sock" ]; then
    ok=$(curl -fs --unix-socket "$sock" http://d/v1.41/_ping || true)
    [ "$ok" = OK ] && break
  fi
  sleep 0.1
done
if [ "$ok" != OK ]; then
  tail -20 "$state/service.log" >&2
  "$here/podman.sh" "$sock" stop || true
  die "podman service did not answer OK on $sock (/v1.41/_ping)"
fi
echo "PID=$pid"
echo "DOCKER_HOST=unix://$sock"
