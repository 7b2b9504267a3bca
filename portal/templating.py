"""Template globals: branding, the actor, and small formatting filters."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g
from sqlmodel import Session, select

from portal.db import database_down, get_session
from portal.filetypes import human_size
from portal.models import Agency
from portal.principal import current_actor
from portal.tenancy import ANONYMOUS
from portal.web.gating import gate_object, is_withheld, passes_withheld
from portal.web.htmx import is_partial
from portal.web.icons import icon
from portal.web.links import object_url
from portal.web.staff_nav import NavGroup, staff_nav
from portal.web.urls import id_url

DEFAULT_AGENCY = Agency(name="Stoa", primary_color="#4f46e5")


class AgencyCache:
    """The agency's branding, read at most once per ``ttl`` seconds by each app.

    It changes rarely and every page shows it, so a page does not pay a query for it. The
    cache belongs to one app (``app.extensions["stoa_agency"]``), never to the process.
    """

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._value: tuple[float, Agency] | None = None

    def last_known(self) -> Agency:
        """What was read last (or the default): for pages rendered while the database is down."""
        return self._value[1] if self._value else DEFAULT_AGENCY

    def get(self, session: Session) -> Agency:
        cached = self._value
        if cached is None or time.monotonic() - cached[0] > self.ttl:
            return self.refresh(session)
        return cached[1]

    def refresh(self, session: Session) -> Agency:
        """Read the branding now (and restart the clock)."""
        agency = session.exec(select(Agency).limit(1)).first()
        if agency is None:
            agency = DEFAULT_AGENCY
        else:
            session.expunge(agency)  # shared across requests: detach from this session
        self._value = (time.monotonic(), agency)
        return agency


def current_agency() -> Agency:
    """The agency's branding for this request (from the app's cache)."""
    if "agency" not in g:
        cache = current_app.extensions["stoa_agency"]
        g.agency = cache.last_known() if database_down() else cache.get(get_session())
    return g.agency


def _staff_portals() -> list[Any]:
    from services.portals import switcher_portals

    return switcher_portals(get_session(), actor=current_actor())


def _staff_nav() -> list[NavGroup]:
    return staff_nav(current_actor(), production=current_app.config["STOA_SETTINGS"].is_production)


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
    ttl = float(app.config.get("AGENCY_CACHE_SECONDS", 30))
    app.extensions["stoa_agency"] = AgencyCache(ttl=ttl)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["timeago"] = passes_withheld(_timeago)
    app.jinja_env.filters["date"] = passes_withheld(_date)
    app.jinja_env.filters["filesize"] = human_size  # {{ f.size|filesize }}: "2 GB"
    # field gating on pages: {% set item = row.item|gated("obj.catalogItem") %}
    app.jinja_env.filters["gated"] = lambda obj, scope: gate_object(obj, current_actor(), scope)
    app.jinja_env.tests["withheld"] = is_withheld
    app.jinja_env.globals["id_url"] = id_url
    app.jinja_env.globals["icon"] = icon  # the one icon macro (vendored SVG, read once per process)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "agency": current_agency(),
            "actor": ANONYMOUS if database_down() else current_actor(),
            "staff_portals": _staff_portals,
            "staff_nav": _staff_nav,
            "object_url": object_url,
            "partial": is_partial(),
        }
