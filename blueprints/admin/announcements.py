"""Staff page that publishes announcements to one portal or to all (``/admin/announcements``)."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, request, url_for

from blueprints._staff import staff_blueprint
from portal.db import get_session
from portal.errors import Forbidden, Invalid
from portal.models.announcement import AnnouncementCreate
from portal.principal import current_actor
from portal.validation import form_data, validated
from portal.web.args import arg_int
from portal.web.htmx import hx_redirect, render_page
from services import announcements as service

bp = staff_blueprint("announcements_admin", __name__)


def _admin_page(status: int = 200, **extra: Any) -> Response:
    context: dict[str, Any] = {"errors": {}, "form": {}}
    context.update(extra)
    return render_page(
        "announcements/admin.html",
        status=status,
        view=service.admin_view(get_session(), actor=current_actor()),
        **context,
    )


@bp.get("/")
def admin_index() -> Response:
    return _admin_page()


@bp.post("/")
def admin_create() -> Response:
    form = request.form
    try:
        data = validated(
            AnnouncementCreate, form_data(form) | {"company_id": arg_int(form, "company_id")}
        )
        row = service.create_announcement(get_session(), actor=current_actor(), data=data)
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
