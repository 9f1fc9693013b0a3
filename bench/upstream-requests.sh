#!/usr/bin/env bash
# Upstream requests of cold docker pulls through two builds of the mirror, against an upstream with Docker
# Hub's kind of Bearer token auth: distribution (docker-registry) with an auth.token section, and a token
# realm (nginx) that hands anyone one static, long-lived JWT for every repository of the bench. Per build:
# a fresh mirror with an empty store and a fresh dockerd pull image 1 (library/layers30, 30 layers), then
# image 2 (library/second, 3 layers of its own). Counted from the upstream's access log and the realm's
# access log, not from the mirror's word; the mirror's mirror_upstream_requests_total (and
# mirror_token_fetches_total) are the cross-check.
#
#   bench/upstream-requests.sh REV_A [REV_B]      # REV_B defaults to the working tree (a copy of it)
#   bench/upstream-requests.sh 19ef045
#   KEEP=1 bench/upstream-requests.sh 19ef045     # keep the temp dir (access logs, per-pull slices) to look at
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
A_REV=${1:?usage: bench/upstream-requests.sh REV_A [REV_B]}
B_REV=${2:-}
SERVICE=registry.bench
ISSUER=bench-issuer
REPOS=(library/layers30 library/second)

for tool in docker-registry dockerd docker nginx openssl python3 curl dotnet; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

W=$(mktemp -d /tmp/urq.XXXX)   # short: containerd's socket path under it must stay < 108 bytes
PIDS=()
declare -A PID_OF
stop() { # stop NAME: TERM its process group, wait, then KILL
  local pid=${PID_OF[$1]:-}
  [ -n "$pid" ] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  unset "PID_OF[$1]"
}
cleanup() {
  set +e
  for name in "${!PID_OF[@]}"; do stop "$name"; done
  for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  # dockerd unmounts what it mounted when it stops; leave nothing mounted under $W if it could not
  { findmnt -rn -o TARGET | grep "^$W/" || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  if [ -n "${KEEP:-}" ]; then echo "kept $W (logs: up.out, realm-access.log, up.*, realm.*)" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start() { # start NAME CMD...: its own session; stdout and stderr to separate files
  local name=$1; shift
  setsid "$@" >"$W/$name.out" 2>"$W/$name.err" &
  PIDS+=("$!"); PID_OF[$name]=$!
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_url() { for _ in $(seq 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

# Sources: a revision from git archive (no worktree, nothing written to the repository); the working tree
# as a copy of its tracked and untracked, not ignored, files (so edits made meanwhile do not reach the build).
source_of() { # source_of REV|'' DIR
  mkdir -p "$2"
  if [ -n "$1" ]; then
    git -C "$ROOT" archive "$1" | tar -x -C "$2"
  else
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
      | tar --null -T - -cf -) | tar -x -C "$2"
  fi
}
build() { # build REV|'' DIR -> path of Mirror.Gateway.dll
  source_of "$1" "$2"
  dotnet build "$2/Mirror.Gateway" -c Release -nologo -clp:ErrorsOnly >"$2.build.log" 2>&1 || { cat "$2.build.log" >&2; exit 1; }
  echo "$2/Mirror.Gateway/bin/Release/net10.0/Mirror.Gateway.dll"
}
echo "building $A_REV and ${B_REV:-the working tree}" >&2
A_DLL=$(build "$A_REV" "$W/a")
B_DLL=$(build "$B_REV" "$W/b")

# One signing certificate and one JWT for the whole run: pull and push on every repository of the bench.
echo "minting the token" >&2
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/key.pem" -out "$W/cert.pem" -days 2 -subj /CN=bench-token 2>/dev/null
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
NOW=$(date +%s)
ACCESS=$(printf '{"type":"repository","name":"%s","actions":["pull","push"]},' "${REPOS[@]}")
HEADER=$(printf '{"typ":"JWT","alg":"RS256","x5c":["%s"]}' "$(openssl x509 -in "$W/cert.pem" -outform DER | openssl base64 -A)" | b64url)
PAYLOAD=$(printf '{"iss":"%s","sub":"bench","aud":"%s","exp":%d,"nbf":%d,"iat":%d,"jti":"urq-%d","access":[%s]}' \
  "$ISSUER" "$SERVICE" $((NOW + 86400)) $((NOW - 60)) $((NOW - 60)) "$NOW" "${ACCESS%,}" | b64url)
TOKEN=$HEADER.$PAYLOAD.$(printf '%s' "$HEADER.$PAYLOAD" | openssl dgst -sha256 -sign "$W/key.pem" | b64url)
BEARER="Authorization: Bearer $TOKEN"

UP=127.0.0.1:$(free_port); REALM=127.0.0.1:$(free_port); A=127.0.0.1:$(free_port); B=127.0.0.1:$(free_port)

# The realm: nginx serving the token as a static file to any GET of /token, one access log line per request.
mkdir -p "$W/realm" "$W/nginx"
printf '{"token":"%s","access_token":"%s","expires_in":3600}\n' "$TOKEN" "$TOKEN" >"$W/realm/token"
cat >"$W/nginx.conf" <<EOF
daemon off;
user root;
worker_processes 1;
pid $W/nginx.pid;
error_log $W/nginx-error.log;
events { worker_connections 256; }
http {
  log_format urq '\$msec "\$request" \$status';
  access_log $W/realm-access.log urq;
  server {
    listen $REALM;
    root $W/realm;
    location = /token { default_type application/json; }
    location / { return 404; }
  }
}
EOF
start realm nginx -p "$W/nginx" -e "$W/nginx-error.log" -c "$W/nginx.conf"

# The upstream: distribution with token auth; its access log (combined format) goes to stdout.
cat >"$W/up.yml" <<EOF
version: 0.1
log: {level: warn, accesslog: {disabled: false}}
storage: {filesystem: {rootdirectory: $W/up-store}}
http: {addr: "$UP"}
auth:
  token:
    realm: http://$REALM/token
    service: $SERVICE
    issuer: $ISSUER
    rootcertbundle: $W/cert.pem
EOF
start up docker-registry serve "$W/up.yml"
wait_url "http://$REALM/token"; wait_url "http://$UP/v2/"
touch "$W/realm-access.log"
curl -sf -o /dev/null -H "$BEARER" "http://$UP/v2/" || { echo "the upstream refused the bench token" >&2; cat "$W/up.err" >&2; exit 1; }

push_blob() { # push_blob REPO FILE -> digest
  local digest="sha256:$(sha256sum "$2" | cut -d' ' -f1)" location sep
  location=$(curl -s -D - -o /dev/null -H "$BEARER" -X POST "http://$UP/v2/$1/blobs/uploads/" | tr -d '\r' | awk 'tolower($1)=="location:" {print $2}')
  case $location in http*) ;; *) location="http://$UP$location" ;; esac
  case $location in *\?*) sep='&' ;; *) sep='?' ;; esac
  curl -sf -H "$BEARER" -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$2" "$location${sep}digest=$digest" >/dev/null
  echo "$digest"
}
push_manifest() { # push_manifest REPO TAG FILE
  curl -sf -H "$BEARER" -X PUT -H 'Content-Type: application/vnd.docker.distribution.manifest.v2+json' --data-binary "@$3" "http://$UP/v2/$1/manifests/$2" >/dev/null
}

echo "seeding the upstream" >&2
# Images of N layers (1 MiB of random data each, gzipped tar), no layer shared between them.
python3 bench/make-image.py "$W/images/layers30" 30 layers30-
python3 bench/make-image.py "$W/images/second" 3 second-
for repo in "${REPOS[@]}"; do
  dir=$W/images/${repo#library/}
  for f in "$dir"/layer* "$dir/config"; do push_blob "$repo" "$f" >/dev/null; done
  push_manifest "$repo" latest "$dir/manifest"
done

lines() { wc -l <"$1"; }
scrape() { # scrape ADDR -> "total 401s token_fetches" from the mirror's metrics
  curl -sf "http://$1/metrics" | awk '
    /^mirror_upstream_requests_total[{ ]/ { t += $NF; if ($0 ~ /status="401"/) u += $NF }
    /^mirror_token_fetches_total[{ ]/ { k += $NF }
    END { printf "%d %d %d\n", t, u, k }'
}

run_build() { # run_build a|b ADDR DLL: a fresh mirror and dockerd, cold pulls of both images -> rows in $W/rows
  local m=$1 addr=$2 dll=$3 d=$W/d$1
  printf 'http: {addr: "%s"}\nstorage: {filesystem: {rootdirectory: %s}}\nproxy: {remoteurl: "http://%s"}\n' "$addr" "$W/$m-store" "$UP" >"$W/$m.yml"
  start "mirror-$m" dotnet "$dll" "$W/$m.yml"
  wait_url "http://$addr/healthz"
  mkdir -p "$d"
  cat >"$d/daemon.json" <<EOF
{ "storage-driver": "vfs", "iptables": false, "ip-masq": false, "bridge": "none",
  "registry-mirrors": ["http://$addr"], "insecure-registries": ["127.0.0.0/8"],
  "data-root": "$d/root", "exec-root": "$d/exec", "pidfile": "$d/dockerd.pid", "hosts": ["unix://$d/docker.sock"] }
EOF
  # The closed proxy makes dockerd's fallback to registry-1.docker.io fail at once: a pull that succeeds came through the mirror.
  HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.0/8,localhost start "dockerd-$m" dockerd --config-file "$d/daemon.json"
  local ok=
  for _ in $(seq 150); do DOCKER_HOST=unix://$d/docker.sock docker info >/dev/null 2>&1 && { ok=1; break; }; sleep 0.2; done
  [ -n "$ok" ] || { echo "dockerd did not start" >&2; tail -20 "$W/dockerd-$m.err" >&2; exit 1; }
  local repo image up0 realm0 met0 met1 s
  for repo in "${REPOS[@]}"; do
    image=${repo#library/}:latest
    sleep 0.5
    up0=$(lines "$W/up.out"); realm0=$(lines "$W/realm-access.log"); met0=$(scrape "$addr")
    s=$(date +%s%N)
    DOCKER_HOST=unix://$d/docker.sock docker pull -q "$image" >/dev/null || { echo "docker pull $image through build $m failed" >&2; tail -20 "$W/dockerd-$m.err" >&2; exit 1; }
    s=$(awk -v s="$s" -v e="$(date +%s%N)" 'BEGIN { printf "%.2f", (e - s) / 1e9 }')
    sleep 1 # late log lines and the metrics exporter's cache
    met1=$(scrape "$addr")
    tail -n +$((up0 + 1)) "$W/up.out" >"$W/up.$m.$image"
    tail -n +$((realm0 + 1)) "$W/realm-access.log" >"$W/realm.$m.$image"
    awk -v m="$m" -v image="$repo" -v s="$s" -v met0="$met0" -v met1="$met1" -v up="$W/up.$m.$image" -v realm="$W/realm.$m.$image" 'BEGIN {
      # distribution: 127.0.0.1 - - [date] "GET /v2/... HTTP/1.1" 401 ...
      while ((getline line < up) > 0) if (match(line, /"[A-Z]+ \/v2\/[^"]*" [0-9]+ /)) {
        req = substr(line, RSTART, RLENGTH); n = split(req, f, " "); total++; if (f[n] == "401") unauth++
      }
      while ((getline line < realm) > 0) if (line ~ /"GET \/token/) tokens++
      split(met0, a, " "); split(met1, b, " ")
      printf "%s|%s|%s|%d|%d|%d|%d|%d|%d\n", m, image, s, total, unauth, tokens, b[1] - a[1], b[2] - a[2], b[3] - a[3]
    }' >>"$W/rows"
  done
  stop "dockerd-$m"; stop "mirror-$m"
}

: >"$W/rows"
echo "pulling through A ($A_REV)" >&2
run_build a "$A" "$A_DLL"
echo "pulling through B (${B_REV:-working tree})" >&2
run_build b "$B" "$B_DLL"

label() { if [ "$1" = a ]; then echo "A \`$A_REV\`"; else echo "B \`${B_REV:-working tree}\`"; fi; }
echo "Cold \`docker pull\` through a fresh mirror per build; upstream: distribution with Bearer token auth (realm: nginx)."
echo
echo "| build | image (cold, in this order) | pull | upstream requests | answered 401 | token requests (realm) | mirror_upstream_requests_total (401) | mirror_token_fetches_total |"
echo "|---|---|---|---|---|---|---|---|"
while IFS='|' read -r m image s total unauth tokens mt mu mk; do
  echo "| $(label "$m") | \`$image\` | ${s} s | $total | $unauth | $tokens | $mt ($mu) | $mk |"
done <"$W/rows"
echo
echo "Upstream requests, 401s and token requests are counted from distribution's and the realm's access logs."
echo "mirror_upstream_requests_total counts what the build itself counts (per its documentation: registry and token realm requests)."
echo "Pull times are of one run on a shared machine (the first pull includes the mirror's JIT): a sanity check, not a benchmark."
