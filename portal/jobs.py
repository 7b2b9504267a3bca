"""Background jobs: RQ on Redis when ``REDIS_URL`` is set, in-process after commit otherwise.

A job is a registered function ``fn(session, *args)``; it runs in its own transaction.
Delayed jobs (retries) go to RQ's scheduler (``stoa worker`` runs it) or, without Redis, to a
daemon timer thread in this process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlmodel import Session

from portal.db import after_commit, commit
from portal.runtime import get_runtime

log = logging.getLogger(__name__)

JobFn = Callable[..., None]
_registry: dict[str, JobFn] = {}
_timers: set[threading.Thread] = set()
_timers_lock = threading.Lock()


def job(name: str) -> Callable[[JobFn], JobFn]:
    def register(fn: JobFn) -> JobFn:
        _registry[name] = fn
        return fn

    return register


def enqueue(session: Session, name: str, *args: Any) -> None:
    """Schedule job ``name`` to run once ``session`` has committed."""
    if name not in _registry:
        raise KeyError(f"unknown job {name!r}")
    after_commit(session, lambda: dispatch(name, *args))


def enqueue_in(session: Session, delay_seconds: float, name: str, *args: Any) -> None:
    """Schedule job ``name`` to run ``delay_seconds`` after ``session`` has committed.

    Unlike :func:`enqueue`, the in-process fallback never runs the job on the caller's thread,
    so a slow job (an HTTP call) does not hold up the request; a delay of 0 means "soon".
    """
    if name not in _registry:
        raise KeyError(f"unknown job {name!r}")
    after_commit(session, lambda: dispatch_in(delay_seconds, name, *args))


def dispatch_in(delay_seconds: float, name: str, *args: Any) -> None:
    queue = get_runtime().queue
    if queue is not None:
        if delay_seconds <= 0:
            queue.enqueue("portal.jobs.run_job", name, *args)
        else:
            queue.enqueue_in(timedelta(seconds=delay_seconds), "portal.jobs.run_job", name, *args)
        return
    # In-process: a daemon timer; work still pending when the process exits is not run.
    app = current_app._get_current_object() if has_app_context() else None  # type: ignore[attr-defined]
    timer = threading.Timer(delay_seconds, _run_later, args=(app, name, args))
    timer.daemon = True
    with _timers_lock:
        _timers.add(timer)
    timer.start()


def _run_later(app: Flask | None, name: str, args: tuple[Any, ...]) -> None:
    try:
        if app is not None:
            with app.app_context():
                run_job(name, *args)
        else:
            run_job(name, *args)
    except Exception:  # already logged by run_job; a timer thread has nobody to report to
        pass
    finally:
        with _timers_lock:
            _timers.discard(threading.current_thread())


def wait_for_delayed_jobs(timeout: float = 30.0) -> bool:
    """Wait for in-process delayed jobs, including those they schedule; False on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        with _timers_lock:
            pending = list(_timers)
        if not pending:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        for timer in pending:
            timer.join(max(0.0, deadline - time.monotonic()))


def dispatch(name: str, *args: Any) -> None:
    queue = get_runtime().queue
    if queue is not None:
        queue.enqueue("portal.jobs.run_job", name, *args)
    else:
        run_job(name, *args)


def run_job(name: str, *args: Any) -> None:
    """Run one job in its own session (called in-process or by ``stoa worker``)."""
    _load_job_modules()
    fn = _registry[name]
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
    import services.events.webhooks  # noqa: F401
    import services.files  # noqa: F401
    import services.network.sync  # noqa: F401
