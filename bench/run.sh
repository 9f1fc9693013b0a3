#!/usr/bin/env bash
# Side-by-side benchmark: the mirror, distribution's registry in proxy mode (Debian's docker-registry) and
# nginx with sendfile (the physical limit for a warm blob), each in front of / beside one upstream
# docker-registry seeded with test content, all on 127.0.0.1. Every case runs the programs alternately,
# ROUNDS times, and reports the median. Writes bench/results.md. Not part of the test suite; nothing
# here asserts a time.
#
#   bench/run.sh              # everything (a few minutes)
#   ROUNDS=1 bench/run.sh     # quicker, noisier
#   bench/run.sh scale        # only the case of a store of a million blobs (bench/scale.sh)
#   bench/run.sh accel        # only the warm blob through nginx with X-Accel-Redirect (bench/accel.sh)
#   bench/run.sh lazy         # only 50 random 64 KiB ranges of a cold blob from a throttled upstream (bench/lazy.sh)
#   bench/run.sh cluster      # only 30 clients on a cold blob, 3 mirror nodes against 3 distribution proxies (bench/cluster.sh)
#   bench/run.sh policy       # only a cached manifest by tag with mirror.policy on against off (bench/policy.sh)
#   bench/run.sh quota        # only the manifest GETs upstream of 20 dockerd-like clients over 10 rounds (bench/quota.sh)
#   bench/run.sh native       # only the native build's first answer and peak memory beside the JIT build and distribution
#                             # (bench/native.sh; MIRROR_NATIVE=path/to/Mirror.Gateway skips its publish)
#   bench/run.sh s3           # only the S3 rows: radosgw, redirect on and off, and 10 clients over two nodes (bench/s3.sh)
#   bench/cold.sh [REV]       # only the cold rows with their limits (upstream read directly, dd), against REV's build too
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=${ROUNDS:-3}
BIG_MIB=${BIG_MIB:-512}
OUT=${OUT:-$ROOT/bench/results.md}
CASES=${1:-all}
# shellcheck source=bench/scale.sh
source "$ROOT/bench/scale.sh"
# shellcheck source=bench/accel.sh
source "$ROOT/bench/accel.sh"
# shellcheck source=bench/cluster.sh
source "$ROOT/bench/cluster.sh"
# shellcheck source=bench/policy.sh
source "$ROOT/bench/policy.sh"
# shellcheck source=bench/quota.sh
source "$ROOT/bench/quota.sh"
# shellcheck source=bench/lazy.sh
source "$ROOT/bench/lazy.sh"
# shellcheck source=bench/s3.sh
source "$ROOT/bench/s3.sh"

# --- what it needs -------------------------------------------------------------------------------
packages=()
need() { command -v "$1" >/dev/null 2>&1 || packages+=("$2"); }
need docker-registry docker-registry
need nginx nginx-light
need hey hey
need dockerd docker.io
need curl curl
need python3 python3
need cc gcc
need htpasswd apache2-utils
need openssl openssl
need redis-server redis-server
need radosgw radosgw
need ceph-mon ceph-mon
need ceph-osd ceph-osd
need ceph ceph-common
need aws awscli
if [ ${#packages[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
dotnet build Mirror.Gateway -c Release -nologo -clp:ErrorsOnly >/dev/null
MIRROR_DLL=$ROOT/Mirror.Gateway/bin/Release/net10.0/Mirror.Gateway.dll

W=$(mktemp -d /tmp/mirror-bench.XXXXXX)
# The blob client: curl spends more CPU receiving than the servers spend sending (on 2 cores it made
# nginx and the mirror look alike); fetch discards bodies in the kernel, so the servers are measured.
cc -O2 -o "$W/fetch" "$ROOT/bench/fetch.c"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  rm -rf "$W"
}
trap cleanup EXIT

UP=${BENCH_UP:-127.0.0.1:5101}  # upstream docker-registry (BENCH_UP: another, when a second run shares the machine)
MIR=127.0.0.1:5102     # the mirror
DIST=127.0.0.1:5103    # distribution's proxy
NGX=127.0.0.1:5104     # nginx, sendfile on
MIRTLS=127.0.0.1:5105  # a second mirror, over TLS, with a store of its own
NGXTLS=127.0.0.1:5106  # nginx over TLS, on that mirror's copy
declare -A PID_OF

# start NAME COMMAND...: starts a process in its own group, logs to $W/NAME.log, records its pid.
start() {
  local name=$1; shift
  setsid "$@" >"$W/$name.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid"); PID_OF[$name]=$pid
}
stop() {
  local pid=${PID_OF[$1]:-}
  [ -n "$pid" ] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  unset "PID_OF[$1]"
}
wait_http() { # wait_http ADDR [CA]: over TLS when given the CA
  local url=http://$1/v2/ tls=()
  [ -z "${2:-}" ] || { url=https://$1/v2/; tls=(--cacert "$2"); }
  for _ in $(seq 300); do curl -s -o /dev/null "${tls[@]}" "$url" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1
}

# The serving process's own pid (dotnet or docker-registry), for its peak resident memory.
server_pid() { pgrep -g "${PID_OF[$1]}" -f "$2" | head -1; }
peak_rss_mib() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

registry_config() { # registry_config FILE ADDR STORAGE [REMOTE]
  cat >"$1" <<EOF
version: 0.1
log: {level: info}
storage: {filesystem: {rootdirectory: $3}, delete: {enabled: true}}
http: {addr: "$2"}
EOF
  [ -z "${4:-}" ] || echo "proxy: {remoteurl: \"http://$4\"}" >>"$1"
  [ -z "$AUTH" ] || echo "$AUTH" >>"$1"
}

start_mirror() {
  rm -rf "$W/mirror-store"
  cat >"$W/mirror.yml" <<EOF
http: {addr: "$MIR"}
storage: {filesystem: {rootdirectory: $W/mirror-store}}
proxy: {remoteurl: "http://$UP"}
EOF
  [ -z "$AUTH" ] || echo "$AUTH" >>"$W/mirror.yml"
  start mirror dotnet "$MIRROR_DLL" "$W/mirror.yml"
  wait_http "$MIR"
}
start_dist() {
  rm -rf "$W/dist-store"
  registry_config "$W/dist.yml" "$DIST" "$W/dist-store" "$UP"
  start dist docker-registry serve "$W/dist.yml"
  wait_http "$DIST"
}
restart() { stop "$1"; "start_$1"; }
start_mirrortls() {
  rm -rf "$W/mirror-tls-store"
  cat >"$W/mirror-tls.yml" <<EOF
http: {addr: "$MIRTLS", tls: {certificate: $W/tls/server.crt, key: $W/tls/server.key}}
storage: {filesystem: {rootdirectory: $W/mirror-tls-store}}
proxy: {remoteurl: "http://$UP"}
EOF
  start mirrortls dotnet "$MIRROR_DLL" "$W/mirror-tls.yml"
  wait_http "$MIRTLS" "$W/tls/ca.crt"
}

# --- credentials and certificates ---------------------------------------------------------------
# One htpasswd file (bcrypt, htpasswd's default cost) for the mirror and distribution alike; AUTH is the
# auth section start_mirror and start_dist add to their configuration while it is set.
AUTH=
BENCH_USER=bench BENCH_PASSWORD=bench-$RANDOM$RANDOM
htpasswd -cbB "$W/htpasswd" "$BENCH_USER" "$BENCH_PASSWORD" 2>/dev/null
HTPASSWD_AUTH="auth: {htpasswd: {realm: bench, path: $W/htpasswd}}"
BASIC="Authorization: Basic $(printf '%s:%s' "$BENCH_USER" "$BENCH_PASSWORD" | base64 -w0)"
# A CA and a server certificate for 127.0.0.1 (P-256), for the mirror's and nginx's TLS listeners.
mkdir -p "$W/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=Mirror bench CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout "$W/tls/ca.key" -out "$W/tls/ca.crt" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$W/tls/server.key" -out "$W/tls/server.csr" 2>/dev/null
printf '%s\n' "subjectAltName=IP:127.0.0.1" "extendedKeyUsage=serverAuth" "basicConstraints=critical,CA:FALSE" \
  "keyUsage=critical,digitalSignature" >"$W/tls/server.ext"
openssl x509 -req -days 2 -in "$W/tls/server.csr" -CA "$W/tls/ca.crt" -CAkey "$W/tls/ca.key" -CAcreateserial \
  -extfile "$W/tls/server.ext" -out "$W/tls/server.crt" 2>/dev/null

# --- the upstream and its content ---------------------------------------------------------------
registry_config "$W/upstream.yml" "$UP" "$W/upstream-store"
start upstream docker-registry serve "$W/upstream.yml"
wait_http "$UP"

push_blob() { # push_blob REPO FILE -> prints the digest
  local digest="sha256:$(sha256sum "$2" | cut -d' ' -f1)"
  local location
  location=$(curl -s -D - -o /dev/null -X POST "http://$UP/v2/$1/blobs/uploads/" | tr -d '\r' | awk 'tolower($1)=="location:" {print $2}')
  case $location in http*) ;; *) location="http://$UP$location" ;; esac
  case $location in *\?*) sep='&' ;; *) sep='?' ;; esac
  curl -sf -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$2" "$location${sep}digest=$digest" >/dev/null
  echo "$digest"
}
push_manifest() { # push_manifest REPO TAG FILE
  curl -sf -X PUT -H 'Content-Type: application/vnd.docker.distribution.manifest.v2+json' --data-binary "@$3" "http://$UP/v2/$1/manifests/$2" >/dev/null
  echo "sha256:$(sha256sum "$3" | cut -d' ' -f1)"
}

echo "seeding the upstream" >&2
head -c $((1024 * 1024)) /dev/urandom >"$W/small.bin"
SMALL=$(push_blob bench/blobs "$W/small.bin")
if [ "$CASES" = all ] || [ "$CASES" = accel ]; then
head -c $((BIG_MIB * 1024 * 1024)) /dev/urandom >"$W/big.bin"
BIG=$(push_blob bench/blobs "$W/big.bin")
rm -f "$W/big.bin"
fi
if [ "$CASES" = all ]; then
# Cold cases need content no program has seen: a big blob per cold round and case, so no program is
# restarted (a restart would also time its start-up, and the JIT's first compiles, not its cold path).
COLD=(); CONC=()
for i in $(seq "$ROUNDS"); do
  head -c $((BIG_MIB * 1024 * 1024)) /dev/urandom >"$W/cold.bin"
  COLD+=("$(push_blob bench/blobs "$W/cold.bin")")
  head -c $((BIG_MIB * 1024 * 1024)) /dev/urandom >"$W/cold.bin"
  CONC+=("$(push_blob bench/blobs "$W/cold.bin")")
done
rm -f "$W/cold.bin"
fi

# A 30-layer image (1 MiB of random data per layer, gzipped tar) for docker pull, and its manifest.
python3 bench/make-image.py "$W/image" 30
for f in "$W"/image/layer* "$W/image/config"; do push_blob library/layers30 "$f" >/dev/null; done
MANIFEST=$(push_manifest library/layers30 latest "$W/image/manifest")
ACCEPT='Accept: application/vnd.docker.distribution.manifest.v2+json'

# nginx serves the mirror's copy of the big and small blobs, once the mirror has them.
mkdir -p "$W/nginx"
cat >"$W/nginx.conf" <<EOF
user root;
worker_processes 2;
pid $W/nginx.pid;
error_log $W/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  server { listen $NGX; root $W/nginx; location / { default_type application/octet-stream; } }
  server {
    listen $NGXTLS ssl;
    ssl_certificate $W/tls/server.crt;
    ssl_certificate_key $W/tls/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;  # 1.22's default stops at 1.2; the mirror negotiates 1.3
    root $W/nginx;
    location / { default_type application/octet-stream; }
  }
}
EOF

# --- measuring ----------------------------------------------------------------------------------
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "n/a"; else print a[int((NR + 1) / 2)] }'; }
column_median() { awk -v c="$2" '{ print $c }' "$1" | median; }  # column_median FILE N
fetch() { "$W/fetch" "$@"; }  # prints: time to first byte, total time (s), bytes/s
upstream_gets() { grep -c "\"GET /v2/bench/blobs/blobs/$1 " "$W/upstream.log" || true; }

declare -A R   # R[case,program] = figure
gib() { awk -v b="$1" 'BEGIN { if (b == "n/a") print b; else printf "%.2f GiB/s", b / 1073741824 }'; }
failed_note() { [ "${1:-0}" = 0 ] || echo ", $1 requests failed or not 200"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.2fx", a / b }'; }
addr_of() { case $1 in mirror) echo "$MIR" ;; dist) echo "$DIST" ;; nginx) echo "$NGX" ;; esac; }
# settle: waits until every server is idle (under 30 ms of CPU in 0.3 s), then syncs. Distribution stores
# a cold blob from a second upstream GET in the background after its client has the blob; without this
# that work is timed against whichever program runs next.
cpu_ticks() {
  local total=0 pid
  for pid in $(pgrep -f 'docker-registry serve|Mirror.Gateway.dll'); do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
settle() {
  local before after
  after=$(cpu_ticks)
  for _ in $(seq 100); do
    sleep 0.3
    before=$after; after=$(cpu_ticks)
    [ $((after - before)) -gt 3 ] || break
  done
  sync
}

hey_run() { # hey_run N URL [HEADER...] -> "rps p99ms failed" (failed: responses other than 200, and errors)
  local n=$1 url=$2 h headers=() out
  shift 2
  for h in "$@"; do headers+=(-H "$h"); done
  out=$(hey -n "$n" -c 32 "${headers[@]}" "$url" | awk '
    /Requests\/sec/ { rps = $2 } /99% in/ { p99 = $3 * 1000 }
    /^Status code distribution/ { section = "status"; next } /^Error distribution/ { section = "error"; next }
    section != "" && /^[ \t]*\[[0-9]+\]/ { n = $1; gsub(/[^0-9]/, "", n); if (section == "error") failed += n; else if (n != 200) failed += $2 }
    END { printf "%.0f %.1f %d\n", rps, p99, failed }')
  [ "${out##* }" = 0 ] || echo "warning: $url: ${out##* } of $n requests failed or were not 200" >&2
  echo "$out"
}

if [ "$CASES" = scale ]; then
  scale_only
  exit 0
fi
if [ "$CASES" = accel ]; then
  accel_only
  exit 0
fi
if [ "$CASES" = cluster ]; then
  cluster_only
  exit 0
fi
if [ "$CASES" = policy ]; then
  policy_only
  exit 0
fi
if [ "$CASES" = quota ]; then
  quota_only
  exit 0
fi
if [ "$CASES" = s3 ]; then
  s3_only
  exit 0
fi
if [ "$CASES" = lazy ]; then
  lazy_only
  exit 0
fi
if [ "$CASES" = native ]; then
  "$ROOT/bench/native.sh" "${MIRROR_NATIVE:-}"
  exit 0
fi

echo "warm ${BIG_MIB} MiB blob, one client" >&2
start_mirror; start_dist
for _ in 1 2; do  # the first fetch fills, the second warms each program up
  fetch "http://$MIR/v2/bench/blobs/blobs/$BIG" >/dev/null
  fetch "http://$DIST/v2/bench/blobs/blobs/$BIG" >/dev/null
done
ln -sf "$W/mirror-store/blobs/sha256/${BIG:7:2}/${BIG:7}" "$W/nginx/big"
ln -sf "$W/mirror-store/blobs/sha256/${SMALL:7:2}/${SMALL:7}" "$W/nginx/small"
fetch "http://$MIR/v2/bench/blobs/blobs/$SMALL" >/dev/null
fetch "http://$DIST/v2/bench/blobs/blobs/$SMALL" >/dev/null
start nginx nginx -c "$W/nginx.conf" -g 'daemon off;'
sleep 0.5
for p in mirror dist nginx; do :>"$W/warm.$p"; done
# A warm fetch takes a fraction of a second and varies by tens of percent on a shared machine: three per round.
for _ in $(seq $((ROUNDS * 3))); do
  settle; fetch "http://$MIR/v2/bench/blobs/blobs/$BIG" | awk '{print $3}' >>"$W/warm.mirror"
  settle; fetch "http://$DIST/v2/bench/blobs/blobs/$BIG" | awk '{print $3}' >>"$W/warm.dist"
  settle; fetch "http://$NGX/big" | awk '{print $3}' >>"$W/warm.nginx"
done
for p in mirror dist nginx; do R[warm,$p]=$(median <"$W/warm.$p"); done

echo "cold ${BIG_MIB} MiB blob, one client" >&2
for p in mirror dist; do :>"$W/cold.$p"; done
for i in $(seq "$ROUNDS"); do
  blob=${COLD[$((i - 1))]}
  for p in mirror dist; do
    settle
    before=$(upstream_gets "$blob")
    timing=$(fetch "http://$(addr_of "$p")/v2/bench/blobs/blobs/$blob")
    settle  # the upstream GETs the program made for this blob, its background ones included
    echo "$timing $(( $(upstream_gets "$blob") - before ))" >>"$W/cold.$p"
  done
done
for p in mirror dist; do
  R[cold,$p]=$(column_median "$W/cold.$p" 3)
  R[coldttfb,$p]=$(column_median "$W/cold.$p" 1)
  R[coldgets,$p]=$(column_median "$W/cold.$p" 4)
done

echo "10 concurrent clients, one cold ${BIG_MIB} MiB blob" >&2
for p in mirror dist; do :>"$W/conc.$p"; done
for i in $(seq "$ROUNDS"); do
  for p in mirror dist; do
    addr=$(addr_of "$p")
    blob=${CONC[$((i - 1))]}
    settle
    before=$(upstream_gets "$blob")
    start_ns=$(date +%s%N)
    clients=()
    for c in $(seq 10); do fetch "http://$addr/v2/bench/blobs/blobs/$blob" >"$W/conc.$p.$c" & clients+=($!); done
    wait "${clients[@]}"
    wall=$(awk -v s="$start_ns" -v e="$(date +%s%N)" 'BEGIN { printf "%.3f", (e - s) / 1e9 }')
    slowest=$(cat "$W"/conc."$p".* | awk '{print $1}' | sort -g | tail -1)
    settle
    gets=$(( $(upstream_gets "$blob") - before ))
    echo "$wall $slowest $gets" >>"$W/conc.$p"
  done
done
for p in mirror dist; do
  R[concwall,$p]=$(column_median "$W/conc.$p" 1)
  R[concttfb,$p]=$(column_median "$W/conc.$p" 2)
  R[concgets,$p]=$(column_median "$W/conc.$p" 3)
done

echo "20 concurrent warm ${BIG_MIB} MiB pulls (for peak resident memory)" >&2
for p in mirror dist; do
  addr=$(addr_of "$p")
  clients=()
  for c in $(seq 20); do fetch "http://$addr/v2/bench/blobs/blobs/$BIG" >/dev/null & clients+=($!); done
  wait "${clients[@]}"
done
# VmHWM is the peak since the process started: over every case so far, the concurrent ones included.
R[rss,mirror]=$(peak_rss_mib "$(server_pid mirror Mirror.Gateway.dll)")
R[rss,dist]=$(peak_rss_mib "$(server_pid dist docker-registry)")

echo "cached manifest by digest, by tag, and a cached 1 MiB blob, 32 connections" >&2
# Each URL gets 5 s of unmeasured load first, as the htpasswd rows below do, so both sets of rows compare
# programs whose JIT has settled (the "with auth / without" ratio depends on it).
for p in mirror dist; do
  addr=$(addr_of "$p")
  curl -s -o /dev/null -H "$ACCEPT" "http://$addr/v2/library/layers30/manifests/latest"
  curl -s -o /dev/null -H "$ACCEPT" "http://$addr/v2/library/layers30/manifests/$MANIFEST"
  hey -z 5s -c 32 -H "$ACCEPT" "http://$addr/v2/library/layers30/manifests/$MANIFEST" >/dev/null
  hey -z 5s -c 32 "http://$addr/v2/bench/blobs/blobs/$SMALL" >/dev/null
  for c in digest tag small; do :>"$W/hey.$c.$p"; done
done
for _ in $(seq "$ROUNDS"); do
  for p in mirror dist; do
    addr=$(addr_of "$p")
    settle; hey_run 20000 "http://$addr/v2/library/layers30/manifests/$MANIFEST" "$ACCEPT" >>"$W/hey.digest.$p"
    settle; hey_run 5000 "http://$addr/v2/library/layers30/manifests/latest" "$ACCEPT" >>"$W/hey.tag.$p"
    settle; hey_run 3000 "http://$addr/v2/bench/blobs/blobs/$SMALL" >>"$W/hey.small.$p"
  done
  settle; hey_run 3000 "http://$NGX/small" >>"$W/hey.small.nginx"
done
for c in digest tag small; do
  for p in mirror dist nginx; do
    [ -f "$W/hey.$c.$p" ] || continue
    R[${c}rps,$p]=$(column_median "$W/hey.$c.$p" 1)
    R[${c}p99,$p]=$(column_median "$W/hey.$c.$p" 2)
  done
done

echo "cached manifest by digest and a cached 1 MiB blob, htpasswd on, 32 connections" >&2
# The mirror and distribution restarted with the same htpasswd file (the docker pull case restarts them
# again without it). Each fills from one authenticated request, then 5 s of unmeasured load per URL warm
# the restarted processes up: a fresh mirror needs a few seconds under load before the JIT's tier-1 code
# is in (after a 20000-request warm-up its next 20000 still ran at ~60 % of its steady rate).
AUTH=$HTPASSWD_AUTH
restart mirror; restart dist
AUTH=
for p in mirror dist; do
  addr=$(addr_of "$p")
  for url in "http://$addr/v2/library/layers30/manifests/$MANIFEST" "http://$addr/v2/bench/blobs/blobs/$SMALL"; do
    curl -sf -o /dev/null -H "$BASIC" -H "$ACCEPT" "$url" || echo "warning: $url with credentials failed" >&2
  done
  hey -z 5s -c 32 -H "$ACCEPT" -H "$BASIC" "http://$addr/v2/library/layers30/manifests/$MANIFEST" >/dev/null
  hey -z 5s -c 32 -H "$BASIC" "http://$addr/v2/bench/blobs/blobs/$SMALL" >/dev/null
  for c in authdigest authsmall; do :>"$W/hey.$c.$p"; done
done
for _ in $(seq "$ROUNDS"); do
  for p in mirror dist; do
    addr=$(addr_of "$p")
    settle; hey_run 20000 "http://$addr/v2/library/layers30/manifests/$MANIFEST" "$ACCEPT" "$BASIC" >>"$W/hey.authdigest.$p"
    settle; hey_run 3000 "http://$addr/v2/bench/blobs/blobs/$SMALL" "$BASIC" >>"$W/hey.authsmall.$p"
  done
done
for c in authdigest authsmall; do
  for p in mirror dist; do
    R[${c}rps,$p]=$(column_median "$W/hey.$c.$p" 1)
    R[${c}p99,$p]=$(column_median "$W/hey.$c.$p" 2)
    R[${c}failed,$p]=$(awk '{ n += $3 } END { print n + 0 }' "$W/hey.$c.$p")
  done
done

echo "docker pull of a 30-layer image, cold and warm" >&2
docker_pull() { # docker_pull ADDR -> "cold warm" seconds
  local d=$W/docker; rm -rf "$d"; mkdir -p "$d"
  cat >"$d/daemon.json" <<EOF
{ "storage-driver": "vfs", "iptables": false, "ip-masq": false, "bridge": "none",
  "registry-mirrors": ["http://$1"], "insecure-registries": ["127.0.0.0/8"],
  "data-root": "$d/root", "exec-root": "$d/exec", "pidfile": "$d/dockerd.pid", "hosts": ["unix://$d/docker.sock"] }
EOF
  HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.0/8,localhost start dockerd dockerd --config-file "$d/daemon.json"
  export DOCKER_HOST=unix://$d/docker.sock
  for _ in $(seq 100); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
  local t0 t1 t2
  t0=$(date +%s%N); docker pull -q layers30:latest >/dev/null; t1=$(date +%s%N)
  docker rmi -f layers30:latest >/dev/null
  docker pull -q layers30:latest >/dev/null; t2=$(date +%s%N)
  stop dockerd; unset DOCKER_HOST
  awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "%.2f %.2f\n", (b - a) / 1e9, (c - b) / 1e9 }'
}
for p in mirror dist; do :>"$W/pull.$p"; done
for _ in $(seq "$ROUNDS"); do
  for p in mirror dist; do
    restart "$p"
    docker_pull "$(addr_of "$p")" >>"$W/pull.$p"
  done
done
for p in mirror dist; do
  R[pullcold,$p]=$(column_median "$W/pull.$p" 1)
  R[pullwarm,$p]=$(column_median "$W/pull.$p" 2)
done

echo "warm ${BIG_MIB} MiB blob over TLS, one client (curl)" >&2
# fetch speaks plain HTTP only, so curl is the client on both sides here (HTTP/1.1, the bench CA).
curl_tls() { # curl_tls URL -> bytes/s, nothing when the transfer failed
  local speed
  if speed=$(curl -sf --cacert "$W/tls/ca.crt" -o /dev/null -w '%{speed_download}' --http1.1 "$1"); then echo "$speed"; else echo "warning: $1 failed" >&2; fi
}
tls_info() { curl -svI --cacert "$W/tls/ca.crt" --http1.1 "$1" 2>&1 >/dev/null | sed -n 's/^\* SSL connection using //p' | head -1 || true; }
start_mirrortls
for _ in 1 2; do curl_tls "https://$MIRTLS/v2/bench/blobs/blobs/$BIG" >/dev/null; done  # fill, then warm up
ln -sf "$W/mirror-tls-store/blobs/sha256/${BIG:7:2}/${BIG:7}" "$W/nginx/big-tls"
curl_tls "https://$NGXTLS/big-tls" >/dev/null
declare -A TLSINFO  # the protocol and cipher each side negotiates, for the note under the table
TLSINFO[mirror]=$(tls_info "https://$MIRTLS/v2/bench/blobs/blobs/$BIG")
TLSINFO[nginx]=$(tls_info "https://$NGXTLS/big-tls")
for p in mirror nginx; do :>"$W/tlswarm.$p"; done
for _ in $(seq $((ROUNDS * 3))); do
  settle; curl_tls "https://$MIRTLS/v2/bench/blobs/blobs/$BIG" >>"$W/tlswarm.mirror"
  settle; curl_tls "https://$NGXTLS/big-tls" >>"$W/tlswarm.nginx"
done
stop mirrortls
for p in mirror nginx; do R[tlswarm,$p]=$(median <"$W/tlswarm.$p"); done

lazy_case
cluster_case
accel_case
policy_case
scale_case
quota_case
s3_case
# Alone, after every other case has stopped its servers: the native build, the JIT build and distribution, each started
# fresh (issue 22's first answer and peak memory).
echo "native build: first answer and peak memory" >&2
NATIVE_TABLE=$("$ROOT/bench/native.sh" "${MIRROR_NATIVE:-}")

# --- the table ----------------------------------------------------------------------------------
{
  echo "# Benchmark results"
  echo
  echo "Written by \`bench/run.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores, $(uname -r)); median of $ROUNDS alternating rounds;"
  echo "distribution is Debian's docker-registry $(docker-registry --version | awk '{print $3}') in proxy mode; nginx $(nginx -v 2>&1 | cut -d/ -f2) with sendfile."
  echo "Absolute figures drift between runs on these shared machines; compare the ratios."
  echo
  echo "| case | mirror | distribution | nginx | mirror / distribution | mirror / nginx |"
  echo "|---|---|---|---|---|---|"
  echo "| warm ${BIG_MIB} MiB blob, 1 client | $(gib "${R[warm,mirror]}") | $(gib "${R[warm,dist]}") | $(gib "${R[warm,nginx]}") | $(ratio "${R[warm,mirror]}" "${R[warm,dist]}") | $(ratio "${R[warm,mirror]}" "${R[warm,nginx]}") |"
  accel_row
  echo "| cold ${BIG_MIB} MiB blob, 1 client | $(gib "${R[cold,mirror]}") | $(gib "${R[cold,dist]}") | | $(ratio "${R[cold,mirror]}" "${R[cold,dist]}") | |"
  echo "| cold ${BIG_MIB} MiB blob, time to first byte | ${R[coldttfb,mirror]} s | ${R[coldttfb,dist]} s | | | |"
  echo "| cold ${BIG_MIB} MiB blob, 1 client: upstream GETs | ${R[coldgets,mirror]} | ${R[coldgets,dist]} | | | |"
  echo "| 10 clients on 1 cold ${BIG_MIB} MiB blob: upstream GETs | ${R[concgets,mirror]} | ${R[concgets,dist]} | | | |"
  echo "| 10 clients on 1 cold ${BIG_MIB} MiB blob: slowest first byte | ${R[concttfb,mirror]} s | ${R[concttfb,dist]} s | | | |"
  echo "| 10 clients on 1 cold ${BIG_MIB} MiB blob: wall time | ${R[concwall,mirror]} s | ${R[concwall,dist]} s | | $(ratio "${R[concwall,mirror]}" "${R[concwall,dist]}") | |"
  lazy_row
  cluster_rows
  s3_rows
  echo "| cached manifest by digest, 32 connections | ${R[digestrps,mirror]} req/s, p99 ${R[digestp99,mirror]} ms | ${R[digestrps,dist]} req/s, p99 ${R[digestp99,dist]} ms | | $(ratio "${R[digestrps,mirror]}" "${R[digestrps,dist]}") | |"
  echo "| cached manifest by tag (upstream HEAD check), 32 connections | ${R[tagrps,mirror]} req/s, p99 ${R[tagp99,mirror]} ms | ${R[tagrps,dist]} req/s, p99 ${R[tagp99,dist]} ms | | $(ratio "${R[tagrps,mirror]}" "${R[tagrps,dist]}") | |"
  policy_row
  echo "| cached 1 MiB blob, 32 connections | ${R[smallrps,mirror]} req/s, p99 ${R[smallp99,mirror]} ms | ${R[smallrps,dist]} req/s, p99 ${R[smallp99,dist]} ms | ${R[smallrps,nginx]} req/s, p99 ${R[smallp99,nginx]} ms | $(ratio "${R[smallrps,mirror]}" "${R[smallrps,dist]}") | $(ratio "${R[smallrps,mirror]}" "${R[smallrps,nginx]}") |"
  echo "| cached manifest by digest, htpasswd, 32 connections | ${R[authdigestrps,mirror]} req/s, p99 ${R[authdigestp99,mirror]} ms$(failed_note "${R[authdigestfailed,mirror]}") | ${R[authdigestrps,dist]} req/s, p99 ${R[authdigestp99,dist]} ms$(failed_note "${R[authdigestfailed,dist]}") | | $(ratio "${R[authdigestrps,mirror]}" "${R[authdigestrps,dist]}") | |"
  echo "| cached 1 MiB blob, htpasswd, 32 connections | ${R[authsmallrps,mirror]} req/s, p99 ${R[authsmallp99,mirror]} ms$(failed_note "${R[authsmallfailed,mirror]}") | ${R[authsmallrps,dist]} req/s, p99 ${R[authsmallp99,dist]} ms$(failed_note "${R[authsmallfailed,dist]}") | | $(ratio "${R[authsmallrps,mirror]}" "${R[authsmallrps,dist]}") | |"
  echo "| warm ${BIG_MIB} MiB blob over TLS, 1 client (curl) | $(gib "${R[tlswarm,mirror]}") | | $(gib "${R[tlswarm,nginx]}") | | $(ratio "${R[tlswarm,mirror]}" "${R[tlswarm,nginx]}") |"
  echo "| docker pull, 30 layers, cold | ${R[pullcold,mirror]} s | ${R[pullcold,dist]} s | | $(ratio "${R[pullcold,dist]}" "${R[pullcold,mirror]}") faster | |"
  echo "| docker pull, 30 layers, warm | ${R[pullwarm,mirror]} s | ${R[pullwarm,dist]} s | | $(ratio "${R[pullwarm,dist]}" "${R[pullwarm,mirror]}") faster | |"
  echo "| peak resident memory, from start through the 10- and 20-client cases | ${R[rss,mirror]} MiB | ${R[rss,dist]} MiB | | | |"
  quota_row
  echo
  echo "The mirror with htpasswd against itself without authentication in this run (req/s): manifest by digest $(ratio "${R[authdigestrps,mirror]}" "${R[digestrps,mirror]}"),"
  echo "1 MiB blob $(ratio "${R[authsmallrps,mirror]}" "${R[smallrps,mirror]}"). Distribution checks the password with bcrypt on every request; the mirror"
  echo "remembers a verified password for 5 minutes. The TLS row is a second mirror on a store of its own, with curl (HTTP/1.1) as the"
  echo "client on both sides; negotiated: mirror ${TLSINFO[mirror]:-unknown}, nginx ${TLSINFO[nginx]:-unknown}. nginx is not configured for kTLS"
  echo "here, so it encrypts in user space and sendfile does not apply."
  echo
  # The cold rows with their limits, from the last bench/cold.sh (which rewrites this section of results.md alone).
  [ ! -f "$ROOT/bench/cold-results.md" ] || cat "$ROOT/bench/cold-results.md"
  [ ! -f "$ROOT/bench/cold-results.md" ] || echo
  echo "## The native build (issue 22)"
  echo
  echo "\`bench/native.sh\`: the native build (\`PublishAot\`, as in the image), the JIT build (\`dotnet Mirror.Gateway.dll\`) and"
  echo "distribution's proxy, each started on a fresh store: time from exec to the first 200 on \`/v2/\`, then peak resident memory"
  echo "(VmHWM) of a fresh process after ten clients on one cold ${BIG_MIB} MiB blob at once and then ten on it warm."
  echo
  echo "$NATIVE_TABLE"
  echo
  scale_section
} >"$OUT.new"
if [ -f "$ROOT/bench/notes.md" ]; then { echo; cat "$ROOT/bench/notes.md"; } >>"$OUT.new"; fi
mv "$OUT.new" "$OUT"
cat "$OUT"
