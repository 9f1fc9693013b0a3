# The lazy case of bench/run.sh (sourced by it, with its helpers): a lazy puller (bench/lazy-client.py: 50
# random 64 KiB ranges, 4 at a time, as the stargz and SOCI snapshotters and podman's zstd:chunked partial
# pulls fetch) on a cold BIG_MIB blob from a throttled upstream, through the mirror and through
# distribution's proxy; time to the last range. The throttle is nginx in front of the upstream registry
# (proxy_limit_rate, per connection, LAZY_RATE), whose access log, with each request's Range, counts what each
# program asked of the upstream. Distribution ignores Range on a miss and relays the whole blob: a 200
# answers every range once its body is in, so its time is that of the whole download.
#
#   bench/run.sh lazy         # this case alone: rewrites only its row of bench/results.md
LAZY_THROTTLE=${LAZY_THROTTLE:-127.0.0.1:5120}  # nginx, throttling, in front of the upstream registry
LAZY_MIRROR=${LAZY_MIRROR:-127.0.0.1:5121}      # the mirror, its upstream the throttle
LAZY_DIST=${LAZY_DIST:-127.0.0.1:5122}          # distribution's proxy, its upstream the throttle
LAZY_RATE=${LAZY_RATE:-20m}   # nginx proxy_limit_rate: bytes a second per connection (20m: 20 MiB/s, near the issue's 20 MB/s)

lazy_start() {
  mkdir -p "$W/lazy-nginx"
  cat >"$W/lazy-nginx.conf" <<NGX
user root;
worker_processes 1;
pid $W/lazy-nginx.pid;
error_log $W/lazy-nginx-error.log;
events { worker_connections 1024; }
http {
  log_format ranges '\$request_method \$uri "\$http_range" \$status \$body_bytes_sent';
  access_log $W/lazy-upstream.log ranges;
  client_body_temp_path $W/lazy-nginx/body;
  proxy_temp_path $W/lazy-nginx/proxy;
  server {
    listen $LAZY_THROTTLE;
    location / {
      proxy_pass http://$UP;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # Each upstream response read at LAZY_RATE, in memory buffers only (no temp file to read ahead into):
      # with buffering off, limit_rate did not hold (a 512 MiB relay took 8 s at "20m").
      proxy_buffering on;
      proxy_max_temp_file_size 0;
      proxy_limit_rate $LAZY_RATE;
    }
  }
}
NGX
  start lazynginx nginx -c "$W/lazy-nginx.conf" -g 'daemon off;'
  cat >"$W/mirror-lazy.yml" <<YML
http: {addr: "$LAZY_MIRROR"}
storage: {filesystem: {rootdirectory: $W/mirror-lazy-store}}
proxy: {remoteurl: "http://$LAZY_THROTTLE"}
YML
  rm -rf "$W/mirror-lazy-store" "$W/dist-lazy-store"
  start lazymirror dotnet "$MIRROR_DLL" "$W/mirror-lazy.yml"
  registry_config "$W/dist-lazy.yml" "$LAZY_DIST" "$W/dist-lazy-store" "$LAZY_THROTTLE"
  start lazydist docker-registry serve "$W/dist-lazy.yml"
  wait_http "$LAZY_THROTTLE"; wait_http "$LAZY_MIRROR"; wait_http "$LAZY_DIST"
}

# lazy_upstream BLOB: "full ranged" GETs of BLOB the throttle passed on (a fill's resumes count as ranged).
lazy_upstream() {
  awk -v b="/v2/bench/blobs/blobs/$1" '$1 == "GET" && $2 == b { if ($3 == "\"-\"") full++; else ranged++ } END { printf "%d %d\n", full, ranged }' "$W/lazy-upstream.log"
}

lazy_case() {
  echo "lazy pull: 50 random 64 KiB ranges, 4 at a time, of a cold ${BIG_MIB} MiB blob from an upstream throttled to ${LAZY_RATE%m} MiB/s a connection" >&2
  lazy_start
  local i p blob order file=$W/lazy.bin
  # Unmeasured: a small cold blob through each, so no program's first compiles are timed.
  head -c $((4 * 1024 * 1024)) /dev/urandom >"$file"
  blob=$(push_blob bench/blobs "$file")
  for p in mirror dist; do python3 "$ROOT/bench/lazy-client.py" "http://$(lazy_addr "$p")/v2/bench/blobs/blobs/$blob" $((4 * 1024 * 1024)) - 8 >/dev/null || true; done
  for p in mirror dist; do :>"$W/lazy.$p"; done
  for i in $(seq "$ROUNDS"); do
    order="mirror dist"; [ $((i % 2)) = 1 ] || order="dist mirror"
    for p in $order; do
      head -c $((BIG_MIB * 1024 * 1024)) /dev/urandom >"$file"
      blob=$(push_blob bench/blobs "$file")
      settle
      local out
      out=$(python3 "$ROOT/bench/lazy-client.py" "http://$(lazy_addr "$p")/v2/bench/blobs/blobs/$blob" $((BIG_MIB * 1024 * 1024)) "$file") \
        || echo "warning: lazy $p: an answer was neither a 206 with the right bytes nor the whole blob" >&2
      # The programs' own upstream work for this blob goes on after the client is done (the mirror's fill,
      # distribution's store): counted once the blob is stored (nginx logs a request when it ends).
      for _ in $(seq 1200); do lazy_stored "$p" "$blob" && break; sleep 0.2; done
      lazy_stored "$p" "$blob" || echo "warning: lazy $p: $blob not in the store after 240 s" >&2
      settle
      echo "$out $(lazy_upstream "$blob")" >>"$W/lazy.$p"
      echo "  round $i, $p: $(tail -1 "$W/lazy.$p") (s to the last range, 206s, 200s, bytes received, upstream full GETs, ranged GETs)" >&2
    done
  done
  rm -f "$file"
  for p in mirror dist; do
    R[lazy,$p]=$(column_median "$W/lazy.$p" 1)
    R[lazybytes,$p]=$(column_median "$W/lazy.$p" 4)
    R[lazyfull,$p]=$(column_median "$W/lazy.$p" 5)
    R[lazyranged,$p]=$(column_median "$W/lazy.$p" 6)
  done
  stop lazymirror; stop lazydist; stop lazynginx
}

lazy_stored() { # lazy_stored mirror|dist DIGEST: whether the program's store holds the blob
  local hex=${2#sha256:}
  if [ "$1" = mirror ]; then [ -f "$W/mirror-lazy-store/blobs/sha256/${hex:0:2}/$hex" ]
  else [ -f "$W/dist-lazy-store/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data" ]; fi
}

lazy_mib() { awk -v b="$1" 'BEGIN { if (b == "n/a") print b; else printf "%.1f MiB", b / 1048576 }'; }

lazy_addr() { case $1 in mirror) echo "$LAZY_MIRROR" ;; dist) echo "$LAZY_DIST" ;; esac; }

lazy_row() {
  echo "| lazy pull: 50 random 64 KiB ranges of a cold ${BIG_MIB} MiB blob, 4 at a time, upstream throttled to ${LAZY_RATE%m} MiB/s a connection: time to the last range (received; upstream full + ranged GETs) | ${R[lazy,mirror]} s ($(lazy_mib "${R[lazybytes,mirror]}"); ${R[lazyfull,mirror]} + ${R[lazyranged,mirror]}) | ${R[lazy,dist]} s ($(lazy_mib "${R[lazybytes,dist]}"); ${R[lazyfull,dist]} + ${R[lazyranged,dist]}) | | $(ratio "${R[lazy,dist]}" "${R[lazy,mirror]}") faster | |"
}

lazy_only() { # runs the case alone and replaces (or adds, after the cold rows) its row of an existing bench/results.md
  lazy_case
  local row
  row=$(lazy_row)
  if [ -f "$OUT" ] && grep -q '^| lazy pull:' "$OUT"; then
    awk -v r="$row" '/^\| lazy pull:/ { print r; next } { print }' "$OUT" >"$OUT.new"
  elif [ -f "$OUT" ]; then
    awk -v r="$row" '{ print } !done && /^\| 10 clients on 1 cold [0-9]+ MiB blob: wall time/ { print r; done = 1 }' "$OUT" >"$OUT.new"
  else
    echo "$row" >"$OUT.new"
  fi
  mv "$OUT.new" "$OUT"
  echo "$row"
}
