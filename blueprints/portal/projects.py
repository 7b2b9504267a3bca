"""Projects tab: the list, the project page and its HTMX forms (decisions, goals, summary)."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, make_response, request, url_for
from jinja2_fragments.flask import render_blocks

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.errors import Invalid
from portal.principal import current_actor
from portal.web.htmx import hx_redirect, is_partial, render_page
from services import projects as svc
from services.projects import summary as project_summary

bp = portal_blueprint("projects", __name__)


def _page_arg() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() else 1


@bp.get("/projects")
def index() -> Response:
    ctx = portal_ctx()
    listing = svc.list_projects(
        get_session(),
        actor=current_actor(),
        company_ids=ctx.group_company_ids,
        status=request.args.get("status", ""),
        query=request.args.get("q", ""),
        page=_page_arg(),
    )
    return render_page(
        "projects/index.html",
        ctx=ctx,
        listing=listing,
        statuses=svc.PROJECT_STATUSES,
        active_tab="projects",
    )


def _detail_context(project_id: int, **extra: Any) -> dict[str, Any]:
    ctx = portal_ctx()
    actor = current_actor()
    view = svc.project_detail(
        get_session(), actor=actor, project_id=project_id, company_ids=ctx.group_company_ids
    )
    context: dict[str, Any] = {
        "ctx": ctx,
        "view": view,
        "can_edit": ctx.can_write and svc.can_edit_plan(actor),
        "active_tab": "projects",
        "page_title": view.project.name,
        "errors": {},
        "decision_form": {},
        "goal_form": {},
        "summary_form": {},
        "oob": False,
    }
    context.update(extra)
    return context


@bp.get("/projects/<int:project_id>")
def detail(project_id: int) -> Response:
    return render_page("projects/detail.html", **_detail_context(project_id))


def _blocks(project_id: int, blocks: list[str], status: int = 200, **extra: Any) -> Response:
    context = _detail_context(project_id, **extra)
    if context.get("toast"):
        blocks = [*blocks, "toast"]
    return make_response(render_blocks("projects/detail.html", blocks, **context), status)


def _after_write(project_id: int, blocks: list[str], message: str) -> Response:
    if is_partial():
        return _blocks(project_id, blocks, oob=True, toast=message)
    flash(message, "success")
    return hx_redirect(url_for("projects.detail", project_id=project_id))


def _invalid(project_id: int, block: str, exc: Invalid, form_key: str) -> Response:
    form = request.form.to_dict()
    if is_partial():
        return _blocks(project_id, [block], status=422, errors=exc.errors, **{form_key: form})
    return render_page(
        "projects/detail.html",
        status=422,
        **_detail_context(project_id, errors=exc.errors, **{form_key: form}),
    )


@bp.post("/projects/<int:project_id>/decisions")
def add_decision(project_id: int) -> Response:
    ctx = portal_ctx()
    form = request.form
    try:
        svc.add_decision(
            get_session(),
            actor=current_actor(),
            project_id=project_id,
            company_ids=ctx.group_company_ids,
            title=form.get("title", ""),
            detail=form.get("detail", ""),
            decided_by_id=form.get("decided_by_id") or None,
            decided_on=form.get("decided_on", ""),
        )
    except Invalid as exc:
        return _invalid(project_id, "decisions", exc, "decision_form")
    return _after_write(project_id, ["decisions"], "Decision logged.")


@bp.post("/projects/<int:project_id>/goals")
def add_goal(project_id: int) -> Response:
    ctx = portal_ctx()
    form = request.form
    try:
        svc.add_goal(
            get_session(),
            actor=current_actor(),
            project_id=project_id,
            company_ids=ctx.group_company_ids,
            title=form.get("title", ""),
            target=form.get("target", ""),
            status=form.get("status", "on_track"),
            due_on=form.get("due_on", ""),
        )
    except Invalid as exc:
        return _invalid(project_id, "goals", exc, "goal_form")
    return _after_write(project_id, ["goals", "progress"], "Goal added.")


@bp.post("/projects/<int:project_id>/goals/<int:goal_id>/status")
def goal_status(project_id: int, goal_id: int) -> Response:
    ctx = portal_ctx()
    svc.set_goal_status(
        get_session(),
        actor=current_actor(),
        goal_id=goal_id,
        project_id=project_id,
        company_ids=ctx.group_company_ids,
        status=request.form.get("status", ""),
    )
    return _after_write(project_id, ["goals", "progress"], "Goal updated.")


@bp.post("/projects/<int:project_id>/summary")
def refresh_summary(project_id: int) -> Response:
    """Regenerate the summary from the project's data, or save the one the team wrote."""
    ctx = portal_ctx()
    if "body" not in request.form:
        project_summary.refresh_summary(
            get_session(),
            actor=current_actor(),
            project_id=project_id,
            company_ids=ctx.group_company_ids,
        )
        return _after_write(project_id, ["summary"], "Summary regenerated.")
    try:
        project_summary.write_summary(
            get_session(),
            actor=current_actor(),
            project_id=project_id,
            company_ids=ctx.group_company_ids,
            body=request.form.get("body", ""),
        )
    except Invalid as exc:
        return _invalid(project_id, "summary", exc, "summary_form")
    return _after_write(project_id, ["summary"], "Summary saved.")
