"""Tasks tab: kanban / list / calendar, the task drawer, moves, comments and client requests."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, flash, request, url_for

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.errors import Invalid
from portal.models.task import (
    BOARD_CARDS,
    TASK_PRIORITIES,
    TASK_STATUSES,
    TASK_TYPES,
    RequestCreate,
    TaskCommentCreate,
    TaskCreate,
    TaskFilters,
    TaskUpdate,
)
from portal.validation import form_data, validated
from portal.web.args import id_list, parse_int
from portal.web.htmx import hx_redirect, is_partial, render_page
from portal.web.limits import large_body
from portal.web.pagecache import cacheable
from services import tasks as task_service
from services.tasks import attachments as task_attachments
from services.tasks import requests as requests_service
from services.tasks.views import DUE_FILTERS, task_detail, tasks_view

bp = portal_blueprint("tasks", __name__)

TEMPLATE = "tasks/index.html"


def _choices() -> dict[str, Any]:
    return {
        "statuses": TASK_STATUSES,
        "status_labels": task_service.STATUS_LABELS,
        "priorities": TASK_PRIORITIES,
        "task_types": TASK_TYPES,
        "due_filters": DUE_FILTERS,
        "board_step": BOARD_CARDS,
    }


def _page(
    *, task_id: int | None = None, status: int = 200, errors: dict | None = None, **extra: Any
) -> Response:
    """The tasks page, or one task: its drawer for HTMX, a page of its own otherwise."""
    ctx = portal_ctx()
    detail = None
    view = None
    if task_id is not None:
        detail = task_detail(get_session(), actor=ctx.actor, task_id=task_id)
    else:
        filters = validated(TaskFilters, request.args.to_dict())
        view = tasks_view(get_session(), actor=ctx.actor, filters=filters)
    return render_page(
        TEMPLATE,
        block="drawer" if detail is not None and is_partial() else "main",
        status=status,
        ctx=ctx,
        view=view,
        detail=detail,
        errors=errors or {},
        form=request.form,
        active_tab="tasks",
        page_title=detail.task.title if detail else "Tasks",
        **_choices(),
        **extra,
    )


@bp.get("/tasks")
@cacheable
def index() -> Response:
    return _page()


@bp.get("/tasks/<int:task_id>")
@cacheable
def task(task_id: int) -> Response:
    return _page(task_id=task_id)


@bp.post("/tasks/<int:task_id>/move")
def move(task_id: int) -> Response:
    """Kanban drops and the status select post here: status, from_status, order (ids)."""
    form = request.form
    task = task_service.move_task(
        get_session(),
        actor=portal_ctx().actor,
        task_id=task_id,
        status=form.get("status", ""),
        order=id_list(form.get("order", "")),
        from_status=form.get("from_status") or None,
    )
    if is_partial():
        # the drawer re-renders; the board behind it moves the card (kanban.js)
        resp = _page(task_id=task_id)
        resp.headers["HX-Trigger"] = json.dumps(
            {"stoa:task-moved": {"id": task.id, "status": task.status}}
        )
        return resp
    return hx_redirect(url_for("tasks.task", task_id=task_id))


@bp.post("/tasks/<int:task_id>/comments")
def comment(task_id: int) -> Response:
    try:
        task_service.add_comment(
            get_session(),
            actor=portal_ctx().actor,
            task_id=task_id,
            data=validated(TaskCommentCreate, form_data(request.form)),
        )
    except Invalid as exc:
        return _page(task_id=task_id, status=422, errors=exc.errors)
    if is_partial():
        return _page(task_id=task_id, comment_saved=True)
    return hx_redirect(url_for("tasks.task", task_id=task_id))


def _after_attachment_change(task_id: int) -> Response:
    if is_partial():
        return _page(task_id=task_id)
    return hx_redirect(url_for("tasks.task", task_id=task_id))


@bp.post("/tasks/<int:task_id>/attachments")
@large_body
def upload_attachment(task_id: int) -> Response:
    """Upload one file into the portal's files (the files service) and attach it."""
    item = request.files.get("file")
    try:
        if item is None or not item.filename:
            raise Invalid(errors={"file": ["Choose a file to upload."]})
        task_attachments.upload_and_attach(
            get_session(),
            actor=portal_ctx().actor,
            task_id=task_id,
            stream=item.stream,
            name=item.filename,
        )
    except Invalid as exc:
        errors = {"file": exc.errors.get("file") or [exc.message]}
        return _page(task_id=task_id, status=422, errors=errors)
    return _after_attachment_change(task_id)


@bp.post("/tasks/<int:task_id>/attachments/existing")
def attach_file(task_id: int) -> Response:
    raw = (request.form.get("file_id") or "").strip()
    try:
        task_attachments.attach_existing(
            get_session(),
            actor=portal_ctx().actor,
            task_id=task_id,
            # nothing chosen is None; an id that cannot exist names no file (404)
            file_id=parse_int(raw, default=0) if raw else None,
        )
    except Invalid as exc:
        return _page(task_id=task_id, status=422, errors=exc.errors)
    return _after_attachment_change(task_id)


@bp.post("/tasks/<int:task_id>/attachments/<int:attachment_id>/delete")
def detach_file(task_id: int, attachment_id: int) -> Response:
    task_attachments.detach(
        get_session(), actor=portal_ctx().actor, task_id=task_id, attachment_id=attachment_id
    )
    return _after_attachment_change(task_id)


@bp.post("/tasks/<int:task_id>/edit")
def edit(task_id: int) -> Response:
    ctx = portal_ctx()
    data = form_data(request.form, lists=("assignee_ids",))
    try:
        task = task_service.update_task(
            get_session(),
            actor=ctx.actor,
            task_id=task_id,
            data=validated(TaskUpdate, data),
        )
    except Invalid as exc:
        return _page(task_id=task_id, status=422, errors=exc.errors)
    flash(f"Saved “{task.title}”.", "success")
    return hx_redirect(url_for("tasks.index", project=task.project_id))


@bp.post("/tasks/<int:task_id>/delete")
def delete(task_id: int) -> Response:
    project_id = task_service.delete_task(get_session(), actor=portal_ctx().actor, task_id=task_id)
    flash("Task deleted.", "success")
    return hx_redirect(url_for("tasks.index", project=project_id))


@bp.post("/tasks/new")
def create() -> Response:
    ctx = portal_ctx()
    try:
        task = task_service.create_task(
            get_session(),
            actor=ctx.actor,
            data=validated(TaskCreate, form_data(request.form)),
            company_id=ctx.company.id,
        )
    except Invalid as exc:
        return _page(status=422, errors=exc.errors, new_task_open=True)
    flash(f"Added “{task.title}”.", "success")
    return hx_redirect(url_for("tasks.index", project=task.project_id))


def _requests_page(*, status: int = 200, errors: dict | None = None) -> Response:
    ctx = portal_ctx()
    requests_view = requests_service.requests_page(get_session(), actor=ctx.actor)
    return render_page(
        "tasks/requests.html",
        status=status,
        ctx=ctx,
        requests_view=requests_view,
        errors=errors or {},
        form=request.form,
        active_tab="tasks",
        status_labels=task_service.STATUS_LABELS,
    )


@bp.get("/tasks/requests")
def requests() -> Response:
    return _requests_page()


@bp.post("/tasks/requests")
def submit_request() -> Response:
    ctx = portal_ctx()
    try:
        task = requests_service.create_request(
            get_session(),
            actor=ctx.actor,
            company_id=ctx.company.id,
            data=validated(RequestCreate, form_data(request.form)),
        )
    except Invalid as exc:
        return _requests_page(status=422, errors=exc.errors)
    flash(
        f"Request “{task.title}” sent. We'll get back to you by {task.due_date:%d %b}.", "success"
    )
    return hx_redirect(url_for("tasks.requests"))
