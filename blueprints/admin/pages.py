"""Staff authoring of portal Pages under /admin/pages."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, request, url_for

from blueprints._staff import staff_blueprint
from portal.db import get_session
from portal.errors import Invalid
from portal.principal import current_actor
from portal.web.htmx import render_page
from services import pages as svc

bp = staff_blueprint("admin_pages", __name__)


@bp.get("/")
def index() -> Response:
    q = request.args.get("q", "").strip()[:100]
    raw = request.args.get("page", "1")
    listing = svc.admin_list(
        get_session(), actor=current_actor(), query=q, page=int(raw) if raw.isdigit() else 1
    )
    return render_page("admin/pages.html", listing=listing, q=q)


def _form(
    page: Any = None, *, status: int = 200, form: dict | None = None, errors: dict | None = None
) -> Response:
    choices = svc.authoring_choices(get_session(), actor=current_actor())
    if form is None:
        form = {
            "title": page.title if page else "",
            "summary": page.summary if page else "",
            "body": page.body if page else "",
            "body_format": page.body_format if page else "markdown",
            "company_id": str(page.company_id) if page else request.args.get("company_id", ""),
            "project_id": str(page.project_id or "") if page else "",
        }
    return render_page(
        "admin/page_form.html",
        status=status,
        page=page,
        form=form,
        errors=errors or {},
        choices=choices,
    )


@bp.get("/new")
def new() -> Response:
    return _form()


@bp.get("/<int:page_id>")
def edit(page_id: int) -> Response:
    return _form(svc.get_for_staff(get_session(), actor=current_actor(), page_id=page_id))


def _save(page_id: int | None) -> Response:
    form = request.form
    try:
        page = svc.save_page(
            get_session(),
            actor=current_actor(),
            page_id=page_id,
            title=form.get("title", ""),
            summary=form.get("summary", ""),
            body=form.get("body", ""),
            body_format=form.get("body_format", "markdown"),
            company_id=form.get("company_id"),
            project_id=form.get("project_id") or None,
            publish=form.get("action") == "publish",
        )
    except Invalid as exc:
        existing = (
            svc.get_for_staff(get_session(), actor=current_actor(), page_id=page_id)
            if page_id
            else None
        )
        return _form(existing, status=422, form=form.to_dict(), errors=exc.errors)
    flash(
        "Page published."
        if page.published_at and form.get("action") == "publish"
        else "Page saved.",
        "success",
    )
    return redirect(url_for("admin_pages.edit", page_id=page.id), code=303)


@bp.post("/")
def create() -> Response:
    return _save(None)


@bp.post("/<int:page_id>")
def update(page_id: int) -> Response:
    return _save(page_id)


@bp.post("/<int:page_id>/publish")
def publish(page_id: int) -> Response:
    svc.set_published(get_session(), actor=current_actor(), page_id=page_id, published=True)
    flash("Page published.", "success")
    return redirect(url_for("admin_pages.edit", page_id=page_id), code=303)


@bp.post("/<int:page_id>/unpublish")
def unpublish(page_id: int) -> Response:
    svc.set_published(get_session(), actor=current_actor(), page_id=page_id, published=False)
    flash("Page moved back to draft.", "success")
    return redirect(url_for("admin_pages.edit", page_id=page_id), code=303)
