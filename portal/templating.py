"""Template globals: branding, the actor, and small formatting filters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask, g
from sqlmodel import select

from portal.db import get_session
from portal.htmx import is_partial
from portal.models import Agency
from portal.principal import current_actor

DEFAULT_AGENCY = Agency(name="Stoa", primary_color="#4f46e5")


def current_agency() -> Agency:
    if "agency" not in g:
        g.agency = get_session().exec(select(Agency).limit(1)).first() or DEFAULT_AGENCY
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
