#!/usr/bin/env bash
# Starts a real OCI registry (Debian's docker-registry, i.e. CNCF distribution
# 2.8) listening on 127.0.0.1:PORT only, optionally with htpasswd basic auth.
# It pushes nothing: tests push with skopeo themselves, e.g.
#   skopeo copy --dest-tls-verify=false [--dest-creds U:P] \
#     oci:DIR/tiny.oci:latest docker://127.0.0.1:PORT/tiny:latest
#
# usage: tests/services/start-registry.sh [--auth] --port PORT --state DIR
#   --auth        require basic auth; user and password from REG_USER and
#                 REG_PASS (default airlock / airlock-password)
#   --port PORT   TCP port on 127.0.0.1
#   --state DIR   holds config.yml, htpasswd, data/, registry.log, registry.pid
#
# Waits until /v2/ answers, then prints on stdout:
#   PID=<pid>
#   ADDR=127.0.0.1:PORT
# stop: kill <pid>   (also in DIR/registry.pid)
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
die() { printf 'start-registry: error: %s\n' "$*" >&2; exit 1; }

auth=0 port="" state=""
while [ $# -gt 0 ]; do
  case "$1" in
    --auth) auth=1; shift ;;
    --port) [ $# -ge 2 ] || usage; port=$2; shift 2 ;;
    --state) [ $# -ge 2 ] || usage; state=$2; shift 2 ;;
    -h|--help) usage ;;
    *) printf 'start-registry: unknown argument: %s\n' "$1" >&2; usage ;;
  esac
done
[ -n "$port" ] && [ -n "$state" ] || usage
[[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || die "bad port '$port'"
command -v docker-registry >/dev/null || die "docker-registry not found; run scripts/install-deps.sh"
command -v curl >/dev/null || die "curl not found; run scripts/install-deps.sh"
[ "$auth" = 0 ] || command -v htpasswd >/dev/null || die "htpasswd not found (apache2-utils); run scripts/install-deps.sh"

addr="127.0.0.1:$port"
mkdir -p "$state/data"
state=$(cd "$state" && pwd -P)
if [ -f "$state/registry.pid" ] && kill -0 "$(cat "$state/registry.pid")" 2>/dev/null; then
  die "a registry from $state is already running (PID $(cat "$state/registry.pid"))"
fi
if curl -s -o /dev/null "http://$addr/"; then
  die "something already answers on $addr"
fi

auth_yaml=""
if [ "$auth" = 1 ]; then
  htpasswd -Bbn "${REG_USER:-airlock}" "${REG_PASS:-airlock-password}" > "$state/htpasswd"
  auth_yaml="auth:
  htpasswd:
    realm: airlock-test-registry
    path: $state/htpasswd"
fi
# No http.debug section: no second (debug/metrics) listener.
cat > "$state/config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $state/data
  delete:
    enabled: true
http:
  addr: $addr
$auth_yaml
EOF

docker-registry serve "$state/config.yml" </dev/null >"$state/registry.log" 2>&1 &
pid=$!
echo "$pid" > "$state/registry.pid"

code=000
for _ in $(seq 1 100); do
  kill -0 "$pid" 2>/dev/null || break
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://$addr/v2/" || true)
  case "$code" in 200|401) break ;; esac
  sleep 0.1
done
case "$code" in
  200|401) ;;
  *) tail -20 "$state/registry.log" >&2
     kill "$pid" 2>/dev/null || true
     rm -f "$state/registry.pid"
     die "the registry did not answer on http://$addr/v2/ (last status $code)" ;;
esac
echo "PID=$pid"
echo "ADDR=$addr"
