"""Pieces the outbound-delivery drills share: a private Redis, a `stoa worker` process, a live
portal with a webhook subscribed to every event, and load that makes emails and deliveries."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import redis
import requests
from sqlalchemy import text

from portal.db import make_engine
from tests.live import ROOT, LiveServer, signed_in
from tests.waiting import wait_until

DRILL_REDIS_PORT = 6391  # our own redis-server; the shared one on 6379 is never touched


class PrivateRedis:
    """``redis-server --port 6391 --save ''``: stopped and started by the drill, empty again
    after a restart."""

    def __init__(self, port: int = DRILL_REDIS_PORT) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "the Redis drill needs redis-server on PATH"
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.answers, timeout=15, what="the drill's redis-server")

    def answers(self) -> bool:
        conn = redis.Redis.from_url(self.url, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(conn.ping())
        except redis.RedisError:
            return False
        finally:
            conn.close()

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
            self.proc = None


class WorkerProcess:
    """``stoa worker`` as a deployment runs it."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.proc: subprocess.Popen | None = None
        self.log_path = server.dir / "worker.log"

    def start(self) -> None:
        self.log = open(self.log_path, "a")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "portal", "worker"],
            env=self.server.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def check(self) -> int:
        return subprocess.run(
            [sys.executable, "-m", "portal", "worker", "--check"],
            env=self.server.env,
            cwd=ROOT,
            capture_output=True,
            timeout=60,
        ).returncode

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a lost machine would: no cleanup, no goodbye to Redis."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
            except ProcessLookupError:  # already gone (killed by the drill)
                self.proc.wait(timeout=5)
            self.proc = None
            self.log.close()


def drill_env(server: LiveServer, **extra: str) -> None:
    """Short sweeps and back-offs so a drill finishes in seconds; the receiver is local."""
    server.env.update(
        {
            "STOA_WEBHOOK_ALLOW_PRIVATE": "1",
            "OUTBOX_SWEEP_SECONDS": "1",
            "OUTBOX_SWEEP_GRACE_SECONDS": "3",
            "MAIL_RETRY_BASE_SECONDS": "1",
            "MAIL_MAX_ATTEMPTS": "30",
            "MAIL_TIMEOUT_SECONDS": "3",
            "WEBHOOK_RETRY_BASE_SECONDS": "1",
            "WEBHOOK_MAX_ATTEMPTS": "30",
            **extra,
        }
    )


def subscribe_everything(base: str, url: str) -> None:
    staff = signed_in(base, "admin@northwind.test")
    resp = staff.post(
        f"{base}/admin/webhooks", data={"url": url, "events": ["*"]}, allow_redirects=False
    )
    assert resp.status_code == 201, resp.text[:500]


def project_id(db_url: str) -> int:
    engine = make_engine(db_url)
    with engine.connect() as db:
        value = db.execute(
            text(
                "SELECT p.id FROM project p JOIN portal po ON po.company_id = p.company_id "
                "WHERE po.slug = 'acme' ORDER BY p.id LIMIT 1"
            )
        ).scalar()
    engine.dispose()
    return int(value)


class Load:
    """Writers posting notes (each one a webhook delivery) and an admin inviting people (each
    one an email), counting every status code."""

    def __init__(self, base: str, project: int) -> None:
        self.base = base
        self.project = project
        self.statuses: Counter = Counter()
        self.invited: list[str] = []
        self._lock = threading.Lock()
        self.writer = signed_in(base, "dev@acme.test")
        self.admin = signed_in(base, "owner@acme.test")
        self._n = 0

    def _count(self, resp: requests.Response | None, error: str = "") -> None:
        with self._lock:
            self.statuses[error or resp.status_code] += 1  # type: ignore[union-attr]

    def note(self, tag: str) -> None:
        try:
            resp = self.writer.post(
                f"{self.base}/p/acme/notes",
                data={
                    "body": f"drill {tag}",
                    "resource_type": "project",
                    "resource_id": self.project,
                },
                allow_redirects=False,
                timeout=60,
            )
            self._count(resp)
        except requests.RequestException as exc:
            self._count(None, f"error {type(exc).__name__}")

    def invite(self, tag: str) -> None:
        address = f"drill-{tag}@example.test"
        try:
            resp = self.admin.post(
                f"{self.base}/p/acme/settings/invitations",
                data={"email": address, "role": "viewer"},
                allow_redirects=False,
                timeout=60,
            )
            self._count(resp)
            if resp.status_code < 400:
                with self._lock:
                    self.invited.append(address)
        except requests.RequestException as exc:
            self._count(None, f"error {type(exc).__name__}")

    def burst(self, tag: str, notes: int, invites: int, threads: int = 4) -> None:
        work = [("note", f"{tag}-n{i}") for i in range(notes)]
        work += [("invite", f"{tag}-i{i}") for i in range(invites)]
        chunks = [work[i::threads] for i in range(threads)]

        def run(chunk: list[tuple[str, str]]) -> None:
            for kind, name in chunk:
                getattr(self, kind)(name)

        pool = [threading.Thread(target=run, args=(c,)) for c in chunks]
        for t in pool:
            t.start()
        for t in pool:
            t.join()

    def server_errors(self) -> dict:
        return {k: v for k, v in self.statuses.items() if isinstance(k, str) or k >= 500}


def outbox_state(db_url: str, receiver_url: str) -> tuple[dict[int, str], dict[int, str]]:
    """(email id → status, delivery id → status) of the drill's rows, from the database:
    every email, and the deliveries to the drill's receiver (the demo has its own)."""
    engine = make_engine(db_url)
    with engine.connect() as db:
        emails = dict(db.execute(text("SELECT id, status FROM emailoutbox")).all())
        deliveries = dict(
            db.execute(
                text(
                    "SELECT d.id, d.status FROM webhookdelivery d JOIN webhooksubscription s"
                    " ON s.id = d.subscription_id WHERE s.url = :url"
                ).bindparams(url=receiver_url)
            ).all()
        )
    engine.dispose()
    return emails, deliveries


def thread_count(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^Threads:\s+(\d+)", status, re.MULTILINE).group(1))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed_get(session: requests.Session, url: str) -> float:
    started = time.perf_counter()
    resp = session.get(url, timeout=60)
    assert resp.status_code == 200, resp.status_code
    return time.perf_counter() - started
