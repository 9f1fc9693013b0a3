"""Writes an image of COUNT layers (1 MiB of random data each, in a gzipped tar) to OUT: layer0..layerN-1,
config and manifest (Docker's schema 2), for the benchmark scripts to push to their upstream.

    python3 bench/make-image.py OUT COUNT [ENTRY_PREFIX]

ENTRY_PREFIX starts the name of the one file in each layer, so images made with other prefixes share no layer.
"""
import gzip, hashlib, io, json, os, sys, tarfile

out, count = sys.argv[1], int(sys.argv[2])
prefix = sys.argv[3] if len(sys.argv) > 3 else ""
os.makedirs(out, exist_ok=True)
layers, diff_ids = [], []
for i in range(count):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        data = os.urandom(1024 * 1024)
        info = tarfile.TarInfo(f"{prefix}layer{i}.bin"); info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    gz = gzip.compress(raw.getvalue(), compresslevel=1)
    open(f"{out}/layer{i}", "wb").write(gz)
    layers.append({"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": len(gz), "digest": "sha256:" + hashlib.sha256(gz).hexdigest()})
    diff_ids.append("sha256:" + hashlib.sha256(raw.getvalue()).hexdigest())
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {}, "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
open(f"{out}/config", "wb").write(config)
manifest = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": len(config), "digest": "sha256:" + hashlib.sha256(config).hexdigest()},
            "layers": layers}
open(f"{out}/manifest", "w").write(json.dumps(manifest))
