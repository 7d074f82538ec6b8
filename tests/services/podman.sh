#!/usr/bin/env bash
# Runs podman on the isolated storage that belongs to the service started by
# tests/services/start-podman.sh SOCKET_PATH (state in
# $(dirname SOCKET_PATH)/podman-state), never on the machine's own storage.
#
# usage: tests/services/podman.sh SOCKET_PATH load FILE
#          podman load -i FILE (docker-archive or oci-archive); prints the
#          "Loaded image: ..." lines
#        tests/services/podman.sh SOCKET_PATH stop
#          kills the service, waits for it to exit, then unmounts what podman
#          left mounted below the state dir (the overlay driver bind-mounts
#          podman-state/storage/overlay onto itself)
#        tests/services/podman.sh SOCKET_PATH PODMAN_ARGS...
#          any other podman command, e.g. images, rmi -a, system service ...
# env:   STORAGE_DRIVER=overlay|vfs  (default: what the state dir already
#        uses, else overlay when it works, else vfs)
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
die() { printf 'podman.sh: error: %s\n' "$*" >&2; exit 1; }

[ $# -ge 2 ] || usage
case "$1" in -h|--help) usage ;; esac
command -v podman >/dev/null || die "podman not found; run scripts/install-deps.sh"
mkdir -p "$(dirname "$1")"
sock="$(cd "$(dirname "$1")" && pwd -P)/$(basename "$1")"
shift
state="$(dirname "$sock")/podman-state"
mkdir -p "$state/storage" "$state/run" "$state/tmp"

if [ "$1" = stop ]; then
  if [ -f "$state/service.pid" ]; then
    pid=$(cat "$state/service.pid")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && die "podman service PID $pid did not exit"
    fi
    rm -f "$state/service.pid"
  fi
  awk -v s="$state/" 'index($2, s) == 1 { print $2 }' /proc/mounts | sort -r \
    | while read -r m; do umount "$m" || die "cannot unmount $m"; done
  rm -f "$sock"
  exit 0
fi

flags=(--root "$state/storage" --runroot "$state/run" --tmpdir "$state/tmp"
       --cgroup-manager cgroupfs --events-backend file)
# containers/image writes big temporary files to $TMPDIR (default /var/tmp)
export TMPDIR="$state/tmp"

driver=${STORAGE_DRIVER:-}
[ -n "$driver" ] || [ ! -f "$state/driver" ] || driver=$(cat "$state/driver")
if [ -z "$driver" ]; then
  if podman "${flags[@]}" --storage-driver overlay info >/dev/null 2>"$state/overlay-probe.log"; then
    driver=overlay
  else
    printf 'podman.sh: overlay storage does not work here (%s); using vfs\n' \
      "$(tail -1 "$state/overlay-probe.log")" >&2
    driver=vfs
  fi
fi
echo "$driver" > "$state/driver"
flags+=(--storage-driver "$driver")

if [ "$1" = load ]; then
  [ $# -eq 2 ] || usage
  [ -f "$2" ] || die "no such archive: $2"
  exec podman "${flags[@]}" load -q -i "$2"
fi
exec podman "${flags[@]}" "$@"
