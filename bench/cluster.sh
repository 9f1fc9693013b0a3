# The cluster case of bench/run.sh (sourced by it, with its helpers): the recipe's "registry cache cluster".
# Three mirror nodes on one store directory, coordinated by one redis-server, against three of
# distribution's proxies (docker-registry in proxy mode, no redis) on one other store directory, all in
# front of the same upstream. Per round and side: a fresh random BIG_MIB blob pushed to the upstream, then
# CLUSTER_CLIENTS concurrent fetch clients on it, spread evenly over the side's three nodes; the wall time
# from the first client's start to the last one's end, and the upstream's GETs of that blob (from its access
# log, counted once the side is idle again, so distribution's background stores are included). Sides
# alternate which goes first from round to round; medians over ROUNDS.
#
#   bench/run.sh cluster      # this case alone: rewrites only its rows of bench/results.md
CLUSTER_CLIENTS=${CLUSTER_CLIENTS:-30}
CLUSTER_REDIS_PORT=5112
CLUSTER_MIRRORS=(127.0.0.1:5113 127.0.0.1:5114 127.0.0.1:5115)
CLUSTER_DISTS=(127.0.0.1:5116 127.0.0.1:5117 127.0.0.1:5118)

cluster_start() {
  local i
  rm -rf "$W/cluster-mirror-store" "$W/cluster-dist-store"
  start clusterredis redis-server --bind 127.0.0.1 --port "$CLUSTER_REDIS_PORT" --save '' --appendonly no
  for _ in $(seq 100); do redis-cli -p "$CLUSTER_REDIS_PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  redis-cli -p "$CLUSTER_REDIS_PORT" ping 2>/dev/null | grep -q PONG || { echo "no answer from redis-server" >&2; exit 1; }
  for i in 1 2 3; do
    cat >"$W/cluster-mirror-$i.yml" <<YML
http: {addr: "${CLUSTER_MIRRORS[$((i - 1))]}"}
storage: {filesystem: {rootdirectory: $W/cluster-mirror-store}}
proxy: {remoteurl: "http://$UP"}
redis: {addr: "127.0.0.1:$CLUSTER_REDIS_PORT"}
mirror: {cluster: {node: node-$i}}
YML
    start "clustermirror$i" dotnet "$MIRROR_DLL" "$W/cluster-mirror-$i.yml"
    registry_config "$W/cluster-dist-$i.yml" "${CLUSTER_DISTS[$((i - 1))]}" "$W/cluster-dist-store" "$UP"
    start "clusterdist$i" docker-registry serve "$W/cluster-dist-$i.yml"
  done
  for i in 0 1 2; do wait_http "${CLUSTER_MIRRORS[$i]}"; wait_http "${CLUSTER_DISTS[$i]}"; done
}

cluster_stop() {
  local i
  for i in 1 2 3; do stop "clustermirror$i"; stop "clusterdist$i"; done
  stop clusterredis
}

cluster_push() { # pushes a fresh random blob of $1 MiB to the upstream and prints its digest
  head -c $(($1 * 1024 * 1024)) /dev/urandom >"$W/cluster.bin"
  push_blob bench/blobs "$W/cluster.bin"
  rm -f "$W/cluster.bin"
}

cluster_stored() { # cluster_stored mirror|dist DIGEST: whether the side's store holds the blob
  local hex=${2#sha256:}
  if [ "$1" = mirror ]; then [ -f "$W/cluster-mirror-store/blobs/sha256/${hex:0:2}/$hex" ]
  else [ -f "$W/cluster-dist-store/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data" ]; fi
}

# cluster_round mirror|dist DIGEST FILE: CLUSTER_CLIENTS clients on the side's nodes, round-robin; appends
# "wall slowest-first-byte upstream-GETs failed-clients" to FILE (when given).
cluster_round() {
  local side=$1 blob=$2 file=${3:-} addrs c pid before start_ns wall slowest gets failed=0 clients=()
  if [ "$side" = mirror ]; then addrs=("${CLUSTER_MIRRORS[@]}"); else addrs=("${CLUSTER_DISTS[@]}"); fi
  rm -f "$W"/cluster.out.*
  settle
  before=$(upstream_gets "$blob")
  start_ns=$(date +%s%N)
  for c in $(seq "$CLUSTER_CLIENTS"); do
    fetch "http://${addrs[$(((c - 1) % 3))]}/v2/bench/blobs/blobs/$blob" >"$W/cluster.out.$c" 2>&1 &
    clients+=($!)
  done
  # Only the clients: the servers are jobs of this shell too, and a bare wait would wait for them.
  for pid in "${clients[@]}"; do wait "$pid" || failed=$((failed + 1)); done
  wall=$(awk -v s="$start_ns" -v e="$(date +%s%N)" 'BEGIN { printf "%.3f", (e - s) / 1e9 }')
  slowest=$(cat "$W"/cluster.out.* | awk 'NF == 3 { print $1 }' | sort -g | tail -1)
  [ "$failed" = 0 ] || { echo "warning: $side: $failed of $CLUSTER_CLIENTS clients failed:" >&2; grep -hv '^[0-9.]* [0-9.]* [0-9]*$' "$W"/cluster.out.* | sort | uniq -c >&2 || true; }
  # Distribution stores the blob from a background GET of each proxy after its clients have it: wait for
  # it to land in the store and for every process to go idle, so its GETs are counted and its writes are
  # not timed against the next round.
  for _ in $(seq 600); do cluster_stored "$side" "$blob" && break; sleep 0.2; done
  cluster_stored "$side" "$blob" || echo "warning: $side: $blob not in the store after 120 s" >&2
  settle
  gets=$(( $(upstream_gets "$blob") - before ))
  # fetch checks the status and that each body was Content-Length bytes long; here every node's answer,
  # now warm, is hashed (outside the timing).
  for c in "${addrs[@]}"; do
    [ "sha256:$(curl -s "http://$c/v2/bench/blobs/blobs/$blob" | sha256sum | cut -d' ' -f1)" = "$blob" ] \
      || { echo "warning: $side: $c served other bytes for $blob" >&2; failed=$((failed + 1)); }
  done
  [ -z "$file" ] || echo "$wall ${slowest:-n/a} $gets $failed" >>"$file"
}

cluster_case() {
  echo "$CLUSTER_CLIENTS clients on one cold ${BIG_MIB} MiB blob, 3 mirror nodes (redis) against 3 distribution proxies, one store each" >&2
  cluster_start
  local i p blob order
  # Unmeasured: a small cold blob through each side, then warm, so that no node's first compiles are timed.
  blob=$(cluster_push 16)
  for p in mirror dist; do cluster_round "$p" "$blob"; cluster_round "$p" "$blob"; done
  for p in mirror dist; do :>"$W/cluster.$p"; done
  for i in $(seq "$ROUNDS"); do
    order="mirror dist"; [ $((i % 2)) = 1 ] || order="dist mirror"
    for p in $order; do
      blob=$(cluster_push "$BIG_MIB")
      echo "  round $i, $p: $blob" >&2
      cluster_round "$p" "$blob" "$W/cluster.$p"
      echo "  $(tail -1 "$W/cluster.$p") (wall s, slowest first byte s, upstream GETs, failed)" >&2
    done
  done
  for p in mirror dist; do
    R[clusterwall,$p]=$(column_median "$W/cluster.$p" 1)
    R[clusterttfb,$p]=$(column_median "$W/cluster.$p" 2)
    R[clustergets,$p]=$(column_median "$W/cluster.$p" 3)
    R[clusterfailed,$p]=$(awk '{ n += $4 } END { print n + 0 }' "$W/cluster.$p")
  done
  # What the nodes said about the fills (the filler "won the fill of", "took over", "Redis:" trouble).
  for i in 1 2 3; do
    grep -E 'won the fill of|took over|Redis:' "$W/clustermirror$i.log" | sed "s/^/  node-$i: /" >&2 || true
  done
  [ -z "${CLUSTER_KEEP:-}" ] || cp "$W"/cluster.mirror "$W"/cluster.dist "$W"/clustermirror*.log "$CLUSTER_KEEP"/
  cluster_stop
}

cluster_rows() {
  echo "| $CLUSTER_CLIENTS clients on 1 cold ${BIG_MIB} MiB blob, 3-node cluster: upstream GETs | ${R[clustergets,mirror]}$(failed_note "${R[clusterfailed,mirror]}") | ${R[clustergets,dist]}$(failed_note "${R[clusterfailed,dist]}") | | | |"
  echo "| $CLUSTER_CLIENTS clients on 1 cold ${BIG_MIB} MiB blob, 3-node cluster: wall time | ${R[clusterwall,mirror]} s | ${R[clusterwall,dist]} s | | $(ratio "${R[clusterwall,mirror]}" "${R[clusterwall,dist]}") | |"
}

cluster_only() { # runs the case alone and replaces (or adds, after the 10-client rows) its rows of an existing bench/results.md
  cluster_case
  cluster_rows >"$W/cluster.rows"
  local pattern='^[|] [0-9]+ clients on 1 cold [0-9]+ MiB blob, 3-node cluster:'
  if [ -f "$OUT" ] && grep -Eq "$pattern" "$OUT"; then
    awk -v f="$W/cluster.rows" -v p="$pattern" '
      $0 ~ p { if (!done) while ((getline line < f) > 0) print line; done = 1; next }
      { print }' "$OUT" >"$OUT.new"
  elif [ -f "$OUT" ]; then
    awk -v f="$W/cluster.rows" '
      { print }
      !done && /^\| 10 clients on 1 cold [0-9]+ MiB blob: wall time/ { while ((getline line < f) > 0) print line; done = 1 }
      END { if (!done) while ((getline line < f) > 0) print line }' "$OUT" >"$OUT.new"
  else
    cp "$W/cluster.rows" "$OUT.new"
  fi
  # The notes appended to the results, brought up to date with bench/notes.md (from its first line on).
  local first
  first=$(head -1 "$ROOT/bench/notes.md" 2>/dev/null || true)
  if [ -n "$first" ] && grep -qxF "$first" "$OUT.new"; then
    awk -v first="$first" '$0 == first { exit } { print }' "$OUT.new" >"$OUT.tmp"
    cat "$ROOT/bench/notes.md" >>"$OUT.tmp"
    mv "$OUT.tmp" "$OUT.new"
  fi
  mv "$OUT.new" "$OUT"
  cat "$W/cluster.rows"
}
