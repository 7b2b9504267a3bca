"""Template globals: branding, the actor, and small formatting filters."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, g
from sqlmodel import select

from portal.db import get_db, get_session
from portal.models import Agency
from portal.principal import current_actor
from portal.web.htmx import is_partial

DEFAULT_AGENCY = Agency(name="Stoa", primary_color="#4f46e5")


_AGENCY_TTL = 30.0
_agency_cache: dict[str, tuple[float, Agency]] = {}


def current_agency() -> Agency:
    """The agency's branding; it changes rarely, so each process keeps it for a few seconds."""
    if "agency" not in g:
        key = str(get_db().engine.url)
        cached = _agency_cache.get(key)
        if cached is None or time.monotonic() - cached[0] > _AGENCY_TTL:
            agency = get_session().exec(select(Agency).limit(1)).first()
            if agency is None:
                agency = DEFAULT_AGENCY
            else:
                get_session().expunge(agency)  # shared across requests: detach from this session
            cached = (time.monotonic(), agency)
            _agency_cache[key] = cached
        g.agency = cached[1]
    return g.agency


def _staff_portals() -> list[Any]:
    from services.portals import switcher_portals

    return switcher_portals(get_session(), actor=current_actor())


def _timeago(value: datetime | None) -> str:
    if value is None:
        return ""
    seconds = int((datetime.now(UTC) - value).total_seconds())
    if seconds < 60:
        return "just now"
    for size, unit in (
        (86400 * 365, "year"),
        (86400 * 30, "month"),
        (86400, "day"),
        (3600, "hour"),
        (60, "minute"),
    ):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


def _date(value: Any, fmt: str = "%d %b %Y") -> str:
    return value.strftime(fmt) if value else ""


def init_templating(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["timeago"] = _timeago
    app.jinja_env.filters["date"] = _date

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "agency": current_agency(),
            "actor": current_actor(),
            "staff_portals": _staff_portals,
            "partial": is_partial(),
        }
