"""The periodic sweep: the safety net under the outbox, and the scheduled housekeeping.

Every ``OUTBOX_SWEEP_SECONDS`` one thread runs the ``sweep`` job (it resends emails and webhook
deliveries whose job was lost, and mails due notification digests); every
``UPLOAD_CLEANUP_SECONDS`` it dispatches ``cleanup_uploads`` (abandoned uploads). It runs in
each web process when there is no Redis (started on the first request, never in tests), and
in ``stoa worker`` when there is. Two processes sweeping at once are safe: every send claims
its row first.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from flask import Flask

log = logging.getLogger(__name__)
_started = threading.Lock()
_thread: threading.Thread | None = None


def _seconds(app: Flask, name: str, default: float) -> float:
    raw = app.config.get(name, os.environ.get(name, ""))
    try:
        return max(0.2, float(raw)) if raw not in ("", None) else default
    except (TypeError, ValueError):
        return default


def sweep_once(app: Flask, *, cleanup: bool = False) -> None:
    """One round, in the caller's thread (the loop, ``stoa worker``, tests)."""
    from portal.jobs import dispatch, run_job

    with app.app_context():
        try:
            run_job("sweep")
        except Exception:  # keep sweeping; the failure is logged by run_job
            log.debug("sweep failed", exc_info=True)
        if cleanup:
            try:
                dispatch("cleanup_uploads")
            except Exception:
                log.warning("could not schedule the upload cleanup", exc_info=True)


def _loop(app: Flask, stop: threading.Event) -> None:
    period = _seconds(app, "OUTBOX_SWEEP_SECONDS", 10.0)
    cleanup_every = _seconds(app, "UPLOAD_CLEANUP_SECONDS", 3600.0)
    next_cleanup = time.monotonic() + min(60.0, cleanup_every)
    while not stop.wait(period):
        cleanup = time.monotonic() >= next_cleanup
        if cleanup:
            next_cleanup = time.monotonic() + cleanup_every
        sweep_once(app, cleanup=cleanup)


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
