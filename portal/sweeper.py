"""The periodic sweep: the safety net under the outbox, and the scheduled housekeeping.

Every ``OUTBOX_SWEEP_SECONDS`` one thread runs the ``sweep`` job (it resends emails and webhook
deliveries whose job was lost, and mails due notification digests) and dispatches each
:func:`periodic` job that is due — the areas register theirs (abandoned uploads every
``UPLOAD_CLEANUP_SECONDS``, overdue invoices daily, the network sync…). It runs in
each web process when there is no Redis (started on the first request, never in tests), and
in ``stoa worker`` when there is. Two processes sweeping at once are safe: every send claims
its row first.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from flask import Flask

log = logging.getLogger(__name__)
_started = threading.Lock()
_thread: threading.Thread | None = None


@dataclass(frozen=True)
class Periodic:
    job: str  # a registered job name (portal.jobs), dispatched without arguments
    setting: str  # the setting (config or environment) holding its period in seconds
    default: float
    first_after: float = 60.0  # the first run, this long after the sweeper starts


# The scheduled jobs, by job name. Every job must be safe to run twice (two processes sweep).
PERIODIC: dict[str, Periodic] = {}


def periodic(job: str, *, setting: str, default: float, first_after: float = 60.0) -> None:
    """Run job ``job`` every ``setting`` seconds (``default`` when unset) from the sweeper."""
    PERIODIC[job] = Periodic(job, setting, default, first_after)


def _seconds(app: Flask, name: str, default: float) -> float:
    raw = app.config.get(name, os.environ.get(name, ""))
    try:
        return max(0.2, float(raw)) if raw not in ("", None) else default
    except (TypeError, ValueError):
        return default


def sweep_once(app: Flask, *, due: Iterable[str] = ()) -> None:
    """One round, in the caller's thread (the loop, ``stoa worker``, tests): the ``sweep``
    job, then a dispatch of each periodic job named in ``due``."""
    from portal.jobs import dispatch, run_job

    with app.app_context():
        try:
            run_job("sweep")
        except Exception:  # keep sweeping; the failure is logged by run_job
            log.debug("sweep failed", exc_info=True)
        for name in due:
            try:
                dispatch(name)
            except Exception:
                log.warning("could not schedule the periodic job %s", name, exc_info=True)


def _loop(app: Flask, stop: threading.Event) -> None:
    from portal.jobs import _load_job_modules

    _load_job_modules()  # the areas register their periodic jobs on import
    period = _seconds(app, "OUTBOX_SWEEP_SECONDS", 10.0)
    start_at = time.monotonic()
    next_run = {
        p.job: start_at + min(p.first_after, _seconds(app, p.setting, p.default))
        for p in PERIODIC.values()
    }
    while not stop.wait(period):
        now = time.monotonic()
        due = [name for name, at in next_run.items() if now >= at]
        for name in due:
            p = PERIODIC[name]
            next_run[name] = now + _seconds(app, p.setting, p.default)
        sweep_once(app, due=due)


def start(app: Flask, stop: threading.Event | None = None) -> threading.Thread:
    """Start the sweep thread of this process (once)."""
    global _thread
    with _started:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(
                target=_loop,
                args=(app, stop or threading.Event()),
                name="stoa-sweeper",
                daemon=True,
            )
            _thread.start()
        return _thread


def init_app(app: Flask) -> None:
    @app.before_request
    def _start_sweeper() -> None:
        if _thread is not None and _thread.is_alive():
            return
        settings = app.config.get("STOA_SETTINGS")
        if (
            app.testing
            or getattr(settings, "env", "") == "test"
            or app.config.get("SWEEPER") is False
        ):
            return
        from portal.runtime import get_runtime

        if get_runtime().queue is not None:
            return  # `stoa worker` sweeps
        start(app)
