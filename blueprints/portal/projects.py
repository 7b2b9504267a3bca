"""Projects tab: the list, the project page and its HTMX forms (decisions, goals, summary)."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, make_response, request, url_for
from jinja2_fragments.flask import render_blocks

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.errors import Invalid
from portal.models.planning import DecisionCreate, GoalCreate, GoalStatusUpdate, SummaryCreate
from portal.validation import form_data, validated
from portal.web.args import arg_int, page_arg
from portal.web.htmx import hx_redirect, is_partial, render_page
from services import projects as svc
from services.projects import summary as project_summary

bp = portal_blueprint("projects", __name__)


@bp.get("/projects")
def index() -> Response:
    ctx = portal_ctx()
    listing = svc.list_projects(
        get_session(),
        actor=ctx.actor,
        status=request.args.get("status", ""),
        query=request.args.get("q", ""),
        page=page_arg(request.args),
    )
    return render_page(
        "projects/index.html",
        ctx=ctx,
        listing=listing,
        statuses=svc.PROJECT_STATUSES,
        active_tab="projects",
    )


def _detail_context(project_id: int, *, for_editor: bool = False, **extra: Any) -> dict[str, Any]:
    ctx = portal_ctx()
    view = svc.project_detail(
        get_session(),
        actor=ctx.actor,
        project_id=project_id,
        read_only=ctx.read_only,
        for_editor=for_editor,
    )
    context: dict[str, Any] = {
        "ctx": ctx,
        "view": view,
        "can_edit": view.can_edit,
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


def _blocks(context: dict[str, Any], blocks: list[str], status: int = 200) -> Response:
    if context.get("toast"):
        blocks = [*blocks, "toast"]
    return make_response(render_blocks("projects/detail.html", blocks, **context), status)


def _after_write(project_id: int, blocks: list[str], message: str) -> Response:
    if is_partial():
        return _blocks(_detail_context(project_id, oob=True, toast=message), blocks)
    flash(message, "success")
    return hx_redirect(url_for("projects.detail", project_id=project_id))


def _invalid(project_id: int, block: str, exc: Invalid, form_key: str) -> Response:
    """The form again with its messages (422); only editors get this far (403 otherwise)."""
    context = _detail_context(
        project_id, for_editor=True, errors=exc.errors, **{form_key: request.form.to_dict()}
    )
    if is_partial():
        return _blocks(context, [block], status=422)
    return render_page("projects/detail.html", status=422, **context)


def _decision_input(project_id: int, form: dict[str, Any]) -> DecisionCreate:
    """The form as a decision; if it fails its own checks, the decider is checked too, so
    one 422 names every problem."""
    try:
        return validated(DecisionCreate, form)
    except Invalid as exc:
        more = svc.decision_errors(
            get_session(),
            actor=portal_ctx().actor,
            project_id=project_id,
            decided_by_id=arg_int(form, "decided_by_id", minimum=1),
        )
        raise Invalid(exc.message, errors={**more, **exc.errors}) from None


@bp.post("/projects/<int:project_id>/decisions")
def add_decision(project_id: int) -> Response:
    ctx = portal_ctx()
    try:
        data = _decision_input(project_id, form_data(request.form))
        svc.add_decision(get_session(), actor=ctx.actor, project_id=project_id, data=data)
    except Invalid as exc:
        return _invalid(project_id, "decisions", exc, "decision_form")
    return _after_write(project_id, ["decisions"], "Decision logged.")


@bp.post("/projects/<int:project_id>/goals")
def add_goal(project_id: int) -> Response:
    ctx = portal_ctx()
    try:
        data = validated(GoalCreate, form_data(request.form))
        svc.add_goal(get_session(), actor=ctx.actor, project_id=project_id, data=data)
    except Invalid as exc:
        return _invalid(project_id, "goals", exc, "goal_form")
    return _after_write(project_id, ["goals"], "Goal added.")


@bp.post("/projects/<int:project_id>/goals/<int:goal_id>/status")
def goal_status(project_id: int, goal_id: int) -> Response:
    ctx = portal_ctx()
    data = validated(GoalStatusUpdate, form_data(request.form))
    svc.set_goal_status(
        get_session(),
        actor=ctx.actor,
        project_id=project_id,
        goal_id=goal_id,
        status=data.status,
    )
    return _after_write(project_id, ["goals"], "Goal updated.")


@bp.post("/projects/<int:project_id>/summary")
def refresh_summary(project_id: int) -> Response:
    """Regenerate the summary from the project's data, or save the one the team wrote."""
    ctx = portal_ctx()
    if "body" not in request.form:
        project_summary.refresh_summary(get_session(), actor=ctx.actor, project_id=project_id)
        return _after_write(project_id, ["summary"], "Summary regenerated.")
    try:
        data = validated(SummaryCreate, form_data(request.form))
        project_summary.write_summary(
            get_session(), actor=ctx.actor, project_id=project_id, data=data
        )
    except Invalid as exc:
        return _invalid(project_id, "summary", exc, "summary_form")
    return _after_write(project_id, ["summary"], "Summary saved.")
