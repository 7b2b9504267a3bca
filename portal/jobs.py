"""Background jobs: RQ on Redis when ``REDIS_URL`` is set, a bounded in-process pool otherwise.

A job is a registered function ``fn(session, *args)``; it runs in its own session. Jobs are
dispatched after the caller's transaction commits and never run on the caller's thread.

In-process, one scheduler thread holds the delayed jobs (retries) in a heap and hands due ones
to a small fixed executor per lane ("mail", "webhooks", "default"): a slow receiver can occupy
at most its lane's threads, whatever the number of deliveries (no thread per attempt).

With Redis, jobs go to RQ (``stoa worker`` runs them, and its scheduler the delayed ones). When
Redis cannot take a job, the job runs in-process instead: nothing waits on Redis. Work that is
lost anyway (a process dies with jobs in its heap, Redis loses its data) is picked up by the
periodic sweep (``portal.sweeper``), because every email and delivery is a row first.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlmodel import Session

from portal.db import after_commit, commit
from portal.runtime import get_runtime

log = logging.getLogger(__name__)

JobFn = Callable[..., None]
# Threads per lane of the in-process executor (per process).
LANES: dict[str, int] = {"mail": 2, "webhooks": 4, "default": 2}


@dataclass(frozen=True)
class Job:
    fn: JobFn
    lane: str


_registry: dict[str, Job] = {}


def job(name: str, *, lane: str = "default") -> Callable[[JobFn], JobFn]:
    if lane not in LANES:
        raise ValueError(f"unknown lane {lane!r}")

    def register(fn: JobFn) -> JobFn:
        _registry[name] = Job(fn, lane)
        return fn

    return register


def enqueue(session: Session, name: str, *args: Any) -> None:
    """Schedule job ``name`` to run once ``session`` has committed (never on this thread)."""
    enqueue_in(session, 0, name, *args)


def enqueue_in(session: Session, delay_seconds: float, name: str, *args: Any) -> None:
    """Schedule job ``name`` to run ``delay_seconds`` after ``session`` has committed."""
    if name not in _registry:
        raise KeyError(f"unknown job {name!r}")
    after_commit(session, lambda: dispatch_in(delay_seconds, name, *args))


def dispatch(name: str, *args: Any) -> None:
    dispatch_in(0, name, *args)


def dispatch_in(delay_seconds: float, name: str, *args: Any) -> None:
    """Hand a job to RQ, or to the in-process scheduler when there is no (reachable) Redis."""
    queue = get_runtime().queue
    if queue is not None:
        import redis

        try:
            if delay_seconds <= 0:
                queue.enqueue("portal.jobs.run_job", name, *args)
            else:
                delay = timedelta(seconds=delay_seconds)
                queue.enqueue_in(delay, "portal.jobs.run_job", name, *args)
            return
        except redis.RedisError as exc:
            log.warning("Redis cannot take job %s (%s); running it in-process", name, exc)
    app = current_app._get_current_object() if has_app_context() else None  # type: ignore[attr-defined]
    if app is not None and app.config.get("JOBS_RUN_INLINE"):
        # Test suite only: its requests and jobs share one database connection, so jobs run
        # one at a time, the due ones right here (the drills run the real thing).
        if delay_seconds <= 0:
            try:
                run_job(name, *args)
            except Exception:  # logged by run_job; the caller's commit already happened
                pass
            return
    _local().submit(app, delay_seconds, name, args)


class LocalRunner:
    """One scheduler thread and a fixed executor per lane, started on first use (per process)."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Flask | None, str, tuple[Any, ...]]] = []
        self._seq = itertools.count()
        self._outstanding = 0
        self._thread: threading.Thread | None = None
        self._executors = {
            lane: ThreadPoolExecutor(max_workers=n, thread_name_prefix=f"stoa-{lane}")
            for lane, n in {**LANES, "serial": 1}.items()
        }

    def submit(self, app: Flask | None, delay: float, name: str, args: tuple[Any, ...]) -> None:
        with self._cond:
            self._outstanding += 1
            due = time.monotonic() + max(0.0, delay)
            heapq.heappush(self._heap, (due, next(self._seq), app, name, args))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._schedule, name="stoa-job-scheduler", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    def _schedule(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(wait)
                _due, _seq, app, name, args = heapq.heappop(self._heap)
            lane = _registry[name].lane if name in _registry else "default"
            if app is not None and app.config.get("JOBS_RUN_INLINE"):
                lane = "serial"
            self._executors[lane].submit(self._run, app, name, args)

    def _run(self, app: Flask | None, name: str, args: tuple[Any, ...]) -> None:
        try:
            if app is not None:
                with app.app_context():
                    run_job(name, *args)
            else:
                run_job(name, *args)
        except Exception:  # already logged by run_job; a pool thread has nobody to report to
            pass
        finally:
            with self._cond:
                self._outstanding -= 1
                self._cond.notify_all()

    def drop_delayed(self) -> int:
        """Forget the jobs still waiting for their time (their rows stay: the sweep has them)."""
        with self._cond:
            dropped = len(self._heap)
            self._heap.clear()
            self._outstanding -= dropped
            self._cond.notify_all()
        return dropped

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job is waiting or running, including those jobs schedule."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._outstanding:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True


_runner: LocalRunner | None = None
_runner_lock = threading.Lock()


def _local() -> LocalRunner:
    """This process's runner (a forked worker gets its own: threads do not survive fork)."""
    global _runner
    with _runner_lock:
        if _runner is None or _runner.pid != os.getpid():
            _runner = LocalRunner()
        return _runner


def wait_for_delayed_jobs(timeout: float = 30.0) -> bool:
    """Wait for in-process jobs, including those they schedule; False on timeout."""
    runner = _runner
    return True if runner is None else runner.wait_idle(timeout)


def drop_delayed_jobs() -> int:
    """Forget this process's waiting in-process jobs (tests; rows stay for the sweep)."""
    runner = _runner
    return 0 if runner is None else runner.drop_delayed()


def run_job(name: str, *args: Any) -> None:
    """Run one job in its own session (called in-process or by ``stoa worker``)."""
    _load_job_modules()
    fn = _registry[name].fn
    session = get_runtime().db.session_factory()
    try:
        fn(session, *args)
        commit(session)
    except Exception:
        session.rollback()
        log.exception("job %s failed", name)
        raise
    finally:
        session.close()


def _load_job_modules() -> None:
    # Importing the services registers their jobs (the worker starts with an empty registry).
    import services.billing.overdue  # noqa: F401
    import services.events.digests  # noqa: F401
    import services.events.mail  # noqa: F401
    import services.events.sweep  # noqa: F401
    import services.events.webhooks  # noqa: F401
    import services.files  # noqa: F401
    import services.network.changes  # noqa: F401
    import services.network.sync  # noqa: F401
    import services.results.sync  # noqa: F401
