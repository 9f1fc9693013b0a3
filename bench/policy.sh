# The policy case of bench/run.sh (sourced by it, with its helpers): a cached manifest by tag through a
# mirror with mirror.policy on (the image signed in cosign's format, as `cosign sign --key` stores it,
# signed here with openssl as cosign's EXAMPLES.md does), against a mirror without it, alternating. Both
# have mirror.tagttl 1h, so the tag's upstream HEAD (the rest of the by-tag row) does not hide what the
# policy costs: a verdict kept per repository and digest. Target: at least 0.9x.
#
#   bench/run.sh policy       # this case alone: rewrites only its row of bench/results.md
POLICY_ON=127.0.0.1:5120    # the mirror with mirror.policy
POLICY_OFF=127.0.0.1:5121   # the same without it

policy_sign() { # signs library/layers30's manifest $MANIFEST with a fresh P-256 key, pushed as cosign does
  local d=$W/cosign; mkdir -p "$d"
  openssl ecparam -name prime256v1 -genkey -noout -out "$d/cosign.key" 2>/dev/null
  openssl ec -in "$d/cosign.key" -pubout -out "$d/cosign.pub" 2>/dev/null
  printf '{"critical":{"identity":{"docker-reference":"%s/library/layers30"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":null}' "$UP" "$MANIFEST" >"$d/payload"
  openssl dgst -sha256 -sign "$d/cosign.key" -out "$d/payload.sig" "$d/payload"
  local payload config signature
  payload=$(push_blob library/layers30 "$d/payload")
  printf '{"architecture":"","created":"0001-01-01T00:00:00Z","history":[{"created":"0001-01-01T00:00:00Z"}],"os":"","rootfs":{"type":"layers","diff_ids":["%s"]},"config":{}}' "$payload" >"$d/config"
  config=$(push_blob library/layers30 "$d/config")
  signature=$(base64 -w0 "$d/payload.sig")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":%d,"digest":"%s"},"layers":[{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","size":%d,"digest":"%s","annotations":{"dev.cosignproject.cosign/signature":"%s"}}]}' \
    "$(stat -c %s "$d/config")" "$config" "$(stat -c %s "$d/payload")" "$payload" "$signature" >"$d/manifest"
  curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary "@$d/manifest" \
    "http://$UP/v2/library/layers30/manifests/sha256-${MANIFEST#sha256:}.sig" >/dev/null
}

policy_mirror() { # policy_mirror NAME ADDR [POLICY_YAML]
  rm -rf "$W/$1-store"
  cat >"$W/$1.yml" <<YML
http: {addr: "$2"}
storage: {filesystem: {rootdirectory: $W/$1-store}}
proxy: {remoteurl: "http://$UP"}
mirror:
  tagttl: 1h
${3:-}
YML
  start "$1" dotnet "$MIRROR_DLL" "$W/$1.yml"
  wait_http "$2"
}

policy_case() {
  echo "cached manifest by tag, mirror.policy on against off, 32 connections" >&2
  policy_sign
  policy_mirror mirrorpolicy "$POLICY_ON" "  policy:
    - repositories: [\"library/*\"]
      sigstore: {keys: [$W/cosign/cosign.pub]}"
  policy_mirror mirrornopolicy "$POLICY_OFF"
  local url status
  for addr in "$POLICY_ON" "$POLICY_OFF"; do
    url=http://$addr/v2/library/layers30/manifests/latest
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "$ACCEPT" "$url")
    [ "$status" = 200 ] || { echo "the signed image is not served by $addr ($status): $(tail -3 "$W"/mirror*policy.log)" >&2; exit 1; }
    hey -z 5s -c 32 -H "$ACCEPT" "$url" >/dev/null
  done
  for p in on off; do :>"$W/policy.$p"; done
  for _ in $(seq "$ROUNDS"); do
    settle; hey_run 20000 "http://$POLICY_ON/v2/library/layers30/manifests/latest" "$ACCEPT" >>"$W/policy.on"
    settle; hey_run 20000 "http://$POLICY_OFF/v2/library/layers30/manifests/latest" "$ACCEPT" >>"$W/policy.off"
  done
  for p in on off; do
    R[policyrps,$p]=$(column_median "$W/policy.$p" 1)
    R[policyp99,$p]=$(column_median "$W/policy.$p" 2)
  done
  stop mirrorpolicy; stop mirrornopolicy
}

policy_row() {
  echo "| cached manifest by tag, \`mirror.tagttl\` 1h, \`mirror.policy\` on (a signed image) against off, 32 connections | on: ${R[policyrps,on]} req/s, p99 ${R[policyp99,on]} ms; off: ${R[policyrps,off]} req/s, p99 ${R[policyp99,off]} ms; on / off $(ratio "${R[policyrps,on]}" "${R[policyrps,off]}") (target 0.9x) | | | | |"
}

policy_only() { # runs the case alone and replaces (or adds, after the by-tag row) its row of an existing bench/results.md
  policy_case
  local row
  row=$(policy_row)
  if [ -f "$OUT" ] && grep -q '^| cached manifest by tag, `mirror.tagttl` 1h, `mirror.policy`' "$OUT"; then
    awk -v r="$row" '/^\| cached manifest by tag, `mirror.tagttl` 1h, `mirror.policy`/ { print r; next } { print }' "$OUT" >"$OUT.new"
  elif [ -f "$OUT" ]; then
    awk -v r="$row" '{ print } !done && /^\| cached manifest by tag \(upstream HEAD check\)/ { print r; done = 1 }' "$OUT" >"$OUT.new"
  else
    echo "$row" >"$OUT.new"
  fi
  mv "$OUT.new" "$OUT"
  echo "$row"
}
