"""Staff authoring of portal Pages under /admin/pages."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, request, url_for

from blueprints._staff import staff_blueprint
from portal.db import get_session
from portal.errors import Invalid
from portal.models.page import PageCreate, PageUpdate
from portal.principal import current_actor
from portal.validation import form_data, validated
from portal.web.args import arg_int, page_arg
from portal.web.htmx import render_page
from services import pages as svc

bp = staff_blueprint("admin_pages", __name__)


@bp.get("/")
def index() -> Response:
    q = request.args.get("q", "").strip()[:100]
    listing = svc.admin_list(
        get_session(), actor=current_actor(), query=q, page=page_arg(request.args)
    )
    return render_page("admin/pages.html", listing=listing, q=q)


def _form(
    page_id: int | None = None,
    *,
    status: int = 200,
    form: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Response:
    view = svc.authoring_form(get_session(), actor=current_actor(), page_id=page_id)
    page = view.page
    if form is None:
        company_id = page.company_id if page else arg_int(request.args, "company_id", minimum=1)
        form = {
            "title": page.title if page else "",
            "summary": page.summary if page else "",
            "body": page.body if page else "",
            "body_format": page.body_format if page else "markdown",
            "company_id": str(company_id or ""),
            "project_id": str(page.project_id or "") if page else "",
        }
    return render_page(
        "admin/page_form.html",
        status=status,
        page=page,
        form=form,
        errors=errors or {},
        choices=view,
    )


@bp.get("/new")
def new() -> Response:
    return _form()


@bp.get("/<int:page_id>")
def edit(page_id: int) -> Response:
    return _form(page_id)


def _page_input(page_id: int | None, form: dict[str, Any]) -> PageCreate:
    """The form as a page; if it fails its own checks, where it goes is checked too, so one
    422 names every problem."""
    try:
        return validated(PageUpdate if page_id else PageCreate, form)
    except Invalid as exc:
        more = svc.page_errors(
            get_session(),
            actor=current_actor(),
            page_id=page_id,
            company_id=arg_int(form, "company_id", minimum=1),
            project_id=arg_int(form, "project_id", minimum=1),
        )
        raise Invalid(exc.message, errors={**more, **exc.errors}) from None


def _save(page_id: int | None) -> Response:
    form = form_data(request.form)
    publish = form.get("action") == "publish"
    actor = current_actor()
    try:
        data = _page_input(page_id, form)
        if page_id is None:
            page = svc.create_page(get_session(), actor=actor, data=data, publish=publish)
        else:
            page = svc.update_page(
                get_session(), actor=actor, page_id=page_id, data=data, publish=publish
            )
    except Invalid as exc:
        return _form(page_id, status=422, form=request.form.to_dict(), errors=exc.errors)
    flash("Page published." if page.published_at and publish else "Page saved.", "success")
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
