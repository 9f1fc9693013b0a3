#!/usr/bin/env bash
# bench/native.sh [NATIVE]: the issue-22 figures for the native build beside the JIT build and distribution's
# proxy, each alone on one upstream docker-registry on 127.0.0.1: time from exec to the first 200 on /v2/
# (median of ROUNDS starts on a fresh store), then peak resident memory (VmHWM) after ten clients on one cold
# blob of BIG_MIB MiB and ten on it warm. Prints a markdown table; bench/run.sh puts it in bench/results.md.
# NATIVE: a published native Mirror.Gateway (default: publish one). Needs docker-registry, curl, dotnet.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIG_MIB=${BIG_MIB:-512}
ROUNDS=${ROUNDS:-5}
W=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$W"; }
trap cleanup EXIT
NATIVE=${1:-}
if [ -z "$NATIVE" ]; then
  start=$(date +%s)
  dotnet publish "$ROOT/Mirror.Gateway/Mirror.Gateway.csproj" -c Release -r linux-x64 -p:PublishAot=true -o "$W/native" -nologo -clp:ErrorsOnly >&2
  echo "native publish: $(( $(date +%s) - start )) s" >&2
  NATIVE=$W/native/Mirror.Gateway
fi
DLL=$ROOT/Mirror.Gateway/bin/Release/net10.0/Mirror.Gateway.dll
[ -f "$DLL" ] || dotnet build "$ROOT/Mirror.Gateway" -c Release -nologo -clp:ErrorsOnly >&2

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
rm -f "$W/layer"

# serve NAME PORT COMMAND...: starts it on a fresh store, prints "first-answer-milliseconds pid".
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

# stop PID: a server started in serve's subshell is no child of this shell; wait until it is gone.
stop() { kill "$1" 2>/dev/null || true; while kill -0 "$1" 2>/dev/null; do sleep 0.05; done; }

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A port=([native]=5712 [jit]=5713 [distribution]=5714) first peak
command_of() {
  case $1 in
    native) echo "$NATIVE serve" ;;
    jit) echo "dotnet $DLL serve" ;;
    distribution) echo "docker-registry serve" ;;
  esac
}
builds=(native jit distribution)
# Starts alternate between the builds, so the machine's load drifts over all of them alike.
for _ in $(seq "$ROUNDS"); do
  for build in "${builds[@]}"; do
    # shellcheck disable=SC2046
    read -r ms pid < <(serve "$build" "${port[$build]}" $(command_of "$build"))
    pids+=("$pid"); echo "$ms" >> "$W/first.$build"
    stop "$pid"
  done
done
for build in "${builds[@]}"; do
  first[$build]=$(median < "$W/first.$build")
  # shellcheck disable=SC2046
  read -r _ pid < <(serve "$build" "${port[$build]}" $(command_of "$build"))
  pids+=("$pid")
  clients "${port[$build]}"; clients "${port[$build]}"
  peak[$build]=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
  stop "$pid"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
echo "| build | first answer (median of $ROUNDS) | / distribution | peak RSS, 10 cold + 10 warm on ${BIG_MIB} MiB | / distribution |"
echo "|---|---|---|---|---|"
for build in "${builds[@]}"; do
  echo "| $build | ${first[$build]} ms | $(ratio "${first[$build]}" "${first[distribution]}") | ${peak[$build]} MiB | $(ratio "${peak[$build]}" "${peak[distribution]}") |"
done
