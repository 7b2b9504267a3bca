"""Background jobs: RQ on Redis when ``REDIS_URL`` is set, in-process after commit otherwise.

A job is a registered function ``fn(session, *args)``; it runs in its own transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from portal.db import after_commit, commit
from portal.runtime import get_runtime

log = logging.getLogger(__name__)

JobFn = Callable[..., None]
_registry: dict[str, JobFn] = {}


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
    import services.files  # noqa: F401
    import services.mail  # noqa: F401
