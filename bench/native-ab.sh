#!/usr/bin/env bash
# bench/native-ab.sh ROUNDS NATIVE_A NATIVE_B [...]: published native builds of the mirror side by side (or scripts that
# exec one with environment variables set, e.g. DOTNET_GC* knobs), alternating, each started on a fresh store against one
# upstream docker-registry on 127.0.0.1. Per build: the time from exec to the first 200 on /v2/, the process's CPU time
# at that moment (its threads' schedstat, which the machine's load moves less than the wall time) and its RSS, as
# medians of ROUNDS starts; then, on one fresh process each, smaps_rollup at idle and VmHWM after ten clients on one cold
# blob of BIG_MIB MiB and ten on it warm (LOAD=0 skips that). Needs docker-registry and curl.
set -euo pipefail
ROUNDS=$1; shift
BIG_MIB=${BIG_MIB:-512}
W=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$W"; }
trap cleanup EXIT
printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:5721\n' "$W/up" > "$W/up.yml"
docker-registry serve "$W/up.yml" > "$W/up.log" 2>&1 & pids+=($!)
until curl -sf -o /dev/null http://127.0.0.1:5721/v2/; do sleep 0.1; done
LAYER=
if [ "${LOAD:-1}" = 1 ]; then
  head -c $((BIG_MIB << 20)) /dev/urandom > "$W/layer"
  LAYER=sha256:$(sha256sum "$W/layer" | cut -d' ' -f1)
  loc=$(curl -s -D - -o /dev/null -X POST http://127.0.0.1:5721/v2/library/big/blobs/uploads/ | sed -n 's/^Location: *//Ip' | tr -d '\r')
  case $loc in http*) ;; *) loc=http://127.0.0.1:5721$loc ;; esac
  curl -sf -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$W/layer" "$loc&digest=$LAYER"
  rm -f "$W/layer"
fi

cpu_ms() { local s=0 ns; for t in /proc/"$1"/task/*/schedstat; do read -r ns _ < "$t" && s=$((s + ns)); done; echo $((s / 1000000)); }
# serve NAME BINARY: starts it on a fresh store, prints "first-answer-ms cpu-ms rss-MiB pid".
serve() {
  local name=$1 bin=$2 port=5722 store=$W/store-$1
  rm -rf "$store"; mkdir -p "$store"
  printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\nproxy:\n  remoteurl: http://127.0.0.1:5721\n' "$store" "$port" > "$W/$name.yml"
  local start; start=$(date +%s%N)
  "$bin" serve "$W/$name.yml" > "$W/$name.log" 2>&1 & local pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/v2/"; do :; done
  local ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "$ms $(cpu_ms "$pid") $(awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$pid/status") $pid"
}
stop() { kill "$1" 2>/dev/null || true; while kill -0 "$1" 2>/dev/null; do sleep 0.05; done; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for _ in $(seq "$ROUNDS"); do
  n=0
  for bin in "$@"; do
    n=$((n + 1))
    read -r ms cpu rss pid < <(serve "b$n" "$bin"); pids+=("$pid")
    echo "$ms $cpu $rss" >> "$W/r.$n"; stop "$pid"
  done
done
n=0
for bin in "$@"; do
  n=$((n + 1))
  echo "$bin: first answer $(cut -d' ' -f1 "$W/r.$n" | median) ms (all: $(cut -d' ' -f1 "$W/r.$n" | sort -n | tr '\n' ' ')), CPU $(cut -d' ' -f2 "$W/r.$n" | median) ms, RSS $(cut -d' ' -f3 "$W/r.$n" | median) MiB"
done
[ "${LOAD:-1}" = 1 ] || exit 0
n=0
for bin in "$@"; do
  n=$((n + 1))
  read -r _ _ _ pid < <(serve "m$n" "$bin"); pids+=("$pid")
  sleep 2
  idle=$(awk '/^(Rss|Anonymous):/ { printf "%s %d MiB ", $1, $2 / 1024 }' "/proc/$pid/smaps_rollup")
  for _ in 1 2; do
    got=(); for _ in $(seq 10); do curl -sf -o /dev/null "http://127.0.0.1:5722/v2/library/big/blobs/$LAYER" & got+=($!); done; wait "${got[@]}"
  done
  echo "$bin: idle $idle| after the clients $(awk '/^(Rss|Anonymous):/ { printf "%s %d MiB ", $1, $2 / 1024 }' "/proc/$pid/smaps_rollup")| VmHWM $(awk '/VmHWM/ { print int($2 / 1024) }' "/proc/$pid/status") MiB"
  stop "$pid"
done
