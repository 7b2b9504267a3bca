"""Development helpers: the email outbox (staff only, never in production)."""

from __future__ import annotations

from flask import Response, current_app

from blueprints._staff import staff_blueprint
from portal.accesslog import redact
from portal.db import get_session
from portal.web.htmx import render_page
from services.events.mail import recent_emails


def _development() -> bool:
    return not current_app.config["STOA_SETTINGS"].is_production


# Only admins (a dedicated node, which PMs do not hold), only in development, and one-time
# tokens redacted: the full messages are in instance/outbox/ for whoever runs the server.
bp = staff_blueprint("dev", __name__, node="dev.outbox", available=_development)


@bp.get("/outbox")
def outbox() -> Response:
    emails = recent_emails(get_session(), limit=100)
    return render_page("dev/outbox.html", emails=emails, redact=redact)
