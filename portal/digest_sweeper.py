"""Without Redis there is no delayed-job scheduler: each web process sweeps due digests itself.

A daemon thread, started on the first request (never in tests, never with a job queue), runs
``send_due_digests`` every few seconds in its own session. Two processes racing over one user's
batch are safe: ``send_digest`` claims rows with a conditional UPDATE before mailing.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

log = logging.getLogger(__name__)
_started = threading.Lock()
_thread: threading.Thread | None = None


def _loop(app: Flask, period: float, stop: threading.Event) -> None:
    from portal.jobs import run_job

    while not stop.wait(period):
        try:
            with app.app_context():
                run_job("send_due_digests")
        except Exception:  # keep sweeping; the failure is logged by run_job
            log.debug("digest sweep failed", exc_info=True)


def init_app(app: Flask) -> None:
    stop = threading.Event()

    @app.before_request
    def _start_sweeper() -> None:
        global _thread
        if _thread is not None or app.testing or app.config.get("DIGEST_SWEEPER") is False:
            return
        from portal.runtime import get_runtime

        if get_runtime().queue is not None:
            return
        with _started:
            if _thread is None:
                from services.events.digests import digest_interval

                period = min(30.0, max(2.0, digest_interval() / 4))
                _thread = threading.Thread(
                    target=_loop, args=(app, period, stop), name="digest-sweeper", daemon=True
                )
                _thread.start()
