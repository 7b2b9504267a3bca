"""Development helpers: the email outbox (staff only, never in production)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from flask_login import current_user

from portal.db import get_session
from portal.errors import NotFound
from portal.extensions import login_manager
from portal.htmx import render_page
from portal.principal import current_actor
from services.mail import recent_emails

bp = Blueprint("dev", __name__)


@bp.before_request
def _dev_staff_only() -> Response | None:
    if current_app.config["STOA_SETTINGS"].is_production:
        raise NotFound()
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_actor().is_staff:
        raise NotFound()
    return None


@bp.get("/outbox")
def outbox() -> Response:
    emails = recent_emails(get_session(), limit=100)  # type: ignore[union-attr]
    return render_page("dev/outbox.html", emails=emails)
