#!/usr/bin/env bash
# The cold rows alone, with their limits, in one run: a cold BIG_MIB blob fetched by one client from the
# upstream registry directly (the limit of any relay), through a plain .NET relay (bench/relay: Kestrel and
# HttpClient, nothing stored; the limit of a .NET mirror here) and one that hashes each chunk before sending
# it (what verifying in line costs), through distribution's proxy and through the mirror
# (and through a second build of the mirror, for an A/B, when REV_A is given); ten clients on one cold blob
# through each; and `dd` of BIG_MIB into the store's filesystem, first-touch and recycled. Alternating,
# ROUNDS rounds, a fresh blob per program, round and case; the per-round ratios are printed with their
# spread. Not part of the test suite.
#
#   bench/cold.sh             # the working tree's mirror against distribution
#   bench/cold.sh 7325dbf     # and main's commit 7325dbf beside it (column "mirror A")
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=${ROUNDS:-4}
BIG_MIB=${BIG_MIB:-512}
A_REV=${1:-}

W=$(mktemp -d /var/tmp/mirror-cold.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  [ -z "$A_REV" ] || git -C "$ROOT" worktree remove --force "$W/a-src" 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT

dotnet build Mirror.Gateway -c Release -nologo -clp:ErrorsOnly >/dev/null
B_DLL=$ROOT/Mirror.Gateway/bin/Release/net10.0/Mirror.Gateway.dll
if [ -n "$A_REV" ]; then
  git -C "$ROOT" worktree add -q --detach "$W/a-src" "$A_REV"
  dotnet build "$W/a-src/Mirror.Gateway" -c Release -nologo -clp:ErrorsOnly >/dev/null
  A_DLL=$W/a-src/Mirror.Gateway/bin/Release/net10.0/Mirror.Gateway.dll
fi
dotnet build "$ROOT/bench/relay" -c Release -nologo -clp:ErrorsOnly >/dev/null
RELAY_DLL=$ROOT/bench/relay/bin/Release/net10.0/relay.dll
cc -O2 -o "$W/fetch" "$ROOT/bench/fetch.c"

start() { local name=$1; shift; setsid "$@" >"$W/$name.log" 2>&1 & PIDS+=("$!"); }
wait_http() { for _ in $(seq 300); do curl -s -o /dev/null "http://$1/v2/" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
UP=127.0.0.1:5301; MIR=127.0.0.1:5302; DIST=127.0.0.1:5303; MIRA=127.0.0.1:5304; RELAY=127.0.0.1:5305; RELAYH=127.0.0.1:5306
registry_yml() { # FILE ADDR STORE [REMOTE]
  printf 'version: 0.1\nlog: {level: info}\nstorage: {filesystem: {rootdirectory: %s}, delete: {enabled: true}}\nhttp: {addr: "%s"}\n' "$3" "$2" >"$1"
  [ -z "${4:-}" ] || echo "proxy: {remoteurl: \"http://$4\"}" >>"$1"
}
registry_yml "$W/up.yml" "$UP" "$W/up-store"; start up docker-registry serve "$W/up.yml"; wait_http "$UP"  # distribution's proxy asks it at start
registry_yml "$W/dist.yml" "$DIST" "$W/dist-store" "$UP"; start dist docker-registry serve "$W/dist.yml"
printf 'http: {addr: "%s"}\nstorage: {filesystem: {rootdirectory: %s}}\nproxy: {remoteurl: "http://%s"}\n' "$MIR" "$W/mirror-store" "$UP" >"$W/mirror.yml"
start mirror dotnet "$B_DLL" "$W/mirror.yml"
RELAY_UPSTREAM=http://$UP start relay dotnet "$RELAY_DLL" --urls "http://$RELAY"
RELAY_UPSTREAM=http://$UP RELAY_HASH=1 start relayhash dotnet "$RELAY_DLL" --urls "http://$RELAYH"
PROGRAMS=(upstream relay relayhash dist mirror)
declare -A PID_OF=([upstream]=${PIDS[0]} [dist]=${PIDS[1]} [mirror]=${PIDS[2]} [relay]=${PIDS[3]} [relayhash]=${PIDS[4]})
if [ -n "$A_REV" ]; then
  printf 'http: {addr: "%s"}\nstorage: {filesystem: {rootdirectory: %s}}\nproxy: {remoteurl: "http://%s"}\n' "$MIRA" "$W/mirror-a-store" "$UP" >"$W/mirror-a.yml"
  start mirrora dotnet "$A_DLL" "$W/mirror-a.yml"
  PROGRAMS+=(mirrora)
  PID_OF[mirrora]=${PIDS[5]}
fi
for a in $UP $DIST $MIR $RELAY $RELAYH; do wait_http "$a"; done
[ -z "$A_REV" ] || wait_http "$MIRA"
pid_of() { echo "${PID_OF[$1]}"; }
ticks_of() { awk '{ print $14 + $15 }' "/proc/$(pid_of "$1")/stat"; }  # CPU time in clock ticks (10 ms)
addr_of() { case $1 in upstream) echo "$UP" ;; dist) echo "$DIST" ;; mirror) echo "$MIR" ;; mirrora) echo "$MIRA" ;; relay) echo "$RELAY" ;; relayhash) echo "$RELAYH" ;; esac; }
stores() { case $1 in upstream | relay | relayhash) return 1 ;; esac; }  # relays store nothing: one client, and any blob is cold to them

# A blob of random bytes written straight into the upstream's store (distribution's filesystem layout: the
# data under its digest, a link in the repository), which is much cheaper than pushing it on a loaded machine.
blob() {
  local tmp="$W/up-store/docker/registry/v2/blob.tmp" hex
  mkdir -p "$(dirname "$tmp")"
  head -c $((BIG_MIB * 1024 * 1024)) /dev/urandom >"$tmp"
  hex=$(sha256sum "$tmp" | cut -d' ' -f1)
  mkdir -p "$W/up-store/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex" "$W/up-store/docker/registry/v2/repositories/bench/blobs/_layers/sha256/$hex"
  mv "$tmp" "$W/up-store/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
  printf 'sha256:%s' "$hex" >"$W/up-store/docker/registry/v2/repositories/bench/blobs/_layers/sha256/$hex/link"
  echo "sha256:$hex"
}
cpu_ticks() {
  local total=0 pid
  for pid in $(pgrep -f 'docker-registry serve|Mirror.Gateway.dll|relay.dll'); do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
settle() { # until our servers are idle (distribution's background store), then sync
  local before after; after=$(cpu_ticks)
  for _ in $(seq 100); do sleep 0.3; before=$after; after=$(cpu_ticks); [ $((after - before)) -gt 3 ] || break; done
  sync
  recycle
}
# recycle: writes and deletes a file as large as what the next case stores, so that its writes land on
# pages the kernel has just freed, as in a mirror that has run a while (a new file on this VM's untouched
# memory costs ~4 ms per MiB on first touch: the dd rows at the end). Every program gets the same.
recycle() { [ "${RECYCLE:-1}" = 1 ] || return 0; head -c $(((BIG_MIB + 64) * 1024 * 1024)) /dev/zero >"$W/recycle"; rm -f "$W/recycle"; }
gets() { grep -c "\"GET /v2/bench/blobs/blobs/$1 " "$W/up.log" || true; }
load() { cut -d' ' -f1 /proc/loadavg; }

# A warm-up fill per mirror (the JIT's first compiles are not the cold path).
echo "seeding and warming up" >&2
WARM=$(blob)
for p in "${PROGRAMS[@]}"; do "$W/fetch" "http://$(addr_of "$p")/v2/bench/blobs/blobs/$WARM" >/dev/null; done
for p in "${PROGRAMS[@]}"; do :>"$W/one.$p"; :>"$W/ten.$p"; done
for round in $(seq "$ROUNDS"); do
  echo "round $round" >&2
  for p in "${PROGRAMS[@]}"; do
    if stores "$p"; then b=$(blob); else b=$WARM; fi  # the upstream reads its file from the page cache either way
    settle; l=$(load); before=$(gets "$b"); c=$(ticks_of "$p")
    t=$("$W/fetch" "http://$(addr_of "$p")/v2/bench/blobs/blobs/$b")
    settle; echo "$t $(( $(gets "$b") - before )) $l $(( $(ticks_of "$p") - c ))" >>"$W/one.$p"
    stores "$p" || continue
    b=$(blob); settle; l=$(load); before=$(gets "$b"); c=$(ticks_of "$p")
    s=$(date +%s%N); fetches=()
    for _ in $(seq 10); do "$W/fetch" "http://$(addr_of "$p")/v2/bench/blobs/blobs/$b" >/dev/null & fetches+=("$!"); done
    wait "${fetches[@]}"
    wall=$(awk -v s="$s" -v e="$(date +%s%N)" 'BEGIN { printf "%.3f", (e - s) / 1e9 }')
    settle; echo "$wall $(( $(gets "$b") - before )) $l $(( $(ticks_of "$p") - c ))" >>"$W/ten.$p"
  done
done

# dd into the store's filesystem: the first write of a new file, then two more, each after deleting the last.
:>"$W/dd"
for i in 1 2 3; do
  sync; l=$(load)
  dd if=/dev/zero of="$W/dd.$i" bs=256K count=$((BIG_MIB * 4)) 2>&1 | awk -v l="$l" '/copied/ { print $(NF-1), $NF, l }' >>"$W/dd"
  rm -f "$W/dd.$((i - 1))"
done
rm -f "$W"/dd.[0-9]

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
spread() { sort -g | awk '{ a[NR] = $1 } END { printf "%s-%s", a[1], a[NR] }'; }
gib() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1073741824 }'; }
echo
echo "one client (GiB/s per round; upstream GETs; load average):"
for p in "${PROGRAMS[@]}"; do
  printf '  %-9s median %s GiB/s; rounds %s; gets %s; load %s; CPU s %s\n' "$p" "$(gib "$(awk '{print $3}' "$W/one.$p" | median)")" \
    "$(awk '{ printf "%.2f ", $3 / 1073741824 }' "$W/one.$p")" "$(awk '{ printf "%s ", $4 }' "$W/one.$p")" "$(awk '{ printf "%s ", $5 }' "$W/one.$p")" "$(awk '{ printf "%.2f ", $6 / 100 }' "$W/one.$p")"
done
echo "ten clients (wall s per round; upstream GETs; load average):"
for p in "${PROGRAMS[@]}"; do
  stores "$p" || continue
  printf '  %-9s median %s s; rounds %s; gets %s; load %s; CPU s %s\n' "$p" "$(awk '{print $1}' "$W/ten.$p" | median)" \
    "$(awk '{ printf "%s ", $1 }' "$W/ten.$p")" "$(awk '{ printf "%s ", $2 }' "$W/ten.$p")" "$(awk '{ printf "%s ", $3 }' "$W/ten.$p")" "$(awk '{ printf "%.2f ", $4 / 100 }' "$W/ten.$p")"
done
for p in "${PROGRAMS[@]}"; do
  case $p in upstream | relay | relayhash | dist) continue ;; esac
  r1=$(paste "$W/one.$p" "$W/one.dist" | awk '{ printf "%.2f\n", $3 / $9 }')
  r10=$(paste "$W/ten.$p" "$W/ten.dist" | awk '{ printf "%.2f\n", $1 / $5 }')
  echo "$p / dist: one client $(echo "$r1" | median)x (rounds $(echo "$r1" | spread)); ten clients wall $(echo "$r10" | median)x (rounds $(echo "$r10" | spread))"
done
echo "dd ${BIG_MIB} MiB into the store's filesystem (first, then after deleting the previous file):"
awk '{ printf "  %s %s (load %s)\n", $1, $2, $3 }' "$W/dd"

# The section of bench/results.md (kept in bench/cold-results.md, which bench/run.sh adds to each full run's
# results): this run's figures.
{
  echo "## The cold rows and their limits (\`bench/cold.sh\`)"
  echo
  echo "Written by \`bench/cold.sh${A_REV:+ $A_REV}\` on $(date -u +%Y-%m-%d) ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end); $ROUNDS alternating"
  echo "rounds, a fresh ${BIG_MIB} MiB blob per program, round and case, pages recycled before each (\`recycle\`); \`fetch\` as the client."
  echo "\"mirror\" is the working tree${A_REV:+, \"mirror A\" $A_REV}. Per-round figures, then the median; ratios per round against distribution's same round."
  echo
  echo "| case | upstream read directly | distribution | mirror${A_REV:+ | mirror A} |"
  echo "|---|---|---|---|${A_REV:+---|}"
  row() { awk -v c="$2" '{ printf "%s%.2f", (NR > 1 ? ", " : ""), $c / 1073741824 }' "$W/one.$1"; printf ' GiB/s (median %s)' "$(gib "$(awk '{print $3}' "$W/one.$1" | median)")"; }
  printf '| cold %s MiB, 1 client | %s | %s | %s' "$BIG_MIB" "$(row upstream 3)" "$(row dist 3)" "$(row mirror 3)"
  [ -z "$A_REV" ] || printf ' | %s' "$(row mirrora 3)"; echo " |"
  wall() { awk '{ printf "%s%s", (NR > 1 ? ", " : ""), $1 }' "$W/ten.$1"; printf ' s (median %s)' "$(awk '{print $1}' "$W/ten.$1" | median)"; }
  printf '| 10 clients on 1 cold %s MiB blob: wall | | %s | %s' "$BIG_MIB" "$(wall dist)" "$(wall mirror)"
  [ -z "$A_REV" ] || printf ' | %s' "$(wall mirrora)"; echo " |"
  gets() { awk '{ printf "%s%s", (NR > 1 ? "/" : ""), $2 }' "$W/ten.$1"; }
  printf '| upstream GETs (1 client; 10 clients) | | %s; %s | %s; %s' "$(awk '{ printf "%s%s", (NR > 1 ? "/" : ""), $4 }' "$W/one.dist")" "$(gets dist)" "$(awk '{ printf "%s%s", (NR > 1 ? "/" : ""), $4 }' "$W/one.mirror")" "$(gets mirror)"
  [ -z "$A_REV" ] || printf ' | %s; %s' "$(awk '{ printf "%s%s", (NR > 1 ? "/" : ""), $4 }' "$W/one.mirrora")" "$(gets mirrora)"; echo " |"
  for p in mirror mirrora; do
    [ "$p" = mirror ] || [ -n "$A_REV" ] || continue
    r1=$(paste "$W/one.$p" "$W/one.dist" | awk '{ printf "%.2f\n", $3 / $9 }')
    r10=$(paste "$W/ten.$p" "$W/ten.dist" | awk '{ printf "%.2f\n", $1 / $5 }')
    printf '| %s / distribution | | | one client %sx (rounds %s); ten clients, wall %sx (rounds %s) | |\n' "$([ $p = mirror ] && echo mirror || echo "mirror A")" \
      "$(echo "$r1" | median)" "$(echo "$r1" | spread)" "$(echo "$r10" | median)" "$(echo "$r10" | spread)"
  done
  cpu() { awk -v c="$2" '{ printf "%s%.2f", (NR > 1 ? ", " : ""), $c / 100 }' "$W/$1"; }
  printf '| CPU-seconds of the program itself (1 client; 10 clients), background work included | | %s; %s | %s; %s' "$(cpu one.dist 6)" "$(cpu ten.dist 4)" "$(cpu one.mirror 6)" "$(cpu ten.mirror 4)"
  [ -z "$A_REV" ] || printf ' | %s; %s' "$(cpu one.mirrora 6)" "$(cpu ten.mirrora 4)"; echo " |"
  echo "| load average at each measurement, 1 client (mirror) | | | $(awk '{ printf "%s%s", (NR > 1 ? ", " : ""), $5 }' "$W/one.mirror") | |"
  echo
  echo "The limits of a .NET mirror on this machine (\`bench/relay\`, one client, storing nothing): a plain Kestrel and HttpClient"
  echo "relay $(row relay 3); the same relay hashing each chunk before sending it $(row relayhash 3)."
  echo
  echo "\`dd if=/dev/zero bs=256K\` of ${BIG_MIB} MiB into the store's filesystem, three files, each after deleting the one before:"
  awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 } END { print "." }' "$W/dd"
  echo "The first write of a file on memory this VM has not touched runs at first-touch speed; a write onto pages just freed"
  echo "runs at memory speed, unless the kernel has reported them free to the host in between (free page reporting)."
  echo
} >"$ROOT/bench/cold-results.md"
python3 - "$ROOT/bench/results.md" "$ROOT/bench/cold-results.md" <<'PY'
import sys, re
results, section = open(sys.argv[1]).read(), open(sys.argv[2]).read()
pattern = re.compile(r"## The cold rows and their limits.*?(?=^## |\Z)", re.S | re.M)
if pattern.search(results):
    results = pattern.sub(lambda _: section, results, count=1)
else:
    at = results.find("\n## ")
    results = results[:at + 1] + section + results[at + 1:] if at >= 0 else results + "\n" + section
open(sys.argv[1], "w").write(results)
PY
echo "bench/results.md: the cold section rewritten (bench/cold-results.md)" >&2
