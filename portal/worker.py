"""``stoa worker``: RQ's worker, kept alive across Redis outages, with the periodic sweep.

RQ's worker quits when Redis goes away mid-loop; this one waits for Redis to answer again
(backing off up to ``MAX_BACKOFF`` seconds) and starts a new RQ worker. The sweep thread keeps
running meanwhile: what it finds due runs in-process while Redis cannot take it.

``stoa worker --check`` exits 1 unless Redis answers, a worker of the ``stoa`` queue has sent a
heartbeat recently, and the database answers (for a container health check).
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

import redis
from flask import Flask
from sqlalchemy import text

from portal import sweeper
from portal.runtime import get_runtime

log = logging.getLogger(__name__)

QUEUE = "stoa"
MAX_BACKOFF = 10.0
CONNECT_TIMEOUT = 3.0


def _connection(url: str) -> redis.Redis:
    # no socket timeout: RQ blocks on BLPOP for minutes by design; a connect timeout only
    return redis.Redis.from_url(
        url, socket_connect_timeout=CONNECT_TIMEOUT, health_check_interval=30
    )


def run(app: Flask, url: str, *, stop: threading.Event | None = None) -> None:
    """Work until SIGTERM/SIGINT (or ``stop``), reconnecting whenever Redis goes away."""
    from rq import Queue, SimpleWorker

    from portal.jobs import _load_job_modules

    _load_job_modules()
    stop = stop or threading.Event()
    sweeper.start(app, stop)
    backoff = 1.0
    while not stop.is_set():
        conn = _connection(url)
        try:
            conn.ping()
        except redis.RedisError as exc:
            log.warning("Redis unavailable (%s); retrying in %.0f s", exc, backoff)
            stop.wait(backoff)
            backoff = min(MAX_BACKOFF, backoff * 2)
            continue
        backoff = 1.0
        # Jobs run in this process, not in a fork per job: the sweep thread holds pooled
        # database connections, which a forked child must never share. Every job is short
        # (timeouts bound each send), so one at a time loses nothing.
        rq_worker = SimpleWorker([Queue(QUEUE, connection=conn)], connection=conn)
        try:
            rq_worker.work(with_scheduler=True)
        except redis.RedisError as exc:
            log.warning("worker lost Redis (%s); reconnecting", exc)
        if getattr(rq_worker, "_stop_requested", False):
            break
        # RQ left its loop on its own (Redis went away): wait a moment, then reconnect
        _restore_default_signals()
        stop.wait(1.0)
    stop.set()


def _restore_default_signals() -> None:
    """RQ's handlers would ask the next worker to stop at once; start clean."""

    def _quit(signum: int, _frame: FrameType | None) -> Any:
        raise SystemExit(0)

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _quit)


def health(app: Flask, url: str, *, max_silence: float = 120.0) -> list[str]:
    """What is wrong with the job system, or an empty list."""
    from rq import Queue, Worker

    problems: list[str] = []
    conn = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        conn.ping()
        workers = Worker.all(queue=Queue(QUEUE, connection=conn))
        if not workers:
            problems.append("No worker is registered on the stoa queue.")
        else:
            import time

            newest = max(
                (w.last_heartbeat.timestamp() for w in workers if w.last_heartbeat), default=0.0
            )
            if time.time() - newest > max_silence:
                problems.append(f"No worker heartbeat for more than {max_silence:g} s.")
    except redis.RedisError as exc:
        problems.append(f"Redis does not answer: {exc}")
    finally:
        conn.close()
    with app.app_context():
        try:
            with get_runtime().db.engine.connect() as db:
                db.execute(text("SELECT 1"))
        except Exception as exc:  # any failure here is a failed health check
            problems.append(f"The database does not answer: {type(exc).__name__}")
    return problems
