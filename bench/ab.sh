#!/usr/bin/env bash
# A/B: two builds of the mirror side by side on one upstream, alternating, for the cases a change to the
# request path can move: a cold 512 MiB blob (one client), ten clients on one cold blob, a warm blob, and
# cached manifests and a 1 MiB blob at 32 connections. Absolute figures drift on these machines; compare
# the two columns of one run.
#
#   bench/ab.sh REV_A [REV_B]      # REV_B defaults to the working tree
#   ROUNDS=5 BIG_MIB=256 bench/ab.sh c549054
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=${ROUNDS:-4}
BIG_MIB=${BIG_MIB:-512}
A_REV=$1
B_REV=${2:-}

W=$(mktemp -d /tmp/mirror-ab.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  git -C "$ROOT" worktree remove --force "$W/a-src" 2>/dev/null || true
  [ -z "$B_REV" ] || git -C "$ROOT" worktree remove --force "$W/b-src" 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT

build() { # build REV DIR -> path of Mirror.Gateway.dll
  git -C "$ROOT" worktree add -q --detach "$2" "$1"
  dotnet build "$2/Mirror.Gateway" -c Release -nologo -clp:ErrorsOnly >/dev/null
  echo "$2/Mirror.Gateway/bin/Release/net10.0/Mirror.Gateway.dll"
}
A_DLL=$(build "$A_REV" "$W/a-src")
if [ -n "$B_REV" ]; then B_DLL=$(build "$B_REV" "$W/b-src"); else
  dotnet build Mirror.Gateway -c Release -nologo -clp:ErrorsOnly >/dev/null
  B_DLL=$ROOT/Mirror.Gateway/bin/Release/net10.0/Mirror.Gateway.dll
fi
cc -O2 -o "$W/fetch" "$ROOT/bench/fetch.c"

start() { local name=$1; shift; setsid "$@" >"$W/$name.log" 2>&1 & PIDS+=("$!"); }
wait_http() { for _ in $(seq 300); do curl -s -o /dev/null "http://$1/v2/" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
UP=127.0.0.1:5201; A=127.0.0.1:5202; B=127.0.0.1:5203
cat >"$W/up.yml" <<Y
version: 0.1
log: {level: info}
storage: {filesystem: {rootdirectory: $W/up-store}}
http: {addr: "$UP"}
Y
start up docker-registry serve "$W/up.yml"; wait_http "$UP"
for m in a b; do
  addr=$([ $m = a ] && echo $A || echo $B)
  printf 'http: {addr: "%s"}\nstorage: {filesystem: {rootdirectory: %s}}\nproxy: {remoteurl: "http://%s"}\n' "$addr" "$W/$m-store" "$UP" >"$W/$m.yml"
done
start a dotnet "$A_DLL" "$W/a.yml"; start b dotnet "$B_DLL" "$W/b.yml"; wait_http "$A"; wait_http "$B"

push() { # push FILE -> digest
  local digest="sha256:$(sha256sum "$1" | cut -d' ' -f1)" location
  location=$(curl -s -D - -o /dev/null -X POST "http://$UP/v2/ab/blobs/blobs/uploads/" | tr -d '\r' | awk 'tolower($1)=="location:" {print $2}')
  case $location in http*) ;; *) location="http://$UP$location" ;; esac
  curl -sf -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$1" "$location&digest=$digest" >/dev/null
  echo "$digest"
}
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
settle() { sleep 1; sync; }
blob() { head -c $((BIG_MIB * 1024 * 1024)) /dev/urandom >"$W/blob.bin"; push "$W/blob.bin"; }
echo "seeding" >&2
WARM=$(blob); head -c $((1024 * 1024)) /dev/urandom >"$W/small.bin"; SMALL=$(push "$W/small.bin")
for addr in $A $B; do "$W/fetch" "http://$addr/v2/ab/blobs/blobs/$WARM" >/dev/null; "$W/fetch" "http://$addr/v2/ab/blobs/blobs/$SMALL" >/dev/null; done
for c in cold conc warm small; do :>"$W/$c.a"; :>"$W/$c.b"; done
for round in $(seq "$ROUNDS"); do
  echo "round $round" >&2
  for m in a b; do
    addr=$([ $m = a ] && echo $A || echo $B)
    cold=$(blob); settle
    "$W/fetch" "http://$addr/v2/ab/blobs/blobs/$cold" | awk '{print $3}' >>"$W/cold.$m"
    conc=$(blob); settle
    s=$(date +%s%N); fetches=(); for _ in $(seq 10); do "$W/fetch" "http://$addr/v2/ab/blobs/blobs/$conc" >/dev/null & fetches+=("$!"); done; wait "${fetches[@]}"
    awk -v s="$s" -v e="$(date +%s%N)" 'BEGIN { printf "%.3f\n", (e - s) / 1e9 }' >>"$W/conc.$m"
    settle; "$W/fetch" "http://$addr/v2/ab/blobs/blobs/$WARM" | awk '{print $3}' >>"$W/warm.$m"
    settle; hey -n 3000 -c 32 "http://$addr/v2/ab/blobs/blobs/$SMALL" | awk '/Requests\/sec/ {print $2}' >>"$W/small.$m"
  done
done
gib() { awk -v b="$1" 'BEGIN { printf "%.2f GiB/s", b / 1073741824 }'; }
echo "| case | A ($A_REV) | B (${B_REV:-working tree}) | B / A |"
echo "|---|---|---|---|"
for c in cold warm; do
  a=$(median <"$W/$c.a"); b=$(median <"$W/$c.b")
  echo "| $c ${BIG_MIB} MiB | $(gib "$a") | $(gib "$b") | $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2fx", b / a }') |"
done
a=$(median <"$W/conc.a"); b=$(median <"$W/conc.b")
echo "| 10 clients, 1 cold blob: wall | ${a} s | ${b} s | $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2fx", b / a }') (lower is better) |"
a=$(median <"$W/small.a"); b=$(median <"$W/small.b")
echo "| cached 1 MiB blob, 32 connections | ${a} req/s | ${b} req/s | $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2fx", b / a }') |"
