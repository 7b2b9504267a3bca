"""Staff area."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, request, url_for

from blueprints._staff import staff_blueprint
from portal.db import get_session
from portal.errors import Invalid
from portal.principal import current_actor
from portal.tenancy import staff_can
from portal.web.args import page_arg, parse_int
from portal.web.htmx import hx_redirect, render_page
from portal.web.pagecache import cacheable
from services.deliverables import approvals_queue
from services.deliverables import settings as deliverable_service
from services.portals.staff_overview import portal_overview

bp = staff_blueprint("admin", __name__)


@bp.get("/")
def index() -> Response:
    overview = portal_overview(
        get_session(),
        actor=current_actor(),
        query=request.args.get("q", ""),
        page=page_arg(request.args),
    )
    return render_page("admin/index.html", overview=overview)


@bp.get("/approvals")
@cacheable
def approvals() -> Response:
    """Deliverables needing staff action (or a client decision) across every visible portal."""
    queue = approvals_queue(get_session(), actor=current_actor())
    return render_page("admin/approvals.html", queue=queue)


def _render_deliverable_settings(status: int = 200, **extra: Any) -> Response:
    session = get_session()
    context: dict[str, Any] = {"errors": {}, "form": {}}
    context.update(extra)
    return render_page(
        "admin/deliverable_settings.html",
        status=status,
        categories=deliverable_service.list_categories(session),
        default_revisions=deliverable_service.default_revisions_allowed(session),
        can_edit=staff_can(current_actor(), "settings.deliverables"),
        **context,
    )


@bp.get("/deliverables/settings")
def deliverable_settings() -> Response:
    return _render_deliverable_settings()


def _optional_int(raw: str | None) -> int | None:
    """Blank means "no limit"; anything else must be a whole number."""
    if not (raw or "").strip():
        return None
    value = parse_int(raw)
    if value is None:
        raise Invalid(errors={"revisions_allowed": ["Enter a whole number."]})
    return value


@bp.post("/deliverables/settings")
def save_deliverable_settings() -> Response:
    """The global revision allowance and the categories (reference 003's settings screen)."""
    form = request.form
    session, actor = get_session(), current_actor()
    try:
        if form.get("form") == "default":
            value = _optional_int(form.get("default_revisions_allowed"))
            deliverable_service.set_default_revisions_allowed(
                session, actor=actor, value=-1 if value is None else value
            )
        else:
            deliverable_service.save_category(
                session,
                actor=actor,
                slug=form.get("slug", ""),
                name=form.get("name", ""),
                revisions_allowed=_optional_int(form.get("revisions_allowed")),
            )
    except Invalid as exc:
        return _render_deliverable_settings(422, errors=exc.errors, form=form)
    flash("Deliverable settings saved.", "success")
    return hx_redirect(url_for("admin.deliverable_settings"))
