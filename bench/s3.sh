# The S3 case of bench/run.sh (sourced by it, with its helpers): the mirror on storage.s3 beside
# distribution's proxy on the same bucket (each under a root directory of its own), on Ceph's radosgw from
# Debian's packages (a one-OSD memstore cluster, as ../shared/TESTBED.md's recipe), all on 127.0.0.1.
# Rows, per side, median of ROUNDS alternating rounds, with curl following the 307 when redirects are on:
#   warm S3_MIB MiB blob (redirect on, then off): bytes/s of one client, the blob already in the bucket;
#   cold S3_MIB MiB blob (redirect on, then off): bytes/s of one client and the upstream's GETs;
#   S3_CLIENTS clients on one cold S3_MIB MiB blob over two nodes (the mirror's with Redis, each its own
#   local directory; distribution's two proxies): wall time and upstream GETs;
#   warm S3_MIB MiB blob from the bucket (redirect off) on the second node, whose local directory lacks it (the
#   first node filled it): bytes/s and upstream GETs, then the same blob again from that node (its local copy).
#
#   bench/run.sh s3           # this case alone: rewrites only its rows of bench/results.md
S3_MIB=${S3_MIB:-128}
S3_CLIENTS=${S3_CLIENTS:-10}
S3_RGW=127.0.0.1:5130
S3_MON=127.0.0.1:5131
S3_MIRRORS=(127.0.0.1:5132 127.0.0.1:5133)  # redirect on, off
S3_DISTS=(127.0.0.1:5134 127.0.0.1:5135)    # redirect on, off
S3_NODES=(127.0.0.1:5136 127.0.0.1:5137)    # the mirror's two nodes (redirect off)
S3_DNODES=(127.0.0.1:5138 127.0.0.1:5139)   # distribution's two proxies (redirect off)
S3_REDIS_PORT=5140
S3_KEY=bench-access-key
S3_SECRET=bench-secret-key
S3_SHARED=bench-cluster-secret-0123456789abcdef

s3_ceph() { # starts the monitor, the OSD and radosgw under $W/ceph, and makes the bucket "bench"
  local d=$W/ceph fsid uuid
  fsid=$(cat /proc/sys/kernel/random/uuid); uuid=$(cat /proc/sys/kernel/random/uuid)
  mkdir -p "$d"/{run,log,mon,osd/osd.0}
  cat >"$d/ceph.conf" <<CONF
[global]
fsid = $fsid
mon_host = v2:$S3_MON
public_addr = 127.0.0.1
ms_bind_msgr1 = false
ms_bind_port_min = 6800
ms_bind_port_max = 7300
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
run_dir = $d/run
admin_socket = $d/run/\$name.asok
log_file = $d/log/\$name.log
keyring = $d/keyring
mon_data = $d/mon/\$name
osd_data = $d/osd/\$name
osd_objectstore = memstore
memstore_device_bytes = $((8 * 1024 * 1024 * 1024))
osd_pool_default_size = 1
osd_pool_default_min_size = 1
mon_allow_pool_size_one = true
osd_crush_chooseleaf_type = 0
osd_pool_default_pg_autoscale_mode = off
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
paxos_propose_interval = 0.01
paxos_min_wait = 0.001
[client.rgw.a]
ms_mon_client_mode = crc
rgw_frontends = beast endpoint=$S3_RGW
CONF
  monmaptool --create --fsid "$fsid" --addv a "[v2:$S3_MON]" "$d/monmap" >/dev/null
  ceph-authtool --create-keyring "$d/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-mon -c "$d/ceph.conf" --mkfs -i a --monmap "$d/monmap"
  start s3mon ceph-mon -c "$d/ceph.conf" -i a -f
  ceph -c "$d/ceph.conf" osd new "$uuid" >/dev/null
  ceph-osd -c "$d/ceph.conf" -i 0 --mkfs --osd-uuid "$uuid" 2>/dev/null
  start s3osd ceph-osd -c "$d/ceph.conf" -i 0 -f
  for _ in $(seq 300); do ceph -c "$d/ceph.conf" osd dump 2>/dev/null | grep -q '^osd.0 up' && break; sleep 0.1; done
  start s3rgw radosgw -c "$d/ceph.conf" -n client.rgw.a -f
  wait_http "$S3_RGW"
  radosgw-admin -c "$d/ceph.conf" user create --uid=bench --display-name=bench --access-key="$S3_KEY" --secret-key="$S3_SECRET" >/dev/null
  env -u AWS_CA_BUNDLE AWS_ACCESS_KEY_ID=$S3_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET \
    aws --endpoint-url "http://$S3_RGW" --region us-east-1 s3api create-bucket --bucket bench >/dev/null
}

s3_storage() { # s3_storage ROOT REDIRECT(true|false): the storage section for the mirror and distribution alike
  echo "storage: {s3: {region: us-east-1, regionendpoint: \"http://$S3_RGW\", bucket: bench, rootdirectory: /$1, accesskey: $S3_KEY, secretkey: $S3_SECRET, secure: false, chunksize: 10485760}, redirect: {disable: $([ "$2" = true ] && echo false || echo true)}}"
}

s3_start() {
  local i redirect
  s3_ceph
  start s3redis redis-server --bind 127.0.0.1 --port "$S3_REDIS_PORT" --save '' --appendonly no
  for i in 0 1; do
    redirect=$([ "$i" = 0 ] && echo true || echo false)
    { echo "http: {addr: \"${S3_MIRRORS[$i]}\"}"; s3_storage "mirror$i" "$redirect"
      echo "proxy: {remoteurl: \"http://$UP\"}"; echo "mirror: {localdirectory: $W/s3-mirror$i}"; } >"$W/s3-mirror$i.yml"
    start "s3mirror$i" env -u AWS_CA_BUNDLE dotnet "$MIRROR_DLL" "$W/s3-mirror$i.yml"
    { echo "version: 0.1"; echo "log: {level: info}"; echo "http: {addr: \"${S3_DISTS[$i]}\"}"; s3_storage "dist$i" "$redirect"
      echo "proxy: {remoteurl: \"http://$UP\"}"; } >"$W/s3-dist$i.yml"
    start "s3dist$i" env -u AWS_CA_BUNDLE docker-registry serve "$W/s3-dist$i.yml"
    { echo "http: {addr: \"${S3_NODES[$i]}\", secret: $S3_SHARED}"; s3_storage cluster false
      echo "proxy: {remoteurl: \"http://$UP\"}"; echo "redis: {addr: \"127.0.0.1:$S3_REDIS_PORT\"}"
      echo "mirror: {localdirectory: $W/s3-node$i, cluster: {node: s3-node-$i}}"; } >"$W/s3-node$i.yml"
    start "s3node$i" env -u AWS_CA_BUNDLE dotnet "$MIRROR_DLL" "$W/s3-node$i.yml"
    { echo "version: 0.1"; echo "log: {level: info}"; echo "http: {addr: \"${S3_DNODES[$i]}\"}"; s3_storage dcluster false
      echo "proxy: {remoteurl: \"http://$UP\"}"; } >"$W/s3-dnode$i.yml"
    start "s3dnode$i" env -u AWS_CA_BUNDLE docker-registry serve "$W/s3-dnode$i.yml"
  done
  for i in 0 1; do wait_http "${S3_MIRRORS[$i]}"; wait_http "${S3_DISTS[$i]}"; wait_http "${S3_NODES[$i]}"; wait_http "${S3_DNODES[$i]}"; done
}

s3_stop() {
  local i
  for i in 0 1; do stop "s3mirror$i"; stop "s3dist$i"; stop "s3node$i"; stop "s3dnode$i"; done
  stop s3redis
  # radosgw first, then the OSD, then the monitor (all at once hangs radosgw for two minutes).
  stop s3rgw; stop s3osd; stop s3mon
}

s3_curl() { # s3_curl URL -> "time-to-first-byte total bytes/s" of one GET, following a 307 to the bucket
  env -u AWS_CA_BUNDLE curl -sfL -o /dev/null -w '%{time_starttransfer} %{time_total} %{speed_download}\n' "$1" || echo "n/a n/a n/a"
}

s3_push() { # a fresh random blob of $1 MiB in the upstream; prints its digest
  head -c $(($1 * 1024 * 1024)) /dev/urandom >"$W/s3.bin"
  push_blob bench/blobs "$W/s3.bin"
  rm -f "$W/s3.bin"
}

s3_in_bucket() { # s3_in_bucket ROOT DIGEST: whether the side's object of the blob is in the bucket
  local hex=${2#sha256:} key
  case $1 in mirror*|cluster) key="$1/blobs/sha256/${hex:0:2}/$hex" ;; *) key="$1/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data" ;; esac
  env -u AWS_CA_BUNDLE AWS_ACCESS_KEY_ID=$S3_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET \
    aws --endpoint-url "http://$S3_RGW" --region us-east-1 s3api head-object --bucket bench --key "$key" >/dev/null 2>&1
}

s3_single() { # s3_single ADDR ROOT FILE-PREFIX: a cold GET, then (once it is in the bucket) a warm one
  local blob before
  blob=$(s3_push "$S3_MIB")
  settle
  before=$(upstream_gets "$blob")
  s3_curl "http://$1/v2/bench/blobs/blobs/$blob" >>"$3.cold"
  for _ in $(seq 600); do s3_in_bucket "$2" "$blob" && break; sleep 0.2; done
  settle
  echo "$(( $(upstream_gets "$blob") - before ))" >>"$3.coldgets"
  s3_curl "http://$1/v2/bench/blobs/blobs/$blob" >>"$3.warm"
}

s3_many() { # s3_many mirror|dist FILE: S3_CLIENTS clients on a cold blob over the side's two nodes
  local side=$1 blob addrs root before start_ns c pid clients=() failed=0 wall
  if [ "$side" = mirror ]; then addrs=("${S3_NODES[@]}"); root=cluster; else addrs=("${S3_DNODES[@]}"); root=dcluster; fi
  blob=$(s3_push "$S3_MIB")
  settle
  before=$(upstream_gets "$blob")
  start_ns=$(date +%s%N)
  for c in $(seq "$S3_CLIENTS"); do
    fetch "http://${addrs[$(((c - 1) % 2))]}/v2/bench/blobs/blobs/$blob" >"$W/s3many.out.$c" 2>&1 &
    clients+=($!)
  done
  for pid in "${clients[@]}"; do wait "$pid" || failed=$((failed + 1)); done
  wall=$(awk -v s="$start_ns" -v e="$(date +%s%N)" 'BEGIN { printf "%.3f", (e - s) / 1e9 }')
  for _ in $(seq 600); do s3_in_bucket "$root" "$blob" && break; sleep 0.2; done
  settle
  echo "$wall $(( $(upstream_gets "$blob") - before )) $failed" >>"$2"
}

s3_remote() { # s3_remote mirror|dist FILE-PREFIX: a blob filled through node 0, then GET twice from node 1 (redirect off)
  local side=$1 blob addrs root before
  if [ "$side" = mirror ]; then addrs=("${S3_NODES[@]}"); root=cluster; else addrs=("${S3_DNODES[@]}"); root=dcluster; fi
  blob=$(s3_push "$S3_MIB")
  s3_curl "http://${addrs[0]}/v2/bench/blobs/blobs/$blob" >/dev/null
  for _ in $(seq 600); do s3_in_bucket "$root" "$blob" && break; sleep 0.2; done
  settle
  before=$(upstream_gets "$blob")
  s3_curl "http://${addrs[1]}/v2/bench/blobs/blobs/$blob" >>"$2.remote"
  settle
  echo "$(( $(upstream_gets "$blob") - before ))" >>"$2.remotegets"
  s3_curl "http://${addrs[1]}/v2/bench/blobs/blobs/$blob" >>"$2.again"
}

s3_case() {
  echo "S3 (radosgw): warm and cold ${S3_MIB} MiB blobs, redirect on and off, and $S3_CLIENTS clients over two nodes" >&2
  s3_start
  local i p order
  # Unmeasured: each side's first fills and compiles.
  for i in 0 1; do s3_curl "http://${S3_MIRRORS[$i]}/v2/bench/blobs/blobs/$SMALL" >/dev/null; s3_curl "http://${S3_DISTS[$i]}/v2/bench/blobs/blobs/$SMALL" >/dev/null; done
  rm -f "$W"/s3.*.cold "$W"/s3.*.coldgets "$W"/s3.*.warm "$W"/s3.many.* "$W"/s3.*.remote "$W"/s3.*.remotegets "$W"/s3.*.again
  for i in $(seq "$ROUNDS"); do
    order="mirror dist"; [ $((i % 2)) = 1 ] || order="dist mirror"
    for p in $order; do
      if [ "$p" = mirror ]; then
        s3_single "${S3_MIRRORS[0]}" mirror0 "$W/s3.mirror-on"; s3_single "${S3_MIRRORS[1]}" mirror1 "$W/s3.mirror-off"
      else
        s3_single "${S3_DISTS[0]}" dist0 "$W/s3.dist-on"; s3_single "${S3_DISTS[1]}" dist1 "$W/s3.dist-off"
      fi
      s3_many "$p" "$W/s3.many.$p"
      s3_remote "$p" "$W/s3.$p"
      echo "  round $i, $p: $(tail -1 "$W/s3.many.$p") (wall s, upstream GETs, failed clients)" >&2
    done
  done
  for p in mirror-on mirror-off dist-on dist-off; do
    R[s3warm,$p]=$(column_median "$W/s3.$p.warm" 3)
    R[s3cold,$p]=$(column_median "$W/s3.$p.cold" 3)
    R[s3coldgets,$p]=$(median <"$W/s3.$p.coldgets")
  done
  for p in mirror dist; do
    R[s3remote,$p]=$(column_median "$W/s3.$p.remote" 3)
    R[s3remotegets,$p]=$(median <"$W/s3.$p.remotegets")
    R[s3remotettfb,$p]=$(column_median "$W/s3.$p.remote" 1)
    R[s3again,$p]=$(column_median "$W/s3.$p.again" 3)
    R[s3manywall,$p]=$(column_median "$W/s3.many.$p" 1)
    R[s3manygets,$p]=$(column_median "$W/s3.many.$p" 2)
    R[s3manyfailed,$p]=$(awk '{ n += $3 } END { print n + 0 }' "$W/s3.many.$p")
  done
  grep -hE 'won the fill of|took over|Streaming the fill' "$W"/s3node*.log | sed 's/^/  /' | tail -6 >&2 || true
  s3_stop
}

s3_rows() {
  local mode
  for mode in on off; do
    echo "| S3: warm ${S3_MIB} MiB blob, redirect $mode$([ "$mode" = on ] && echo " (307 to radosgw)" || echo " (the mirror from its local copy, distribution from the bucket)"), 1 client (curl -L) | $(gib "${R[s3warm,mirror-$mode]}") | $(gib "${R[s3warm,dist-$mode]}") | | $(ratio "${R[s3warm,mirror-$mode]}" "${R[s3warm,dist-$mode]}") | |"
    echo "| S3: cold ${S3_MIB} MiB blob, redirect $mode, 1 client: speed, upstream GETs | $(gib "${R[s3cold,mirror-$mode]}"), ${R[s3coldgets,mirror-$mode]} | $(gib "${R[s3cold,dist-$mode]}"), ${R[s3coldgets,dist-$mode]} | | $(ratio "${R[s3cold,mirror-$mode]}" "${R[s3cold,dist-$mode]}") | |"
  done
  echo "| S3: warm ${S3_MIB} MiB blob from the bucket, redirect off, on a node whose local directory lacks it (another node filled it; the mirror copies it into its local directory, verified, then serves it), 1 client: speed, first byte, upstream GETs | $(gib "${R[s3remote,mirror]}"), ${R[s3remotettfb,mirror]} s, ${R[s3remotegets,mirror]} | $(gib "${R[s3remote,dist]}"), ${R[s3remotettfb,dist]} s, ${R[s3remotegets,dist]} | | $(ratio "${R[s3remote,mirror]}" "${R[s3remote,dist]}") | |"
  echo "| S3: the same blob again from that node, redirect off (the mirror from its new local copy, distribution from the bucket), 1 client | $(gib "${R[s3again,mirror]}") | $(gib "${R[s3again,dist]}") | | $(ratio "${R[s3again,mirror]}" "${R[s3again,dist]}") | |"
  echo "| S3: $S3_CLIENTS clients on 1 cold ${S3_MIB} MiB blob, 2 nodes, own local directories: upstream GETs | ${R[s3manygets,mirror]}$(failed_note "${R[s3manyfailed,mirror]}") | ${R[s3manygets,dist]}$(failed_note "${R[s3manyfailed,dist]}") | | | |"
  echo "| S3: $S3_CLIENTS clients on 1 cold ${S3_MIB} MiB blob, 2 nodes: wall time | ${R[s3manywall,mirror]} s | ${R[s3manywall,dist]} s | | $(ratio "${R[s3manywall,mirror]}" "${R[s3manywall,dist]}") | |"
}

s3_only() { # runs the case alone and replaces (or appends after the table) its rows of an existing bench/results.md
  s3_case
  s3_rows >"$W/s3.rows"
  local pattern='^[|] S3: '
  if [ -f "$OUT" ] && grep -Eq "$pattern" "$OUT"; then
    awk -v f="$W/s3.rows" -v p="$pattern" '
      $0 ~ p { if (!done) while ((getline line < f) > 0) print line; done = 1; next }
      { print }' "$OUT" >"$OUT.new"
  elif [ -f "$OUT" ]; then
    awk -v f="$W/s3.rows" '
      { print }
      !done && /^\| [0-9]+ clients on 1 cold [0-9]+ MiB blob, 3-node cluster: wall time/ { while ((getline line < f) > 0) print line; done = 1 }
      END { if (!done) while ((getline line < f) > 0) print line }' "$OUT" >"$OUT.new"
  else
    cp "$W/s3.rows" "$OUT.new"
  fi
  mv "$OUT.new" "$OUT"
  cat "$W/s3.rows"
}
