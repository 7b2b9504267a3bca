"""A small concurrent load generator: threads, each with one keep-alive ``http.client``
connection, requesting one URL for a fixed time (closed loop, or paced to a target rate)."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass
class Round:
    seconds: float  # wall time from the start until the last request finished
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    cached: int = 0  # answers the app's page cache gave (its X-Stoa-Cache: hit header)
    by_port: dict[int, int] = field(default_factory=dict)  # successful requests each port answered

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """The ``p``-th percentile latency in milliseconds (nearest rank)."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[index] * 1000


# What a request on a keep-alive connection the server has already closed fails with, before
# any response: safe to send once more on a new connection (GET).
STALE_CONNECTION = (
    http.client.RemoteDisconnected,
    ConnectionResetError,
    BrokenPipeError,
    ConnectionAbortedError,
)


def _get(
    conn: http.client.HTTPConnection, path: str, headers: Mapping[str, str]
) -> http.client.HTTPResponse:
    conn.request("GET", path, headers=dict(headers))
    resp = conn.getresponse()
    resp.read()
    return resp


def connection_address(index: int) -> str:
    """The client address connection ``index`` presents (behind one trusted proxy)."""
    return f"10.77.{index // 250}.{index % 250 + 1}"


def _keep_cookies(headers: dict[str, str], resp: http.client.HTTPResponse) -> None:
    """Like a browser: a cookie the server sets is sent with the connection's next requests
    (a refreshed session cookie, as on every signed-in answer)."""
    set_cookies = resp.headers.get_all("Set-Cookie") or []
    if not set_cookies:
        return
    jar = dict(
        part.strip().split("=", 1) for part in headers.get("Cookie", "").split(";") if "=" in part
    )
    for line in set_cookies:
        name, _, rest = line.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())


def run_round(
    host: str,
    port: int,
    path: str,
    *,
    headers: Mapping[str, str] | None = None,
    per_connection: Sequence[Mapping[str, str]] | None = None,
    ports: Sequence[int] | None = None,
    connections: int = 16,
    seconds: float = 3.0,
    rate: float | None = None,
    ok_statuses: tuple[int, ...] = (200,),
) -> Round:
    """``connections`` threads request ``path`` for ``seconds``; with ``rate`` (requests per
    second in all) each thread paces itself to its share instead of going flat out. Each
    connection presents its own client address (``X-Forwarded-For``, honoured by a server
    behind one trusted proxy) as separate users would; ``per_connection`` adds headers of its
    own to each connection (an API key each). With ``ports`` (app replicas) the connections
    are dealt out across them in turn, as a proxy in front of the replicas would: ``port`` is
    then not used."""
    result = Round(seconds=seconds)
    lock = threading.Lock()
    start_gate = threading.Barrier(connections + 1)
    deadline_box: list[float] = [0.0]

    def worker(index: int) -> None:
        mine = per_connection[index % len(per_connection)] if per_connection else {}
        own = {
            "Accept-Encoding": "gzip",  # as every browser asks (bodies are counted, not unpacked)
            **(headers or {}),
            **mine,
            "X-Forwarded-For": connection_address(index),
        }
        my_port = ports[index % len(ports)] if ports else port
        conn = http.client.HTTPConnection(host, my_port, timeout=60)
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        cached = 0
        errors = 0
        interval = connections / rate if rate else 0.0
        start_gate.wait()
        deadline = deadline_box[0]
        next_at = time.perf_counter() + (interval * index / connections if rate else 0.0)
        while True:
            if rate:
                pause = next_at - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                next_at += interval
            began = time.perf_counter()
            if began >= deadline:
                break
            try:
                reused = conn.sock is not None
                try:
                    resp = _get(conn, path, own)
                except STALE_CONNECTION:
                    if not reused:  # a new connection failing is a real failure
                        raise
                    # the server closed this keep-alive connection while it sat idle (gunicorn
                    # after 2 s: a paced round at a few requests per second waits longer than
                    # that); like a browser, send the request again on a new connection
                    conn.close()
                    resp = _get(conn, path, own)
                took = time.perf_counter() - began
                _keep_cookies(own, resp)
                statuses[resp.status] = statuses.get(resp.status, 0) + 1
                if resp.getheader("X-Stoa-Cache") == "hit":
                    cached += 1
                if resp.status in ok_statuses:
                    latencies.append(took)
                else:
                    errors += 1
                if resp.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
        conn.close()
        with lock:
            result.latencies.extend(latencies)
            result.errors += errors
            result.cached += cached
            for status, count in statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + count
            result.by_port[my_port] = result.by_port.get(my_port, 0) + len(latencies)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline_box[0] = began + seconds
    start_gate.wait()
    for thread in threads:
        thread.join()
    # requests still in flight at the deadline finish and count: so does the time they took
    result.seconds = time.perf_counter() - began
    return result
