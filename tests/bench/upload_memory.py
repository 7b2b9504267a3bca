"""Benchmark (not a test): stream a large upload through the real chunked protocol to a real
gunicorn and report the worker's RSS growth as JSON on the last line.

    .venv/bin/python -m tests.bench.upload_memory [--size-mb 2048] [--chunk-mb 8]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import threading
import time
from pathlib import Path

from tests.live import LiveServer, signed_in


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=int, default=2000, help="upload size in MiB")
    parser.add_argument("--chunk-mb", type=int, default=8)
    args = parser.parse_args()
    size = args.size_mb * 1024 * 1024
    chunk = args.chunk_mb * 1024 * 1024

    server = LiveServer()
    server.prepare()
    server.start()
    try:
        s = signed_in(server.base, "dev@acme.test")
        [worker] = server.worker_pids()
        s.get(f"{server.base}/p/acme/files")  # warm the worker before the baseline
        baseline = rss_kb(worker)
        peak = baseline
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, rss_kb(worker))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.monotonic()
        start = s.post(
            f"{server.base}/p/acme/files/uploads", json={"name": "big.pdf", "size": size}
        )
        start.raise_for_status()
        url = server.base + start.json()["url"]
        block = b"%PDF-1.7\n" + os.urandom(chunk - 9)
        offset = 0
        while offset < size:
            piece = block[: min(chunk, size - offset)]
            resp = s.patch(url, data=piece, headers={"Upload-Offset": str(offset)})
            resp.raise_for_status()
            offset = resp.json()["offset"]
        done = s.post(f"{url}/complete")
        done.raise_for_status()
        elapsed = time.monotonic() - started
        stop.set()
        sampler.join()
        result = {
            "upload_bytes": size,
            "chunk_bytes": chunk,
            "seconds": round(elapsed, 1),
            "mb_per_second": round(size / 1048576 / elapsed, 1),
            "worker_rss_baseline_mb": round(baseline / 1024, 1),
            "worker_rss_peak_mb": round(peak / 1024, 1),
            "rss_growth_mb": round((peak - baseline) / 1024, 1),
            "under_100_mb": (peak - baseline) / 1024 < 100,
            "file_id": done.json()["file_id"],
        }
    finally:
        server.stop()
        shutil.rmtree(server.dir, ignore_errors=True)
    print(json.dumps(result))  # noqa: T201 - a script's output


if __name__ == "__main__":
    main()
