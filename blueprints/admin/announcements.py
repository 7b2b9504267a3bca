"""Staff page that publishes announcements to one portal or to all (``/admin/announcements``)."""

from __future__ import annotations

from flask import Response, flash, request, url_for

from blueprints._staff import staff_blueprint
from portal.db import get_session
from portal.errors import Forbidden, Invalid
from portal.principal import current_actor
from portal.text import render_markdown
from portal.web.htmx import hx_redirect, render_page
from services import announcements as service
from services.portals import switcher_portals

bp = staff_blueprint("announcements_admin", __name__)


def _admin_page(status: int = 200, **extra: object) -> Response:
    session = get_session()
    actor = current_actor()
    context: dict[str, object] = {"errors": {}, "form": {}}
    context.update(extra)
    return render_page(
        "announcements/admin.html",
        status=status,
        rows=[
            (a, company, render_markdown(a.body))
            for a, company in service.staff_announcements(session, actor=actor)
        ],
        portals=switcher_portals(session, actor=actor),
        can_announce_all=actor.can("announcement.create"),
        **context,
    )


@bp.get("/")
def admin_index() -> Response:
    return _admin_page()


@bp.post("/")
def admin_create() -> Response:
    form = request.form
    raw_company = form.get("company_id", "")
    try:
        row = service.create_announcement(
            get_session(),
            actor=current_actor(),
            title=form.get("title", ""),
            body=form.get("body", ""),
            company_id=int(raw_company) if raw_company.isdigit() else None,
        )
    except (Invalid, Forbidden) as exc:
        errors = exc.errors or {"company_id": [exc.message]}
        return _admin_page(status=exc.status, errors=errors, form=form)
    flash(f"Announcement “{row.title}” published.", "success")
    return hx_redirect(url_for("announcements_admin.admin_index"))


@bp.post("/<int:announcement_id>/delete")
def admin_delete(announcement_id: int) -> Response:
    service.delete_announcement(
        get_session(), actor=current_actor(), announcement_id=announcement_id
    )
    flash("Announcement deleted.", "success")
    return hx_redirect(url_for("announcements_admin.admin_index"))
