"""Liveness and readiness probes."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from portal.db import get_db
from portal.migrations import current_revision, head_revision

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():  # noqa: ANN201
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():  # noqa: ANN201
    engine = get_db().engine
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = current_revision(conn)
    except Exception:  # any driver error means "not ready"
        return jsonify({"status": "unavailable", "database": False}), 503
    head = head_revision()
    ok = current == head
    body = {
        "status": "ok" if ok else "migrations_pending",
        "database": True,
        "revision": current,
        "head": head,
    }
    return jsonify(body), 200 if ok else 503
