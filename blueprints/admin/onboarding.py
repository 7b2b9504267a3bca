"""Staff page for the agency's onboarding templates (``/admin/onboarding``): each with its
stages and milestones, and a form for a new one. A client's run is started and ticked from
its portal's Onboarding tab."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, request, url_for

from blueprints._staff import staff_blueprint
from portal.db import get_session
from portal.errors import Conflict, Invalid
from portal.models.onboarding import TemplateCreate
from portal.principal import current_actor
from portal.validation import validated
from portal.web.htmx import hx_redirect, render_page
from services.onboarding import (
    MANAGE_NODE,
    create_template,
    delete_template,
    templates_overview,
    update_template,
)

bp = staff_blueprint("onboarding_admin", __name__, node=MANAGE_NODE)


def _page(status: int = 200, **extra: Any) -> Response:
    context: dict[str, Any] = {"errors": {}, "form": {}, "edit_errors": {}, "edit_form": {}}
    context |= extra
    return render_page(
        "admin/onboarding.html",
        status=status,
        templates=templates_overview(get_session(), actor=current_actor()),
        **context,
    )


def _stages(text: str) -> list[dict[str, Any]]:
    """One stage a line: ``Stage name: milestone; milestone; …``."""
    stages = []
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        milestones = [m.strip() for m in rest.split(";") if m.strip()]
        if name.strip() or milestones:
            stages.append({"name": name.strip(), "milestones": milestones})
    return stages


@bp.get("/")
def index() -> Response:
    return _page()


def _template_form() -> dict[str, Any]:
    form = request.form
    return {
        "name": form.get("name") or "",
        "description": form.get("description") or "",
        "stages": _stages(str(form.get("stages") or "")),
    }


@bp.post("/")
def create() -> Response:
    form = request.form
    data = _template_form()
    try:
        template = create_template(
            session=get_session(), actor=current_actor(), data=validated(TemplateCreate, data)
        )
    except Invalid as exc:
        return _page(status=422, errors=exc.errors or {"_": [exc.message]}, form=form)
    flash(f"Template “{template.name}” created: start it from a client's Onboarding tab.")
    return hx_redirect(url_for("onboarding_admin.index"))


@bp.post("/<int:template_id>/edit")
def edit(template_id: int) -> Response:
    try:
        template = update_template(
            session=get_session(),
            actor=current_actor(),
            template_id=template_id,
            data=validated(TemplateCreate, _template_form()),
        )
    except Invalid as exc:
        return _page(
            status=422,
            edit_errors={template_id: exc.errors or {"_": [exc.message]}},
            edit_form=request.form,
        )
    flash(f"Template “{template.name}” saved; clients onboarding with it follow the change.")
    return hx_redirect(url_for("onboarding_admin.index"))


@bp.post("/<int:template_id>/delete")
def delete(template_id: int) -> Response:
    try:
        name = delete_template(
            session=get_session(), actor=current_actor(), template_id=template_id
        )
    except Conflict as exc:
        return _page(status=409, edit_errors={template_id: {"_": [exc.message]}})
    flash(f"Template “{name}” deleted.")
    return hx_redirect(url_for("onboarding_admin.index"))
