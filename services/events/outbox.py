"""The outbox protocol shared by emails and webhook deliveries.

A row is written in the transaction that caused it. A worker then *claims* it in a short
transaction (a conditional UPDATE: still pending, due, and not leased by another worker),
commits, talks to the outside world with no transaction open, and records the result in a new
short transaction. A worker that dies mid-send leaves a lease that expires, and the periodic
sweep hands the row to another worker: nothing is lost, and a receiver that dedupes by the
delivery id sees each one once.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, or_, select

from portal.models.base import utcnow
from portal.runtime import get_runtime

# A retry fired by a scheduler on another machine may arrive a little early.
CLOCK_SLACK = timedelta(seconds=2)
SWEEP_BATCH = 500


def setting(name: str, default: float) -> float:
    """App config (``create_app`` overrides) first, then the environment, then the default."""
    raw = get_runtime().settings.extra.get(name, os.environ.get(name))
    if not isinstance(raw, int | float | str) or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        return default


def claim(session: Session, model: Any, row_id: int, *, pending: str, lease_seconds: float) -> bool:
    """Take row ``row_id`` for one attempt (counted now); False if it is not ours to send."""
    now = utcnow()
    result = session.execute(
        sa.update(model)
        .where(
            col(model.id) == row_id,
            col(model.status) == pending,
            or_(col(model.lease_until).is_(None), col(model.lease_until) < now),
            or_(
                col(model.next_attempt_at).is_(None),
                col(model.next_attempt_at) <= now + CLOCK_SLACK,
            ),
        )
        .values(
            attempts=col(model.attempts) + 1, lease_until=now + timedelta(seconds=lease_seconds)
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def overdue(session: Session, model: Any, *, pending: str, grace_seconds: float) -> list[int]:
    """Pending rows due for more than ``grace_seconds`` and not leased: their job was lost."""
    now = utcnow()
    cutoff = now - timedelta(seconds=grace_seconds)
    ids = session.exec(
        select(model.id)
        .where(
            col(model.status) == pending,
            col(model.next_attempt_at) < cutoff,
            or_(col(model.lease_until).is_(None), col(model.lease_until) < now),
        )
        .order_by(col(model.next_attempt_at), col(model.id))
        .limit(SWEEP_BATCH)
    ).all()
    return [int(i) for i in ids if i is not None]


def retry_delay(base_seconds: float, attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt: base, 2×base, 4×base, …"""
    return base_seconds * 2 ** max(0, attempts - 1)
