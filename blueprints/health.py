"""Liveness and readiness probes.

``/healthz`` says the process answers and never touches the database. ``/readyz`` checks the
database (reachable, migrations at head) and answers within two seconds whatever the database
does: the check runs on one probe thread per process, and a check still hanging from before
means "not ready" at once, so a frozen database never piles up threads.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Blueprint, Response, jsonify
from sqlalchemy import text
from sqlalchemy.engine import Engine

from portal.db import get_db
from portal.migrations import current_revision, head_revision

bp = Blueprint("health", __name__)

READY_TIMEOUT_SECONDS = 2.0
_probe_slot = threading.Semaphore(1)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


def _database_revision(engine: Engine, out: dict[str, Any], done: threading.Event) -> None:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            out["revision"] = current_revision(conn)
            out["database"] = True
    except Exception:  # any driver error means "not ready"
        out["database"] = False
    finally:
        done.set()
        _probe_slot.release()


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    unavailable = {"status": "unavailable", "database": False}
    if not _probe_slot.acquire(blocking=False):  # the last check is still waiting on the DB
        return jsonify(unavailable), 503
    out: dict[str, Any] = {}
    done = threading.Event()
    threading.Thread(
        target=_database_revision, args=(get_db().engine, out, done), daemon=True
    ).start()
    if not done.wait(READY_TIMEOUT_SECONDS) or not out.get("database"):
        return jsonify(unavailable), 503
    head = head_revision()
    ok = out["revision"] == head
    body = {
        "status": "ok" if ok else "migrations_pending",
        "database": True,
        "revision": out["revision"],
        "head": head,
    }
    return jsonify(body), 200 if ok else 503
