"""The process-wide runtime: settings, database, counters and queue, set by ``create_app``.

Services and jobs run outside requests (CLI, worker, tests) and reach shared infrastructure here
instead of through Flask's globals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.config import Settings
from portal.db import Database
from portal.ratelimit import CounterStore, Limiter


@dataclass
class Runtime:
    settings: Settings
    db: Database
    counters: CounterStore  # rate limits (per process without Redis)
    throttle: CounterStore  # sign-in throttling: shared by every worker (Redis or the database)
    queue: Any | None = None  # rq.Queue when REDIS_URL is set

    @property
    def limiter(self) -> Limiter:
        return Limiter(self.counters)


_current: Runtime | None = None


def set_runtime(runtime: Runtime, app: Any | None = None) -> None:
    global _current
    if _current is None:  # the process's first app is the fallback outside app contexts
        _current = runtime
    if app is not None:
        app.extensions["stoa_runtime"] = runtime


def get_runtime() -> Runtime:
    """The runtime of the current app (several apps may live in one test process)."""
    from flask import current_app, has_app_context

    if has_app_context() and "stoa_runtime" in current_app.extensions:
        return current_app.extensions["stoa_runtime"]
    if _current is None:
        raise RuntimeError("Stoa runtime not initialised: call portal.create_app() first")
    return _current
