"""A real gunicorn on a fresh demo database, for the kill test and the upload benchmark."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]
ACCESS_LOGGER = "portal.accesslog.RedactingLogger"  # as `make run`, the Dockerfile and deploy/


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """gunicorn (one sync worker unless told) serving a migrated, demo-loaded SQLite database."""

    def __init__(
        self,
        workdir: Path | None = None,
        *,
        workers: int = 1,
        threads: int = 1,
        db_url: str | None = None,
        access_log: bool = False,
    ) -> None:
        self.dir = workdir or Path(tempfile.mkdtemp(prefix="stoa-live-"))
        self.workers = workers
        self.threads = threads
        self.access_log = access_log
        self.db_url = db_url or f"sqlite:///{self.dir / 'live.db'}"
        self.instance = self.dir / "instance"
        self.storage = self.instance / "storage"
        self.env = {
            **os.environ,
            "DATABASE_URL": self.db_url,
            "STOA_INSTANCE_PATH": str(self.instance),
            "SECRET_KEY": "live-secret",
            "STOA_ENV": "development",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("REDIS_URL", None)
        self.proc: subprocess.Popen | None = None
        self.base = ""

    def cli(self, *args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "portal", *args],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout

    def prepare(self) -> None:
        self.cli("db", "upgrade")
        self.cli("demo")

    def start(self) -> str:
        port = free_port()
        self.log = open(self.dir / "server.log", "a")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                *(
                    ["--access-logfile", "-", "--logger-class", ACCESS_LOGGER]
                    if self.access_log
                    else []
                ),
                "--timeout",
                "300",
                "wsgi:app",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # stop() ends the master and every worker it forked
        )
        self.base = f"http://127.0.0.1:{port}"
        self.wait_healthy()
        return self.base

    def wait_healthy(self, timeout: float = 60.0) -> None:
        def healthy() -> bool:
            try:
                return requests.get(f"{self.base}/healthz", timeout=10).status_code == 200
            except requests.RequestException:  # not listening yet, or the worker still boots
                return False

        try:
            wait_until(healthy, timeout=timeout, what="/healthz")
        except AssertionError:
            raise RuntimeError((self.dir / "server.log").read_text()) from None

    def worker_pids(self) -> list[int]:
        assert self.proc is not None
        out = subprocess.run(
            ["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True
        ).stdout
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        if self.proc is not None:
            group = self.proc.pid  # its own session: the group id is the master's pid
            try:
                os.killpg(group, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
            try:  # a respawned worker must not outlive its master
                os.killpg(group, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc = None
            self.log.close()


def signed_in(base: str, email: str, password: str = "stoa-demo") -> requests.Session:
    """A requests session signed in through the login form, with the CSRF header set."""
    s = requests.Session()
    page = s.get(f"{base}/login").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    resp = s.post(
        f"{base}/login",
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
    )
    assert resp.status_code in (302, 303), resp.status_code
    page = s.get(f"{base}/p/acme/files").text
    s.headers["X-CSRFToken"] = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return s
