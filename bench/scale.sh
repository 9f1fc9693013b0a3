# The scale case of bench/run.sh (sourced by it, with its helpers): the mirror on a store of SCALE_BLOBS
# small blobs against the same mirror on an empty store, side by side. The store is synthesised once
# under SCALE_DIR (blobs named by their real digests, in the store's layout) and reused; what a run adds
# to it (metadata, manifests, blobs newer than the synthesis) is removed before the next.
#
#   bench/run.sh scale        # this case alone: rewrites only its section of bench/results.md
SCALE_BLOBS=${SCALE_BLOBS:-1000000}
SCALE_DIR=${SCALE_DIR:-/var/tmp/mirror-scale}
SCALE_REPOSITORIES=${SCALE_REPOSITORIES:-10000}
SCALE_SWEEPS=${SCALE_SWEEPS:-5}   # sweeps (2 s apart) before memory is read, and over which an idle sweep is measured
SCALE_EMPTY=127.0.0.1:5107
SCALE_FULL=127.0.0.1:5108
declare -A S   # S[figure,program] for program empty|full

scale_store() { # prepares the synthesised store (creating it the first time) and prints its root
  local root=$SCALE_DIR/store mark=$SCALE_DIR/store/.synthesized-$SCALE_BLOBS
  if [ ! -f "$mark" ]; then
    echo "synthesising $SCALE_BLOBS blobs under $root (once; about 40 s per million)" >&2
    rm -rf "$root"
    python3 - "$root" "$SCALE_BLOBS" <<'EOF'
import hashlib, os, sys
root, count = sys.argv[1], int(sys.argv[2])
base = os.path.join(root, "blobs", "sha256")
for p in range(256):
    os.makedirs(os.path.join(base, "%02x" % p), exist_ok=True)
for i in range(count):
    data = b"mirror scale blob %d\n" % i
    h = hashlib.sha256(data).hexdigest()
    with open(os.path.join(base, h[:2], h), "wb") as f:
        f.write(data)
EOF
    touch "$mark"
  fi
  # Each blob linked to one of SCALE_REPOSITORIES repositories, as pulls leave metadata/links.txt (made once).
  local links=$SCALE_DIR/links-$SCALE_BLOBS-$SCALE_REPOSITORIES.txt
  if [ ! -f "$links" ]; then
    python3 - "$links.tmp" "$SCALE_BLOBS" "$SCALE_REPOSITORIES" <<'EOF'
import hashlib, sys
path, count, repositories = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "w") as f:
    for i in range(count):
        f.write("library/app%d sha256:%s\n" % (i % repositories, hashlib.sha256(b"mirror scale blob %d\n" % i).hexdigest()))
EOF
    mv "$links.tmp" "$links"
  fi
  rm -rf "$root/metadata" "$root/tmp" "$root/manifests"
  find "$root/blobs" -type f -newer "$mark" -delete
  mkdir -p "$root/metadata" && cp "$links" "$root/metadata/links.txt"
  echo "$root"
}

scale_start() { # scale_start NAME ADDR ROOT: starts a mirror, records its time to first answer and to indexed
  local name=$1 addr=$2 t0 t1 t2
  cat >"$W/$name.yml" <<EOF
http: {addr: "$addr"}
storage: {filesystem: {rootdirectory: $3}}
proxy: {remoteurl: "http://$UP", ttl: 87600h}
mirror: {sweepinterval: 2s, maxsize: 1000GB}
EOF
  t0=$(date +%s%N)
  start "$name" dotnet "$MIRROR_DLL" "$W/$name.yml"
  until curl -s -o /dev/null "http://$addr/v2/"; do sleep 0.01; done
  t1=$(date +%s%N)
  until grep -q "Store indexed" "$W/$name.log"; do sleep 0.05; done
  t2=$(date +%s%N)
  S[first,$name]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
  S[indexed,$name]=$(awk -v a="$t0" -v b="$t2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
  S[progress,$name]=$(grep -c "Indexing the store" "$W/$name.log" || true)
}
sweeps() { grep -c "Sweep:" "$W/$1.log" || true; }
wait_sweeps() { # wait_sweeps NAME N: until N more sweeps have run
  local until=$(( $(sweeps "$1") + $2 ))
  while [ "$(sweeps "$1")" -lt "$until" ]; do sleep 0.1; done
}

scale_case() {
  echo "a store of $SCALE_BLOBS blobs against an empty one" >&2
  local root p addr pid
  root=$(scale_store)
  rm -rf "$W/scale-empty-store"
  scale_start empty "$SCALE_EMPTY" "$W/scale-empty-store"
  scale_start full "$SCALE_FULL" "$root"
  for p in empty full; do
    addr=$([ $p = empty ] && echo "$SCALE_EMPTY" || echo "$SCALE_FULL")
    curl -s -o /dev/null -H "$ACCEPT" "http://$addr/v2/library/layers30/manifests/latest"
    for _ in 1 2; do
      curl -s -o /dev/null -H "$ACCEPT" "http://$addr/v2/library/layers30/manifests/$MANIFEST"
      curl -s -o /dev/null "http://$addr/v2/bench/blobs/blobs/$SMALL"
    done
    hey -z 5s -c 32 -H "$ACCEPT" "http://$addr/v2/library/layers30/manifests/$MANIFEST" >/dev/null
    hey -z 5s -c 32 "http://$addr/v2/bench/blobs/blobs/$SMALL" >/dev/null
    :>"$W/scale.digest.$p"; :>"$W/scale.small.$p"
  done
  for _ in $(seq "$ROUNDS"); do
    for p in empty full; do
      addr=$([ $p = empty ] && echo "$SCALE_EMPTY" || echo "$SCALE_FULL")
      settle; hey_run 20000 "http://$addr/v2/library/layers30/manifests/$MANIFEST" "$ACCEPT" >>"$W/scale.digest.$p"
      settle; hey_run 3000 "http://$addr/v2/bench/blobs/blobs/$SMALL" >>"$W/scale.small.$p"
    done
  done
  for p in empty full; do
    S[digestrps,$p]=$(column_median "$W/scale.digest.$p" 1)
    S[smallrps,$p]=$(column_median "$W/scale.small.$p" 1)
  done
  # Steady state: resident memory after several sweeps; then what an idle sweep costs, over as many.
  for p in empty full; do wait_sweeps "$p" "$SCALE_SWEEPS"; done
  local journal cpu0 io0 j0 n0
  for p in empty full; do
    pid=$(server_pid "$p" Mirror.Gateway.dll)
    S[rss,$p]=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
    journal=$([ $p = empty ] && echo "$W/scale-empty-store" || echo "$root")/metadata/access.txt
    wait_sweeps "$p" 1
    cpu0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat"); io0=$(awk '/^wchar/ { print $2 }' "/proc/$pid/io")
    j0=$(stat -c %s "$journal" 2>/dev/null || echo 0); n0=$(sweeps "$p")
    wait_sweeps "$p" "$SCALE_SWEEPS"
    S[sweepcpu,$p]=$(awk -v a="$cpu0" -v b="$(awk '{ print $14 + $15 }' "/proc/$pid/stat")" -v n="$SCALE_SWEEPS" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (b - a) * 1000 / hz / n }')
    S[sweepio,$p]=$(( ($(awk '/^wchar/ { print $2 }' "/proc/$pid/io") - io0) / ($(sweeps "$p") - n0) ))
    S[sweepjournal,$p]=$(( ($(stat -c %s "$journal" 2>/dev/null || echo 0) - j0) / ($(sweeps "$p") - n0) ))
    S[blobs,$p]=$(sed -n 's/.*Store indexed: \([0-9]*\) blobs.*/\1/p' "$W/$p.log" | head -1)
  done
  stop empty; stop full
}

scale_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.2fx", a / b }'; }

scale_section() { # the case's section of bench/results.md
  local perblob
  perblob=$(awk -v a="${S[rss,empty]}" -v b="${S[rss,full]}" -v n="$SCALE_BLOBS" 'BEGIN { printf "%.0f", (b - a) * 1024 / n }')
  echo "## A store of $SCALE_BLOBS blobs"
  echo
  echo "\`bench/run.sh scale\` on $(date -u +%Y-%m-%d): the mirror on a synthesised store of $SCALE_BLOBS small blobs, each linked to one of"
  echo "$SCALE_REPOSITORIES repositories (\`metadata/links.txt\`), and on an empty store, side by side (\`mirror.sweepinterval: 2s\`,"
  echo "\`proxy.ttl: 87600h\`, \`mirror.maxsize: 1000GB\`, so every sweep runs expiry and the budget and removes nothing);"
  echo "median of $ROUNDS alternating rounds for the request rates."
  echo
  echo "| | empty store | $SCALE_BLOBS blobs | |"
  echo "|---|---|---|---|"
  echo "| time to the first answer (\`GET /v2/\`, from the process's start) | ${S[first,empty]} s | ${S[first,full]} s | |"
  echo "| time until the store is indexed | ${S[indexed,empty]} s | ${S[indexed,full]} s (${S[progress,full]} progress lines) | |"
  echo "| resident memory after the load below and $SCALE_SWEEPS more sweeps | $(( ${S[rss,empty]} / 1024 )) MiB | $(( ${S[rss,full]} / 1024 )) MiB | $perblob bytes per blob |"
  echo "| CPU per idle sweep interval (the whole process) | ${S[sweepcpu,empty]} ms | ${S[sweepcpu,full]} ms | |"
  echo "| bytes written per idle sweep: to \`access.txt\` / by the process (its log line included) | ${S[sweepjournal,empty]} / ${S[sweepio,empty]} | ${S[sweepjournal,full]} / ${S[sweepio,full]} | |"
  echo "| cached manifest by digest, 32 connections | ${S[digestrps,empty]} req/s | ${S[digestrps,full]} req/s | $(scale_ratio "${S[digestrps,full]}" "${S[digestrps,empty]}") |"
  echo "| cached 1 MiB blob, 32 connections | ${S[smallrps,empty]} req/s | ${S[smallrps,full]} req/s | $(scale_ratio "${S[smallrps,full]}" "${S[smallrps,empty]}") |"
  echo
}

scale_only() { # runs the case alone and replaces its section of an existing bench/results.md
  scale_case
  scale_section >"$W/scale.md"
  if [ -f "$OUT" ] && grep -Eq '^## A store of [0-9]+ blobs$' "$OUT"; then
    awk -v f="$W/scale.md" '
      !done && /^## A store of [0-9]+ blobs$/ { while ((getline line < f) > 0) print line; skip = 1; done = 1; next }
      skip && /^## / { skip = 0 }
      !skip { print }' "$OUT" >"$OUT.new"
  elif [ -f "$OUT" ]; then
    awk -v f="$W/scale.md" '
      !done && /^## / { while ((getline line < f) > 0) print line; done = 1 }
      { print }
      END { if (!done) while ((getline line < f) > 0) print line }' "$OUT" >"$OUT.new"
  else
    cp "$W/scale.md" "$OUT.new"
  fi
  mv "$OUT.new" "$OUT"
  cat "$W/scale.md"
}
