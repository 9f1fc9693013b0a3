#!/usr/bin/env bash
# bench/native.sh [NATIVE]: the issue-22 figures for the native build beside the JIT build and distribution's
# proxy, each alone on one upstream docker-registry on 127.0.0.1: time from exec to the first 200 on /v2/,
# then peak resident memory (VmHWM) after ten clients on one cold blob of BIG_MIB MiB and ten on it warm.
# NATIVE: a published native Mirror.Gateway (default: publish one). Needs docker-registry, curl, dotnet.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIG_MIB=${BIG_MIB:-512}
W=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$W"; }
trap cleanup EXIT
NATIVE=${1:-}
if [ -z "$NATIVE" ]; then
  dotnet publish "$ROOT/Mirror.Gateway/Mirror.Gateway.csproj" -c Release -r linux-x64 -p:PublishAot=true -o "$W/native" -nologo -clp:ErrorsOnly
  NATIVE=$W/native/Mirror.Gateway
fi
DLL=$ROOT/Mirror.Gateway/bin/Release/net10.0/Mirror.Gateway.dll

printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:5711\n' "$W/up" > "$W/up.yml"
docker-registry serve "$W/up.yml" > "$W/up.log" 2>&1 & pids+=($!)
until curl -sf -o /dev/null http://127.0.0.1:5711/v2/; do sleep 0.1; done

# One image: a BIG_MIB MiB random layer.
head -c $((BIG_MIB << 20)) /dev/urandom > "$W/layer"
push() {
  local d; d=sha256:$(sha256sum "$1" | cut -d' ' -f1)
  local loc; loc=$(curl -s -D - -o /dev/null -X POST http://127.0.0.1:5711/v2/library/big/blobs/uploads/ | sed -n 's/^Location: *//Ip' | tr -d '\r')
  case $loc in http*) ;; *) loc=http://127.0.0.1:5711$loc ;; esac
  curl -sf -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$1" "$loc&digest=$d"
  echo "$d"
}
LAYER=$(push "$W/layer")

# server NAME PORT COMMAND...: starts it on a fresh store, prints "first-answer-seconds pid".
serve() {
  local name=$1 port=$2; shift 2
  local store=$W/store-$name; rm -rf "$store"; mkdir -p "$store"
  printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\nproxy:\n  remoteurl: http://127.0.0.1:5711\n' "$store" "$port" > "$W/$name.yml"
  local start; start=$(date +%s%N)
  "$@" "$W/$name.yml" > "$W/$name.log" 2>&1 & local pid=$!; pids+=("$pid")
  until curl -sf -o /dev/null "http://127.0.0.1:$port/v2/"; do :; done
  echo "$(( ($(date +%s%N) - start) / 1000000 )) $pid"
}

clients() {  # ten clients on the blob at once
  local got=()
  for _ in $(seq 10); do curl -sf -o /dev/null "http://127.0.0.1:$1/v2/library/big/blobs/$LAYER" & got+=($!); done
  wait "${got[@]}"
}

echo "| build | first answer | peak RSS, 10 cold + 10 warm on ${BIG_MIB} MiB |"
echo "|---|---|---|"
for build in native jit distribution; do
  case $build in
    native) read -r ms pid < <(serve native 5712 "$NATIVE" serve) ;;
    jit) read -r ms pid < <(serve jit 5713 dotnet "$DLL" serve) ;;
    distribution) read -r ms pid < <(serve distribution 5714 docker-registry serve) ;;
  esac
  port=$(sed -n 's/.*addr: 127.0.0.1:\([0-9]*\)/\1/p' "$W/$build.yml")
  clients "$port"; clients "$port"
  echo "| $build | ${ms} ms | $(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status") MiB |"
  kill "$pid"
done
