"""Shared fixed-window counters in the database (sign-in throttling when there is no Redis)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime


class ThrottleCounter(SQLModel, table=True):
    """Hits counted under ``key`` in the window that ends at ``window_ends_at``."""

    __tablename__ = "throttle_counter"

    key: str = Field(primary_key=True, max_length=200)
    hits: int = 0
    window_ends_at: datetime = Field(sa_type=UTCDateTime, index=True)
