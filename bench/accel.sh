# The accel case of bench/run.sh (sourced by it, with its helpers): a warm BIG_MIB blob through nginx in
# front of the mirror with mirror.accel (the shipped deploy/nginx.conf, its listen line made plain HTTP so
# that sendfile applies, as for the direct server), against the same nginx serving the same file directly.
# One nginx process holds both servers; the mirror has a store of its own.
#
#   bench/run.sh accel        # this case alone: rewrites only its row of bench/results.md
ACCEL_MIRROR=127.0.0.1:5109   # the mirror, behind nginx
ACCEL_FRONT=127.0.0.1:5110    # nginx with deploy/nginx.conf in front of it
ACCEL_DIRECT=127.0.0.1:5111   # the same nginx serving the mirror's file directly

accel_case() {
  echo "warm ${BIG_MIB} MiB blob through nginx with X-Accel-Redirect, against nginx directly" >&2
  local store=$W/mirror-accel-store
  rm -rf "$store"
  cat >"$W/mirror-accel.yml" <<YML
http: {addr: "$ACCEL_MIRROR"}
storage: {filesystem: {rootdirectory: $store}}
proxy: {remoteurl: "http://$UP"}
mirror:
  trustedproxies: [127.0.0.1]
  accel: {header: X-Accel-Redirect, location: /_mirror_store/}
YML
  start mirroraccel dotnet "$MIRROR_DLL" "$W/mirror-accel.yml"
  wait_http "$ACCEL_MIRROR"

  sed -e "s#server 127.0.0.1:5000;#server $ACCEL_MIRROR;#" -e "s#listen 443 ssl http2;#listen $ACCEL_FRONT;#" -e '/listen \[::\]:443/d' \
    -e "s#/etc/mirror/tls/fullchain.pem#$W/tls/server.crt#" -e "s#/etc/mirror/tls/privkey.pem#$W/tls/server.key#" \
    -e "s#alias /var/lib/mirror/;#alias $store/;#" "$ROOT/deploy/nginx.conf" >"$W/nginx-accel-site.conf"
  grep -q "listen $ACCEL_FRONT;" "$W/nginx-accel-site.conf" && grep -q "alias $store/;" "$W/nginx-accel-site.conf" \
    || { echo "deploy/nginx.conf no longer has the lines the accel case adapts" >&2; exit 1; }
  mkdir -p "$W/nginx-accel"
  cat >"$W/nginx-accel.conf" <<NGX
user root;
worker_processes 2;
pid $W/nginx-accel.pid;
error_log $W/nginx-accel-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $W/nginx-accel/body;
  proxy_temp_path $W/nginx-accel/proxy;
  keepalive_requests 1000000;
  include $W/nginx-accel-site.conf;
  server { listen $ACCEL_DIRECT; sendfile on; tcp_nopush on; root $W/nginx-accel; location / { default_type application/octet-stream; } }
}
NGX
  start nginxaccel nginx -c "$W/nginx-accel.conf" -g 'daemon off;'
  wait_http "$ACCEL_FRONT"

  local url=http://$ACCEL_FRONT/v2/bench/blobs/blobs/$BIG
  fetch "$url" >/dev/null  # fills the mirror, streamed through nginx
  # A mirror that has served a while: its hand-over path compiled by the JIT's second tier (a fresh one
  # spends milliseconds per request in first-tier code, which a 512 MiB fetch at 2-3 GiB/s would notice).
  # Asked directly from the trusted 127.0.0.1, it answers each with the accel header and no body.
  hey -n 2000 -c 4 "http://$ACCEL_MIRROR/v2/bench/blobs/blobs/$BIG" >/dev/null
  fetch "$url" >/dev/null
  ln -sf "$store/blobs/sha256/${BIG:7:2}/${BIG:7}" "$W/nginx-accel/big"
  fetch "http://$ACCEL_DIRECT/big" >/dev/null
  curl -s -o /dev/null -D "$W/accel.headers" "$url"
  grep -qi '^x-cache: HIT' "$W/accel.headers" || echo "warning: the warm blob through nginx was not a hit" >&2
  for p in mirror nginx; do :>"$W/accel.$p"; done
  for _ in $(seq $((ROUNDS * 3))); do
    settle; fetch "$url" >>"$W/accel.mirror"
    settle; fetch "http://$ACCEL_DIRECT/big" >>"$W/accel.nginx"
  done
  for p in mirror nginx; do
    R[accel,$p]=$(column_median "$W/accel.$p" 3)
    R[accelttfb,$p]=$(column_median "$W/accel.$p" 1)
  done
  [ -z "${ACCEL_KEEP:-}" ] || cp "$W/accel.mirror" "$W/accel.nginx" "$ACCEL_KEEP"/
  # The mirror, asked by a trusted peer, hands the blob over: an accel header and no body.
  curl -s -o "$W/accel.body" -D "$W/accel.headers" "http://$ACCEL_MIRROR/v2/bench/blobs/blobs/$BIG"
  { grep -qi '^x-accel-redirect: /_mirror_store/' "$W/accel.headers" && [ ! -s "$W/accel.body" ]; } \
    || echo "warning: the mirror did not hand the warm blob to nginx" >&2
  stop nginxaccel; stop mirroraccel
}

accel_row() {
  echo "| warm ${BIG_MIB} MiB blob, 1 client, nginx in front with X-Accel-Redirect (\`deploy/nginx.conf\`) | $(gib "${R[accel,mirror]}") | | $(gib "${R[accel,nginx]}") | | $(ratio "${R[accel,mirror]}" "${R[accel,nginx]}") |"
}

accel_only() { # runs the case alone and replaces (or adds, after the warm row) its row of an existing bench/results.md
  accel_case
  local row
  row=$(accel_row)
  if [ -f "$OUT" ] && grep -q '^| warm [0-9]* MiB blob, 1 client, nginx in front' "$OUT"; then
    awk -v r="$row" '/^\| warm [0-9]+ MiB blob, 1 client, nginx in front/ { print r; next } { print }' "$OUT" >"$OUT.new"
  elif [ -f "$OUT" ]; then
    awk -v r="$row" '{ print } !done && /^\| warm [0-9]+ MiB blob, 1 client \|/ { print r; done = 1 }' "$OUT" >"$OUT.new"
  else
    echo "$row" >"$OUT.new"
  fi
  mv "$OUT.new" "$OUT"
  echo "$row"
}
