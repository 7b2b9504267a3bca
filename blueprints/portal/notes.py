"""Notes tab: threads per resource, a discussion view per project, inline reply/edit/delete."""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.errors import Forbidden, Invalid
from portal.principal import current_actor
from portal.web.htmx import is_partial, render_fragment, render_page
from services import notes as notes_service

bp = portal_blueprint("notes", __name__)
TEMPLATE = "notes/index.html"


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() else None


def _page(status: int = 200, **extra: Any) -> Response:
    ctx = portal_ctx()
    view = notes_service.notes_view(
        get_session(),
        actor=current_actor(),
        company_ids=ctx.group_company_ids,
        project_id=extra.pop("project_id", _int_arg("project")),
        page=_int_arg("page") or 1,
    )
    context: dict[str, Any] = {"errors": {}, "draft": "", "editing": None, "reply_errors": {}}
    context.update(extra)
    return render_page(TEMPLATE, status=status, ctx=ctx, view=view, active_tab="notes", **context)


def _thread(note_id: Any, status: int = 200, **extra: Any) -> Response:
    ctx = portal_ctx()
    thread = notes_service.thread_for(
        get_session(), actor=current_actor(), company_ids=ctx.group_company_ids, note_id=note_id
    )
    context: dict[str, Any] = {"editing": None, "reply_errors": {}, "edit_errors": {}}
    context.update(extra)
    return render_fragment(TEMPLATE, "thread_fragment", status=status, ctx=ctx, t=thread, **context)


def _back_to_thread(note_id: int) -> Response:
    resp = Response("", 303)
    project = request.form.get("project") or request.args.get("project")
    resp.headers["Location"] = url_for("notes.index", project=project or None) + f"#note-{note_id}"
    return resp


@bp.get("/notes")
def index() -> Response:
    return _page()


@bp.post("/notes")
def create() -> Response:
    ctx = portal_ctx()
    form = request.form
    try:
        note = notes_service.create_note(
            get_session(),
            actor=current_actor(),
            company_ids=ctx.group_company_ids,
            body=form.get("body", ""),
            resource_type=form.get("resource_type", "project"),
            resource_id=form.get("resource_id"),
            is_internal=form.get("is_internal") == "1",
        )
    except Invalid as exc:
        return _page(status=422, errors=exc.errors, draft=form.get("body", ""))
    if is_partial():
        return _page(project_id=_int_arg("project"))
    return _back_to_thread(note.id)  # type: ignore[arg-type]


@bp.post("/notes/<int:note_id>/replies")
def reply(note_id: int) -> Response:
    ctx = portal_ctx()
    try:
        note = notes_service.create_note(
            get_session(),
            actor=current_actor(),
            company_ids=ctx.group_company_ids,
            body=request.form.get("body", ""),
            parent_id=note_id,
            is_internal=request.form.get("is_internal") == "1",
        )
    except Invalid as exc:
        return _thread(note_id, status=422, reply_errors=exc.errors)
    if is_partial():
        return _thread(note.id)
    return _back_to_thread(note.id)  # type: ignore[arg-type]


@bp.get("/notes/<int:note_id>/edit")
def edit(note_id: int) -> Response:
    """The inline editor of your own note (``?cancel=1``: the thread as it was)."""
    ctx = portal_ctx()
    session, actor, ids = get_session(), current_actor(), ctx.group_company_ids
    if request.args.get("cancel"):
        note = notes_service.get_note(session, actor=actor, company_ids=ids, note_id=note_id)
        editing = None
    else:
        if not ctx.can_write:
            raise Forbidden("You can look, but not change things here.")
        note = notes_service.own_note(session, actor, ids, note_id)
        editing = note_id
    if is_partial():
        return _thread(note_id, editing=editing)
    project = note.resource_id if note.resource_type == "project" else None
    return _page(project_id=project, editing=editing)


@bp.post("/notes/<int:note_id>")
def update(note_id: int) -> Response:
    try:
        notes_service.update_note(
            get_session(),
            actor=current_actor(),
            company_ids=portal_ctx().group_company_ids,
            note_id=note_id,
            body=request.form.get("body", ""),
        )
    except Invalid as exc:
        return _thread(note_id, status=422, editing=note_id, edit_errors=exc.errors)
    if is_partial():
        return _thread(note_id)
    return _back_to_thread(note_id)


@bp.post("/notes/<int:note_id>/delete")
def delete(note_id: int) -> Response:
    note = notes_service.delete_note(
        get_session(),
        actor=current_actor(),
        company_ids=portal_ctx().group_company_ids,
        note_id=note_id,
    )
    if is_partial():
        return _thread(note.parent_id or note_id)
    return _back_to_thread(note.parent_id or note_id)
