"""Announcements: the portal page (latest 20) and the staff page that publishes them."""

from __future__ import annotations

from flask import Blueprint, Response, flash, request, url_for
from flask_login import current_user

from blueprints.portal_base import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.errors import Forbidden, Invalid, NotFound
from portal.extensions import login_manager
from portal.htmx import hx_redirect, render_page
from portal.principal import current_actor
from services import announcements as service
from services.markdown import render_markdown
from services.portals import switcher_portals

bp = portal_blueprint("announcements", __name__)
admin_bp = Blueprint("announcements_admin", __name__)


@bp.get("/announcements")
def index() -> Response:
    ctx = portal_ctx()
    rows = service.latest_announcements(
        get_session(), actor=current_actor(), company_ids=ctx.group_company_ids
    )
    return render_page(
        "announcements/index.html",
        ctx=ctx,
        rows=[(a, render_markdown(a.body)) for a in rows],
        active_tab="announcements",
        page_title="Announcements",
    )


@admin_bp.before_request
def _staff_only() -> Response | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_actor().is_staff:
        raise NotFound()
    return None


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


@admin_bp.get("/")
def admin_index() -> Response:
    return _admin_page()


@admin_bp.post("/")
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


@admin_bp.post("/<int:announcement_id>/delete")
def admin_delete(announcement_id: int) -> Response:
    service.delete_announcement(
        get_session(), actor=current_actor(), announcement_id=announcement_id
    )
    flash("Announcement deleted.", "success")
    return hx_redirect(url_for("announcements_admin.admin_index"))
