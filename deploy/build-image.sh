#!/usr/bin/env bash
# deploy/build-image.sh [TAG]: builds the mirror's image (default mirror:latest) into the daemon that DOCKER_HOST
# names, offline: nothing is pulled. The image is FROM scratch: the native build (PublishAot), the shared
# libraries it links (ldd) and those .NET opens at run time for TLS (libssl, libcrypto), the system's CA
# certificates, a non-root user (uid 10001) and a default /etc/docker/registry/config.yml as registry:2 has.
# MIRROR_NATIVE=path/to/Mirror.Gateway uses an existing native build instead of publishing one (the tests
# publish once per run). MIRROR_ROOTFS=DIR only assembles the image's file system in DIR (deploy/Dockerfile does).
# Needs: the .NET SDK, clang and zlib1g-dev (for the publish), docker.
set -euo pipefail
tag=${1:-mirror:latest}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
uid=10001

binary=${MIRROR_NATIVE:-}
if [ -z "$binary" ]; then
  dotnet publish "$repo/Mirror.Gateway/Mirror.Gateway.csproj" -c Release -r linux-x64 -p:PublishAot=true \
    -o "$work/publish" -nologo -clp:ErrorsOnly
  binary=$work/publish/Mirror.Gateway
fi

rootfs=${MIRROR_ROOTFS:-$work/rootfs}
mkdir -p "$rootfs"/{usr/local/bin,etc/docker/registry,etc/ssl/certs,var/lib/mirror,tmp}
cp "$binary" "$rootfs/usr/local/bin/mirror"
# The host reads its logging defaults (one line per entry, UTC timestamps) beside the binary, its content root.
cp "$(dirname "$binary")/appsettings.json" "$rootfs/usr/local/bin/" 2>/dev/null || cp "$repo/Mirror.Gateway/appsettings.json" "$rootfs/usr/local/bin/"

# What the binary links, and what .NET's crypto opens with dlopen (no ldd line for them).
libs=$(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
for lib in $libs $(ldconfig -p | awk '/(libssl|libcrypto)\.so\.3 .*x86-64/ {print $NF}'); do
  cp -L --parents "$lib" "$rootfs"
done
# The loader is asked for at its canonical path (/lib64 is a link on Debian).
[ -e "$rootfs/lib64/ld-linux-x86-64.so.2" ] || { mkdir -p "$rootfs/lib64"; cp -L /lib64/ld-linux-x86-64.so.2 "$rootfs/lib64/"; }

cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
printf 'root:x:0:0:root:/:/sbin/nologin\nmirror:x:%s:%s:mirror:/var/lib/mirror:/sbin/nologin\n' "$uid" "$uid" > "$rootfs/etc/passwd"
printf 'root:x:0:\nmirror:x:%s:\n' "$uid" > "$rootfs/etc/group"
printf 'hosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
cat > "$rootfs/etc/docker/registry/config.yml" <<'YAML'
# registry:2's defaults for a mirror: mount your own config.yml here, or set REGISTRY_* variables
# (REGISTRY_PROXY_REMOTEURL=https://registry-1.docker.io).
version: 0.1
log:
  level: info
http:
  addr: :5000
storage:
  filesystem:
    rootdirectory: /var/lib/mirror
YAML
chmod 1777 "$rootfs/tmp"
if [ -n "${MIRROR_ROOTFS:-}" ]; then
  chown -R "$uid:$uid" "$rootfs/var/lib/mirror"
  exit 0
fi
# ADD unpacks a local tar as it is, owners included: the store's directory belongs to the mirror's user.
tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -cf "$work/rootfs.tar" --exclude=./var/lib/mirror .
tar -C "$rootfs" --numeric-owner --owner=$uid --group=$uid -rf "$work/rootfs.tar" ./var/lib/mirror
rm -rf "$rootfs"

cat > "$work/Dockerfile" <<DOCKERFILE
FROM scratch
ADD rootfs.tar /
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \\
    SSL_CERT_DIR=/etc/ssl/certs \\
    DOTNET_shutdownTimeoutSeconds=8
USER $uid:$uid
VOLUME /var/lib/mirror
EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=10s --start-period=5s CMD ["/usr/local/bin/mirror", "health", "/etc/docker/registry/config.yml"]
ENTRYPOINT ["/usr/local/bin/mirror"]
CMD ["serve", "/etc/docker/registry/config.yml"]
DOCKERFILE

# The classic builder: FROM scratch needs no registry, and it ships with every dockerd.
DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$work" >/dev/null
docker image inspect "$tag" --format "$tag {{.Size}} bytes"
