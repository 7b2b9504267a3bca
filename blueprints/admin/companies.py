"""Companies and groups under /admin/companies: list, create, rename, set a parent, managers."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, request, url_for

from blueprints._staff import staff_blueprint
from portal.db import get_session
from portal.errors import Invalid
from portal.principal import current_actor
from portal.tenancy import staff_can
from portal.validation import form_data, validated
from portal.web.args import id_list, page_arg
from portal.web.htmx import render_page
from services.accounts import companies as svc

bp = staff_blueprint("admin_companies", __name__)


def _index(status: int = 200, form: dict[str, Any] | None = None, errors: Any = None) -> Response:
    actor = current_actor()
    q = request.args.get("q", "").strip()[:100]
    return render_page(
        "admin/companies.html",
        status=status,
        rows=svc.list_companies(get_session(), actor=actor, query=q, page=page_arg(request.args)),
        parents=svc.parent_choices(get_session(), actor=actor),
        q=q,
        form=form or {},
        errors=errors or {},
        can_create=staff_can(actor, svc.COMPANY_CREATE),
    )


@bp.get("/")
def index() -> Response:
    return _index()


@bp.post("/")
def create() -> Response:
    form = form_data(request.form)
    try:
        data = validated(svc.CompanyInput, form)
        company = svc.create_company(get_session(), actor=current_actor(), data=data)
    except Invalid as exc:
        return _index(422, form, exc.errors)
    flash(f"{company.name} created.", "success")
    return redirect(url_for("admin_companies.detail", company_id=company.id), code=303)


def _detail(
    company_id: int, status: int = 200, form: dict[str, Any] | None = None, errors: Any = None
) -> Response:
    actor = current_actor()
    session = get_session()
    view = svc.company_view(session, actor=actor, company_id=company_id)
    return render_page(
        "admin/company.html",
        status=status,
        view=view,
        parents=svc.parent_choices(session, actor=actor, exclude=company_id),
        form=form or {"name": view.company.name, "parent_id": str(view.company.parent_id or "")},
        errors=errors or {},
        can_update=staff_can(actor, svc.COMPANY_UPDATE),
        can_assign=staff_can(actor, svc.MANAGERS_UPDATE),
        can_create_portal=staff_can(actor, "portal.create"),
    )


@bp.get("/<int:company_id>")
def detail(company_id: int) -> Response:
    return _detail(company_id)


@bp.post("/<int:company_id>")
def update(company_id: int) -> Response:
    form = form_data(request.form)
    try:
        data = validated(svc.CompanyInput, form)
        svc.update_company(get_session(), actor=current_actor(), company_id=company_id, data=data)
    except Invalid as exc:
        return _detail(company_id, 422, form, exc.errors)
    flash("Company saved.", "success")
    return redirect(url_for("admin_companies.detail", company_id=company_id), code=303)


@bp.post("/<int:company_id>/managers")
def managers(company_id: int) -> Response:
    try:
        svc.set_managers(
            get_session(),
            actor=current_actor(),
            company_id=company_id,
            user_ids=id_list(request.form.getlist("manager_ids")),
        )
    except Invalid as exc:
        return _detail(company_id, 422, None, exc.errors)
    flash("Project managers saved.", "success")
    return redirect(url_for("admin_companies.detail", company_id=company_id), code=303)
