#!/usr/bin/env python3
"""The quota case of bench/run.sh (bench/quota.sh runs it): a fleet of dockerd-like HTTP clients pulling
images through the mirror and through distribution's proxy, and the manifest GETs each one makes upstream
(Docker Hub counts a pull per manifest GET; HEADs are free).

  quota-fleet.py seed UP IMAGES              push IMAGES multi-platform images quota/img<i>:stable
  quota-fleet.py run UP UPLOG ROUNDS CLIENTS IMAGES NAME=ADDR...
      per round and program (alternating which goes first): CLIENTS concurrent clients pull every image
      as dockerd does, then image 0 moves upstream; prints one line per program:
      NAME manifest-GETs-upstream distinct-manifest-digests-asked failed-pulls
"""
import hashlib, http.client, json, os, re, sys, threading, time

INDEX = "application/vnd.oci.image.index.v1+json"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"
ACCEPT = ", ".join([INDEX, MANIFEST, "application/vnd.docker.distribution.manifest.list.v2+json",
                    "application/vnd.docker.distribution.manifest.v2+json"])


def request(addr, method, path, body=None, headers=None):
    host, port = addr.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def push_blob(up, repo, data):
    d = digest(data)
    status, headers, _ = request(up, "POST", f"/v2/{repo}/blobs/uploads/")
    location = headers["location"]
    if location.startswith("http"):
        location = "/" + location.split("/", 3)[3]
    sep = "&" if "?" in location else "?"
    status, _, body = request(up, "PUT", f"{location}{sep}digest={d}", data, {"Content-Type": "application/octet-stream"})
    assert status == 201, (status, body)
    return {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": len(data)}


def push_manifest(up, repo, ref, doc, media_type):
    data = json.dumps(doc, separators=(",", ":")).encode()
    status, _, body = request(up, "PUT", f"/v2/{repo}/manifests/{ref}", data, {"Content-Type": media_type})
    assert status == 201, (status, body)
    return {"mediaType": media_type, "digest": digest(data), "size": len(data)}


def push_image(up, repo, generation):
    """An index of a linux/amd64 and a linux/arm64 image, two 64 KiB layers each, all new for the generation."""
    platforms = []
    for arch in ("amd64", "arm64"):
        layers = [push_blob(up, repo, os.urandom(64 * 1024)) for _ in range(2)]
        config = push_blob(up, repo, json.dumps({"architecture": arch, "os": "linux", "generation": generation,
                                                  "rootfs": {"type": "layers", "diff_ids": [l["digest"] for l in layers]}}).encode())
        config["mediaType"] = "application/vnd.oci.image.config.v1+json"
        doc = {"schemaVersion": 2, "mediaType": MANIFEST, "config": config, "layers": layers}
        data = json.dumps(doc, separators=(",", ":")).encode()
        m = push_manifest(up, repo, digest(data), doc, MANIFEST)
        m["platform"] = {"architecture": arch, "os": "linux"}
        platforms.append(m)
    push_manifest(up, repo, "stable", {"schemaVersion": 2, "mediaType": INDEX, "manifests": platforms}, INDEX)


class Client:
    """One dockerd: what it holds (each image's digest, the blobs it has), and a pull as dockerd makes it."""

    def __init__(self):
        self.images = {}
        self.blobs = set()

    def pull(self, addr, repo, asked):
        status, headers, _ = request(addr, "HEAD", f"/v2/{repo}/manifests/stable", headers={"Accept": ACCEPT})
        if status != 200:
            return False
        top = headers.get("docker-content-digest")
        if top and self.images.get(repo) == top:
            return True  # the daemon holds this image: nothing more to ask
        status, _, body = request(addr, "GET", f"/v2/{repo}/manifests/{top}", headers={"Accept": ACCEPT})
        if status != 200:
            return False
        asked.add(top)
        platform = next(m["digest"] for m in json.loads(body)["manifests"] if m["platform"]["architecture"] == "amd64")
        status, _, body = request(addr, "GET", f"/v2/{repo}/manifests/{platform}", headers={"Accept": ACCEPT})
        if status != 200:
            return False
        asked.add(platform)
        manifest = json.loads(body)
        for blob in [manifest["config"]] + manifest["layers"]:
            if blob["digest"] in self.blobs:
                continue
            status, _, data = request(addr, "GET", f"/v2/{repo}/blobs/{blob['digest']}")
            if status != 200 or digest(data) != blob["digest"]:
                return False
            self.blobs.add(blob["digest"])
        self.images[repo] = top
        return True


def manifest_gets(uplog):
    with open(uplog, errors="replace") as f:
        return len(re.findall(r'"GET /v2/quota/[^ ]+/manifests/[^ ]+ HTTP', f.read()))


def idle(uplog):
    """Waits until the upstream has had no request for this case's images for a second (distribution stores in the background)."""
    seen = -1
    while True:
        with open(uplog, errors="replace") as f:
            now = f.read().count("/v2/quota/")
        if now == seen:
            return
        seen = now
        time.sleep(1)


def run(up, uplog, rounds, clients, images, programs):
    repos = [f"quota/img{i}" for i in range(images)]
    fleets = {name: [Client() for _ in range(clients)] for name, _ in programs}
    gets = {name: 0 for name, _ in programs}
    asked = {name: set() for name, _ in programs}
    failed = {name: 0 for name, _ in programs}
    for r in range(rounds):
        order = programs if r % 2 == 0 else list(reversed(programs))
        for name, addr in order:
            idle(uplog)
            before = manifest_gets(uplog)
            results = []

            def fleet_member(client):
                seen = set()
                ok = all([client.pull(addr, repo, seen) for repo in repos])
                results.append((ok, seen))

            threads = [threading.Thread(target=fleet_member, args=(c,)) for c in fleets[name]]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            idle(uplog)
            gets[name] += manifest_gets(uplog) - before
            failed[name] += sum(1 for ok, _ in results if not ok)
            for _, seen in results:
                asked[name] |= seen
        if r < rounds - 1:
            push_image(up, repos[0], r + 1)  # the moving tag: new index, platform manifests and layers
    for name, _ in programs:
        print(name, gets[name], len(asked[name]), failed[name])


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        for i in range(int(sys.argv[3])):
            push_image(sys.argv[2], f"quota/img{i}", 0)
    else:
        up, uplog, rounds, clients, images = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
        run(up, uplog, rounds, clients, images, [tuple(p.split("=", 1)) for p in sys.argv[7:]])
