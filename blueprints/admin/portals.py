"""Portals under /admin/portals: create (from a template), settings, logo; templates; guides."""

from __future__ import annotations

from typing import Any, BinaryIO, cast

from flask import Response, flash, redirect, request, url_for

from blueprints._staff import staff_blueprint
from portal.db import get_session
from portal.errors import Invalid
from portal.filetypes import CATEGORIES
from portal.models.company import PortalCreate
from portal.models.tools import GuideCreate
from portal.principal import current_actor
from portal.tenancy import staff_can
from portal.validation import form_data, validated
from portal.web.args import arg_int, id_list
from portal.web.htmx import render_page
from services import tools
from services.accounts import companies
from services.portals import admin as portal_admin
from services.portals import settings as svc
from services.portals import templates

bp = staff_blueprint("admin_portals", __name__)


# Create ---------------------------------------------------------------------------------


def _new(status: int = 200, form: dict[str, Any] | None = None, errors: Any = None) -> Response:
    actor = current_actor()
    session = get_session()
    return render_page(
        "admin/portal_new.html",
        status=status,
        form=form or {"company_id": str(arg_int(request.args, "company_id", minimum=1) or "")},
        errors=errors or {},
        templates=templates.list_templates(session, actor=actor),
        companies=[
            r.company
            for r in companies.list_companies(session, actor=actor, page=1).items
            if r.portal is None
        ],
    )


@bp.get("/new")
def new() -> Response:
    return _new()


@bp.post("/")
def create() -> Response:
    form = form_data(request.form)
    company_id = arg_int(form, "company_id", minimum=1)
    body = {
        "title": form.get("title", ""),
        "status": form.get("status", "pending"),
        "template_id": arg_int(form, "template_id", minimum=0) or 0,
    }
    try:
        data = validated(PortalCreate, body)
        record = portal_admin.create_portal(
            get_session(), actor=current_actor(), data=data, company_id=company_id
        )
    except Invalid as exc:
        return _new(422, form, exc.errors)
    flash(f"Portal {record.portal.title} created.", "success")
    return redirect(url_for("admin_portals.edit", portal_id=record.portal.id), code=303)


# Settings -------------------------------------------------------------------------------


def _settings_form(view: svc.SettingsView) -> dict[str, Any]:
    p = view.portal
    return {
        "title": p.title,
        "slug": p.slug,
        "status": p.status,
        "accent_color": p.accent_color or "",
        "enabled_tabs": [t for t in svc.SWITCHABLE_TABS if t in (p.enabled_tabs or [])],
        "landing_tab": p.landing_tab,
        "dashboard_enabled": p.dashboard_enabled,
        "allow_uploads": p.allow_uploads,
        "max_upload_mb": p.max_upload_mb,
        "allowed_file_types": list(p.allowed_file_types or CATEGORIES),
        "welcome_message": p.welcome_message or "",
    }


def _edit(
    portal_id: int, status: int = 200, form: dict[str, Any] | None = None, errors: Any = None
) -> Response:
    actor = current_actor()
    view = svc.get_settings(get_session(), actor=actor, portal_id=portal_id)
    return render_page(
        "admin/portal_settings.html",
        status=status,
        view=view,
        form=form or _settings_form(view),
        errors=errors or {},
        tabs=[(t, svc.tab_label(t)) for t in svc.SWITCHABLE_TABS],
        file_types=[(k, label) for k, (label, _) in CATEGORIES.items()],
        can_manage=staff_can(actor, "portal.manage"),
    )


@bp.get("/<int:portal_id>")
def edit(portal_id: int) -> Response:
    return _edit(portal_id)


@bp.post("/<int:portal_id>")
def update(portal_id: int) -> Response:
    form = form_data(request.form, lists=("enabled_tabs", "allowed_file_types"))
    try:
        data = validated(svc.PortalSettings, form)
        svc.update_settings(get_session(), actor=current_actor(), portal_id=portal_id, data=data)
    except Invalid as exc:
        errors = {k: v for k, v in exc.errors.items() if k != "body"}
        for message in exc.errors.get("body", []):
            field, _, text = message.partition(": ")
            errors.setdefault(field if text else "body", []).append(text or message)
        return _edit(portal_id, 422, form, errors)
    flash("Portal settings saved.", "success")
    return redirect(url_for("admin_portals.edit", portal_id=portal_id), code=303)


@bp.post("/<int:portal_id>/logo")
def upload_logo(portal_id: int) -> Response:
    upload = request.files.get("logo")
    try:
        if upload is None or not upload.filename:
            raise Invalid(errors={"logo": ["Choose an image to upload."]})
        svc.upload_logo(
            get_session(),
            actor=current_actor(),
            portal_id=portal_id,
            stream=cast(BinaryIO, upload.stream),
            name=upload.filename,
        )
    except Invalid as exc:
        return _edit(portal_id, 422, None, exc.errors)
    flash("Logo uploaded.", "success")
    return redirect(url_for("admin_portals.edit", portal_id=portal_id), code=303)


@bp.post("/<int:portal_id>/logo/delete")
def remove_logo(portal_id: int) -> Response:
    svc.remove_logo(get_session(), actor=current_actor(), portal_id=portal_id)
    flash("Logo removed.", "success")
    return redirect(url_for("admin_portals.edit", portal_id=portal_id), code=303)


# Templates ------------------------------------------------------------------------------


def _templates(
    status: int = 200, form: dict[str, Any] | None = None, errors: Any = None
) -> Response:
    actor = current_actor()
    return render_page(
        "admin/portal_templates.html",
        status=status,
        templates=templates.list_templates(get_session(), actor=actor),
        form=form or {},
        errors=errors or {},
        can_manage=staff_can(actor, templates.TEMPLATE_MANAGE),
    )


@bp.get("/templates")
def template_index() -> Response:
    return _templates()


@bp.post("/templates")
def template_create() -> Response:
    form = form_data(request.form)
    try:
        data = templates.template_from_text(
            name=str(form.get("name") or ""),
            description=str(form.get("description") or ""),
            welcome_message=str(form.get("welcome_message") or ""),
            task_lists=str(form.get("task_lists") or ""),
            tools=str(form.get("tools") or ""),
        )
        template = templates.create_template(get_session(), actor=current_actor(), data=data)
    except Invalid as exc:
        return _templates(422, form, exc.errors)
    flash(f"Template {template.name} created.", "success")
    return redirect(url_for("admin_portals.template_index"), code=303)


@bp.post("/templates/<int:template_id>/delete")
def template_delete(template_id: int) -> Response:
    templates.delete_template(get_session(), actor=current_actor(), template_id=template_id)
    flash("Template deleted.", "success")
    return redirect(url_for("admin_portals.template_index"), code=303)


# Guides ---------------------------------------------------------------------------------


def _guides(status: int = 200, form: dict[str, Any] | None = None, errors: Any = None) -> Response:
    actor = current_actor()
    return render_page(
        "admin/guides.html",
        status=status,
        rows=tools.list_guides(get_session(), actor=actor),
        form=form or {},
        errors=errors or {},
        can_manage=staff_can(actor, tools.GUIDE_MANAGE),
    )


@bp.get("/guides")
def guide_index() -> Response:
    return _guides()


@bp.post("/guides")
def guide_create() -> Response:
    form = form_data(request.form)
    try:
        guide = tools.save_guide(
            get_session(), actor=current_actor(), data=validated(GuideCreate, form)
        )
    except Invalid as exc:
        return _guides(422, form, exc.errors)
    flash(f"Guide {guide.title} created: choose the portals that show it.", "success")
    return redirect(url_for("admin_portals.guide_edit", guide_id=guide.id), code=303)


def _guide(
    guide_id: int, status: int = 200, form: dict[str, Any] | None = None, errors: Any = None
) -> Response:
    actor = current_actor()
    session = get_session()
    guide = tools.get_guide(session, actor=actor, guide_id=guide_id)
    return render_page(
        "admin/guide.html",
        status=status,
        guide=guide,
        form=form
        or {"title": guide.title, "summary": guide.summary, "body": guide.body, "url": guide.url},
        errors=errors or {},
        portals=tools.portal_choices(session, actor=actor),
        assigned=tools.assigned_company_ids(session, actor=actor, guide_id=guide_id),
        can_manage=staff_can(actor, tools.GUIDE_MANAGE),
    )


@bp.get("/guides/<int:guide_id>")
def guide_edit(guide_id: int) -> Response:
    return _guide(guide_id)


@bp.post("/guides/<int:guide_id>")
def guide_update(guide_id: int) -> Response:
    form = form_data(request.form)
    try:
        tools.save_guide(
            get_session(),
            actor=current_actor(),
            data=validated(GuideCreate, form),
            guide_id=guide_id,
        )
    except Invalid as exc:
        return _guide(guide_id, 422, form, exc.errors)
    flash("Guide saved.", "success")
    return redirect(url_for("admin_portals.guide_edit", guide_id=guide_id), code=303)


@bp.post("/guides/<int:guide_id>/portals")
def guide_portals(guide_id: int) -> Response:
    tools.set_guide_portals(
        get_session(),
        actor=current_actor(),
        guide_id=guide_id,
        company_ids=id_list(request.form.getlist("company_ids")),
    )
    flash("Portals saved.", "success")
    return redirect(url_for("admin_portals.guide_edit", guide_id=guide_id), code=303)
