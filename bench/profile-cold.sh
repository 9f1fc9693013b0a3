#!/usr/bin/env bash
# perf profile of one client's cold BIG_MIB fetch through the mirror (or, with TARGET=dist, through
# distribution's proxy): `perf record -a -g` over the fetch, the .NET frames named by the runtime's perf map
# (DOTNET_PerfMapEnabled=1). Prints the fetch's figures and the top entries by process and by symbol; the
# raw data stays in $OUT (default /var/tmp/mirror-profile).
#
#   bench/profile-cold.sh             # the working tree's mirror
#   TARGET=dist bench/profile-cold.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIG_MIB=${BIG_MIB:-512}
TARGET=${TARGET:-mirror}
CLIENTS=${CLIENTS:-1}
OUT=${OUT:-/var/tmp/mirror-profile}
mkdir -p "$OUT"
W=$(mktemp -d /var/tmp/mirror-prof.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  rm -rf "$W"
}
trap cleanup EXIT
dotnet build Mirror.Gateway -c Release -nologo -clp:ErrorsOnly >/dev/null
cc -O2 -o "$W/fetch" "$ROOT/bench/fetch.c"
start() { local name=$1; shift; setsid "$@" >"$W/$name.log" 2>&1 & PIDS+=("$!"); }
wait_http() { for _ in $(seq 300); do curl -s -o /dev/null "http://$1/v2/" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
UP=127.0.0.1:5401; SRV=127.0.0.1:5402
printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: "%s"}\n' "$W/up-store" "$UP" >"$W/up.yml"
start up docker-registry serve "$W/up.yml"; wait_http "$UP"
if [ "$TARGET" = dist ]; then
  printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: "%s"}\nproxy: {remoteurl: "http://%s"}\n' "$W/store" "$SRV" "$UP" >"$W/srv.yml"
  start srv docker-registry serve "$W/srv.yml"
else
  printf 'http: {addr: "%s"}\nstorage: {filesystem: {rootdirectory: %s}}\nproxy: {remoteurl: "http://%s"}\n' "$SRV" "$W/store" "$UP" >"$W/srv.yml"
  DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 start srv dotnet "$ROOT/Mirror.Gateway/bin/Release/net10.0/Mirror.Gateway.dll" "$W/srv.yml"
fi
wait_http "$SRV"
push() {
  local digest="sha256:$(sha256sum "$1" | cut -d' ' -f1)" location
  location=$(curl -s -D - -o /dev/null -X POST "http://$UP/v2/p/blobs/uploads/" | tr -d '\r' | awk 'tolower($1)=="location:" {print $2}')
  case $location in http*) ;; *) location="http://$UP$location" ;; esac
  curl -sf -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$1" "$location&digest=$digest" >/dev/null
  echo "$digest"
}
blob() { head -c $((BIG_MIB * 1024 * 1024)) /dev/urandom >"$W/blob.bin"; push "$W/blob.bin"; rm -f "$W/blob.bin"; }
# Three unmeasured cold fetches first: the JIT's tier-1 code, as in a mirror that has run a while.
for _ in 1 2 3; do "$W/fetch" "http://$SRV/v2/p/blobs/$(blob)" >/dev/null; sleep 1; done
b=$(blob); sleep 2; sync
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '#!/bin/sh\nfor i in $(seq %s); do "%s" "%s" & done; wait\n' "$CLIENTS" "$W/fetch" "http://$SRV/v2/p/blobs/$b" >"$W/clients.sh"
s=$(date +%s%N)
# The server and the upstream only (other work on the machine is not ours); setsid exec'd each.
perf record -g -F 1999 -p "${PIDS[1]},${PIDS[0]}" -o "$OUT/perf.$TARGET.$CLIENTS.data" 2>/dev/null & perf=$!
sleep 0.5
sh "$W/clients.sh"
kill -INT "$perf"; wait "$perf" || true
echo "wall $(awk -v s="$s" -v e="$(date +%s%N)" 'BEGIN { printf "%.3f", (e - s) / 1e9 }') s"
perf report -i "$OUT/perf.$TARGET.$CLIENTS.data" --no-children --sort pid,comm,dso -g none --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -25
perf report -i "$OUT/perf.$TARGET.$CLIENTS.data" --no-children --sort comm,sym --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -45
