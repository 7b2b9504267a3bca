from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow


class Agency(SQLModel, table=True):
    """The one organisation running this instance."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    logo_url: str | None = Field(default=None, max_length=500)
    primary_color: str = Field(default="#4f46e5", max_length=7)
    support_email: str | None = Field(default=None, max_length=254)
    # client-request SLA in hours per priority; None or a missing key = the default
    sla_hours: dict[str, int] | None = Field(default=None, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
