#!/usr/bin/python3
"""The lazy puller of bench/run.sh's lazy row: COUNT random SIZE-byte ranges of one blob, CONCURRENCY at a
time (as the stargz and SOCI snapshotters and podman's zstd:chunked fetch chunks), each on a keep-alive
connection of its worker. A 206 answers its range; a 200 is the whole blob (a server that ignores Range),
which answers every range once its body is in, so the run ends there. Prints the seconds to the last range,
the 206s, the 200s and the body bytes received; exits 1 when an answer is neither or a 206 has other bytes
than asked (checked against the blob file when given).

  lazy-client.py URL LENGTH [BLOB_FILE] [COUNT] [SIZE] [CONCURRENCY] [SEED]
"""
import http.client
import queue
import random
import sys
import threading
import time
from urllib.parse import urlsplit

url, length = sys.argv[1], int(sys.argv[2])
blob_file = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] != "-" else None
count = int(sys.argv[4]) if len(sys.argv) > 4 else 50
size = int(sys.argv[5]) if len(sys.argv) > 5 else 64 * 1024
concurrency = int(sys.argv[6]) if len(sys.argv) > 6 else 4
rng = random.Random(int(sys.argv[7]) if len(sys.argv) > 7 else 21)
parts = urlsplit(url)

ranges = queue.Queue()
for _ in range(count):
    start = rng.randrange(0, length - size)
    ranges.put((start, start + size - 1))

lock = threading.Lock()
tally = {"206": 0, "200": 0, "bytes": 0, "bad": 0}
whole = threading.Event()
done_at = [None]
started = time.monotonic()


def expected(start, last):
    with open(blob_file, "rb") as f:
        f.seek(start)
        return f.read(last - start + 1)


def worker():
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    while not whole.is_set():
        try:
            start, last = ranges.get_nowait()
        except queue.Empty:
            return
        connection.request("GET", parts.path, headers={"Range": f"bytes={start}-{last}"})
        response = connection.getresponse()
        received = 0
        if response.status == 206:
            body = response.read()
            received = len(body)
            ok = received == last - start + 1 and (blob_file is None or body == expected(start, last))
        elif response.status == 200:
            # The whole blob: read to its end (in pieces, never all in memory), then every range is answered.
            while chunk := response.read(1 << 20):
                received += len(chunk)
            ok = received == length
        else:
            response.read()
            ok = False
        with lock:
            tally["bytes"] += received
            tally[str(response.status)] = tally.get(str(response.status), 0) + 1
            tally["bad"] += 0 if ok else 1
            if response.status == 200 and ok and not whole.is_set():
                done_at[0] = time.monotonic()
                whole.set()


threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
for t in threads:
    t.start()
while any(t.is_alive() for t in threads) and not whole.is_set():
    time.sleep(0.01)
end = done_at[0] if whole.is_set() else time.monotonic()
print(f"{end - started:.3f} {tally['206']} {tally['200']} {tally['bytes']}")
sys.exit(1 if tally["bad"] else 0)
