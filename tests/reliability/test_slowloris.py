"""Slowloris drill (issue 11): 50 slow clients against nginx (deploy/nginx.conf) in front of a live
gunicorn, then the same clients straight at gunicorn for contrast.

Slow: ``pytest -m slow -k slowloris tests/reliability -s``. Needs nginx at /usr/sbin/nginx
(``apt-get install nginx``); the drill never installs it.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.live import ROOT, LiveServer, free_port, signed_in
from tests.waiting import wait_until

pytestmark = pytest.mark.slow

NGINX = Path("/usr/sbin/nginx")
SLOW_CLIENTS = 50
PROBES = 8  # rounds; each round probes /healthz and a signed-in page
PROBE_LIMIT = 2.0  # seconds each probe may take behind nginx


def nginx_conf(prefix: Path, *, listen: int, upstream: int) -> Path:
    """deploy/nginx.conf with the upstream pointed at the live gunicorn and our own port, wrapped
    in a main context that keeps every file under ``prefix`` and stays in the foreground."""
    server = (ROOT / "deploy" / "nginx.conf").read_text()
    server, n_upstream = re.subn(r"server app:8000", f"server 127.0.0.1:{upstream}", server)
    server, n_listen = re.subn(r"listen 80;", f"listen 127.0.0.1:{listen};", server)
    assert n_upstream == n_listen == 1, "deploy/nginx.conf changed shape; update the drill"
    for sub in ("logs", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach files in tmp_path
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {prefix}/nginx.pid;\n"
        f"error_log {prefix}/logs/error.log warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        f"  access_log off;\n  client_body_temp_path {prefix}/tmp/body;\n"
        f"  proxy_temp_path {prefix}/tmp/proxy;\n  fastcgi_temp_path {prefix}/tmp/fastcgi;\n"
        f"  uwsgi_temp_path {prefix}/tmp/uwsgi;\n  scgi_temp_path {prefix}/tmp/scgi;\n"
        f"{server}\n}}\n"
    )
    return conf


class Nginx:
    def __init__(self, prefix: Path, upstream: int) -> None:
        self.prefix = prefix
        self.port = free_port()
        self.conf = nginx_conf(prefix, listen=self.port, upstream=upstream)
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        check = subprocess.run(
            [str(NGINX), "-t", "-p", str(self.prefix), "-c", str(self.conf)],
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stderr
        self.log = open(self.prefix / "logs" / "stderr.log", "a")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [str(NGINX), "-p", str(self.prefix), "-c", str(self.conf)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

        def healthy() -> bool:
            try:
                return requests.get(f"{self.base}/healthz", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        wait_until(healthy, timeout=30, what="nginx in front of gunicorn")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()  # SIGTERM: fast shutdown, master and workers
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
            self.proc = None
            self.log.close()


class Slowloris:
    """``SLOW_CLIENTS`` connections that each send one byte a second: half dribble their
    headers, half send complete headers of a POST and then dribble its body."""

    def __init__(self, port: int, clients: int = SLOW_CLIENTS) -> None:
        self.port = port
        self.clients = clients
        self.stop = threading.Event()
        self.reconnects = 0
        self.rounds = 0  # seconds of dribbling so far
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _payload(self, i: int) -> bytes:
        if i % 2 == 0:
            return (
                f"GET /healthz?slow={i} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "".join(f"X-Slow-{n}: {'a' * 20}\r\n" for n in range(40))
                + "\r\n"
            ).encode()
        body = b"x" * 2000
        head = (
            f"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n\r\n"
        ).encode()
        return head + body

    def _connect(self, i: int) -> tuple[socket.socket, bytes] | None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=2)
        except OSError:
            return None
        payload = self._payload(i)
        if i % 2 == 1:  # the body dribbles, the headers go at once
            head, _, body = payload.partition(b"\r\n\r\n")
            try:
                sock.sendall(head + b"\r\n\r\n")
            except OSError:
                sock.close()
                return None
            payload = body
        sock.setblocking(False)
        return sock, payload

    def _run(self) -> None:
        conns: dict[int, tuple[socket.socket, bytes] | None] = {
            i: self._connect(i) for i in range(self.clients)
        }
        while not self.stop.wait(1.0):  # one byte per client per second
            self.rounds += 1
            for i, conn in list(conns.items()):
                if conn is None:  # refused or dropped: a slowloris comes back
                    conns[i] = self._connect(i)
                    self.reconnects += 1
                    continue
                sock, rest = conn
                try:
                    sock.send(rest[:1])
                    conns[i] = (sock, rest[1:] or b"x")
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:  # the server dropped us (nginx's client_*_timeout)
                    sock.close()
                    conns[i] = None
        for conn in conns.values():
            if conn is not None:
                conn[0].close()

    def dribbling(self) -> None:
        """Return once every client has connected and sent a few bytes."""
        wait_until(lambda: self.rounds >= 3, timeout=30, what="the slow clients dribbling")

    def __enter__(self) -> Slowloris:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._thread.join(timeout=10)


def probe(base: str, session: requests.Session, limit: float) -> list[float | None]:
    """``PROBES`` rounds of /healthz and a signed-in page: seconds each took (None: no answer
    within ``limit``, or not a 200)."""
    took: list[float | None] = []
    for _ in range(PROBES):
        for url in (f"{base}/healthz", f"{base}/p/acme/dashboard"):
            started = time.perf_counter()
            try:
                ok = session.get(url, timeout=limit, allow_redirects=False).status_code == 200
            except requests.RequestException:
                ok = False
            took.append(time.perf_counter() - started if ok else None)
    return took


def _summary(took: list[float | None]) -> str:
    answered = [t for t in took if t is not None]
    worst = f"{max(answered) * 1000:.0f} ms" if answered else "-"
    return f"{len(answered)} of {len(took)} probes answered, slowest {worst}"


@pytest.mark.skipif(not NGINX.exists(), reason="nginx is not installed (/usr/sbin/nginx absent)")
def test_slowloris_through_nginx_starves_nothing_and_direct_gunicorn_shows_why(tmp_path) -> None:
    server = LiveServer(tmp_path, workers=2, threads=4)  # 8 request slots, as a small deployment
    server.env["TRUSTED_PROXIES"] = "1"
    nginx: Nginx | None = None
    try:
        server.prepare()
        server.start()
        upstream = int(server.base.rsplit(":", 1)[1])
        nginx = Nginx(tmp_path / "nginx", upstream)
        nginx.start()
        via_nginx = signed_in(nginx.base, "owner@acme.test")
        direct = signed_in(server.base, "owner@acme.test")

        with Slowloris(nginx.port) as slow:
            slow.dribbling()
            behind_nginx = probe(nginx.base, via_nginx, PROBE_LIMIT)
            nginx_reconnects = slow.reconnects

        with Slowloris(upstream) as slow:
            slow.dribbling()
            straight = probe(server.base, direct, PROBE_LIMIT)

        print(  # noqa: T201 - the drill reports its measurements
            f"\n{SLOW_CLIENTS} slow clients, probes limited to {PROBE_LIMIT:g} s each:"
            f"\n  through nginx:     {_summary(behind_nginx)} (slow reconnects {nginx_reconnects})"
            f"\n  straight gunicorn: {_summary(straight)}"
        )
        assert None not in behind_nginx, _summary(behind_nginx)
        assert len(behind_nginx) >= 6
    finally:
        if nginx is not None:
            nginx.stop()
        server.stop()
