# The quota case of bench/run.sh (sourced by it, with its helpers): Docker Hub counts a pull per manifest
# GET. A fleet of QUOTA_CLIENTS dockerd-like clients (bench/quota-fleet.py: HEAD the tag, and only when it
# names a digest the client lacks, GET the index, the linux/amd64 manifest and the blobs it lacks) pulls
# QUOTA_IMAGES multi-platform images through a fresh mirror and through a fresh distribution proxy, over
# QUOTA_ROUNDS rounds, one image moving upstream between rounds; the programs alternate which goes first.
# Counted from the upstream's access log: the manifest GETs each program sent upstream, against the
# distinct manifest digests the clients asked for (the target: the mirror spends no more than those).
#
#   bench/run.sh quota        # this case alone: rewrites only its row of bench/results.md
QUOTA_CLIENTS=${QUOTA_CLIENTS:-20}
QUOTA_IMAGES=${QUOTA_IMAGES:-5}
QUOTA_ROUNDS=${QUOTA_ROUNDS:-10}
QUOTA_MIRROR=127.0.0.1:5119
QUOTA_DIST=127.0.0.1:5120
QUOTA_UP=127.0.0.1:5121   # an upstream of the case's own: its access log counts this case's requests only

quota_case() {
  echo "$QUOTA_CLIENTS dockerd-like clients, $QUOTA_IMAGES images (one moving), $QUOTA_ROUNDS rounds: manifest GETs upstream" >&2
  rm -rf "$W/quota-mirror-store" "$W/quota-dist-store" "$W/quota-upstream-store"
  local auth=$AUTH
  AUTH=
  registry_config "$W/quota-upstream.yml" "$QUOTA_UP" "$W/quota-upstream-store"
  start quotaupstream docker-registry serve "$W/quota-upstream.yml"
  wait_http "$QUOTA_UP"
  python3 "$ROOT/bench/quota-fleet.py" seed "$QUOTA_UP" "$QUOTA_IMAGES"
  cat >"$W/quota-mirror.yml" <<YML
http: {addr: "$QUOTA_MIRROR"}
storage: {filesystem: {rootdirectory: $W/quota-mirror-store}}
proxy: {remoteurl: "http://$QUOTA_UP"}
YML
  start quotamirror dotnet "$MIRROR_DLL" "$W/quota-mirror.yml"
  registry_config "$W/quota-dist.yml" "$QUOTA_DIST" "$W/quota-dist-store" "$QUOTA_UP"
  AUTH=$auth
  start quotadist docker-registry serve "$W/quota-dist.yml"
  wait_http "$QUOTA_MIRROR"; wait_http "$QUOTA_DIST"
  local line name gets asked failed
  while read -r name gets asked failed; do
    R[quotagets,$name]=$gets; R[quotaasked,$name]=$asked; R[quotafailed,$name]=$failed
  done < <(python3 "$ROOT/bench/quota-fleet.py" run "$QUOTA_UP" "$W/quotaupstream.log" "$QUOTA_ROUNDS" "$QUOTA_CLIENTS" "$QUOTA_IMAGES" \
    "mirror=$QUOTA_MIRROR" "dist=$QUOTA_DIST")
  R[quotaspent,mirror]=$(curl -s "http://$QUOTA_MIRROR/metrics" | awk '/^mirror_upstream_pulls_total\{/ { s += $NF } END { print s + 0 }')
  stop quotamirror; stop quotadist; stop quotaupstream
}

quota_row() {
  echo "| $QUOTA_CLIENTS dockerd-like clients, $QUOTA_IMAGES images (1 moving), $QUOTA_ROUNDS rounds: manifest GETs upstream (Docker Hub pulls; target: at most the ${R[quotaasked,mirror]} distinct manifest digests asked) | ${R[quotagets,mirror]} (mirror_upstream_pulls_total ${R[quotaspent,mirror]})$(failed_note "${R[quotafailed,mirror]}") | ${R[quotagets,dist]}$(failed_note "${R[quotafailed,dist]}") | | $(ratio "${R[quotagets,mirror]}" "${R[quotagets,dist]}") | |"
}

quota_only() { # runs the case alone and replaces (or appends after the table's last row) its row of an existing bench/results.md
  quota_case
  local row
  row=$(quota_row)
  if [ -f "$OUT" ] && grep -q '^| [0-9]* dockerd-like clients' "$OUT"; then
    awk -v r="$row" '/^\| [0-9]+ dockerd-like clients/ { print r; next } { print }' "$OUT" >"$OUT.new"
  elif [ -f "$OUT" ]; then
    awk -v r="$row" '{ print } !done && /^\| peak resident memory/ { print r; done = 1 }' "$OUT" >"$OUT.new"
  else
    echo "$row" >"$OUT.new"
  fi
  mv "$OUT.new" "$OUT"
  echo "$row"
}
