"""Portal logos, public: a portal's sign-in page shows its logo before anyone signs in."""

from __future__ import annotations

from flask import Blueprint, Response

from portal.db import get_session
from portal.web.downloads import send_blob
from services.portals import settings as portal_settings

bp = Blueprint("brand", __name__)


@bp.get("/brand/logos/<logo_key>")
def logo(logo_key: str) -> Response:
    return send_blob(portal_settings.open_logo(get_session(), key=logo_key), inline=True)
