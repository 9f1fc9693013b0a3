#!/usr/bin/env bash
# Runs every test of the mirror: installs what the tests need when it is missing (Debian packages with
# apt-get, NuGet packages by restore), builds, runs the NUnit suites (unit, WireMock and end-to-end), and
# ends with one line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")"

packages=()
need() { command -v "$1" >/dev/null 2>&1 || packages+=("$2"); }
need docker-registry docker-registry
need dockerd docker.io
need podman podman
need skopeo skopeo
need prometheus prometheus
need htpasswd apache2-utils
need openssl openssl
need tinyproxy tinyproxy
need chromium chromium
need redis-server redis-server
need nginx nginx-light
need systemd-analyze systemd
# The native build (PublishAot) that deploy/build-image.sh publishes for the image's end-to-end test.
need clang clang
[ -e /usr/include/zlib.h ] || packages+=(zlib1g-dev)
need ceph-mon ceph-mon
need ceph-osd ceph-osd
need radosgw radosgw
need ceph ceph-common
[ -x /bin/busybox ] || packages+=(busybox-static)
if [ ${#packages[@]} -gt 0 ]; then
  echo "installing: ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

dotnet build Mirror.sln -c Release -nologo -clp:ErrorsOnly

results=$(mktemp -d)
status=0
dotnet test Mirror.sln -c Release --no-build -nologo \
  --logger "trx;LogFileName=results.trx" --results-directory "$results" "$@" || status=$?

passed=0; failed=0
for trx in "$results"/*.trx "$results"/*/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
echo "$passed passed, $failed failed"
if [ "$passed" -eq 0 ] || [ "$failed" -ne 0 ]; then
  status=1
fi
exit $status
