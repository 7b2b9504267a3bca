"""Notes tab: threads per resource, a discussion view per project, inline reply/edit/delete."""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.errors import Invalid
from portal.models.note import NoteCreate, NoteUpdate
from portal.validation import form_data, validated
from portal.web.args import arg_int, page_arg
from portal.web.htmx import is_partial, render_fragment, render_page
from portal.web.pagecache import cacheable
from services import notes as notes_service
from services.notes import NotesView, Thread

bp = portal_blueprint("notes", __name__)
TEMPLATE = "notes/index.html"


def _render_page(view: NotesView, status: int = 200, **extra: Any) -> Response:
    context: dict[str, Any] = {"errors": {}, "draft": "", "reply_errors": {}}
    context.update(extra)
    return render_page(
        TEMPLATE,
        status=status,
        ctx=portal_ctx(),
        view=view,
        editing=view.editing,
        active_tab="notes",
        **context,
    )


def _page(status: int = 200, **extra: Any) -> Response:
    view = notes_service.notes_view(
        get_session(),
        actor=portal_ctx().actor,
        project_id=arg_int(request.args, "project", minimum=1),
        page=page_arg(request.args),
    )
    return _render_page(view, status=status, **extra)


def _render_thread(thread: Thread, status: int = 200, **extra: Any) -> Response:
    context: dict[str, Any] = {"editing": None, "reply_errors": {}, "edit_errors": {}}
    context.update(extra)
    return render_fragment(
        TEMPLATE, "thread_fragment", status=status, ctx=portal_ctx(), t=thread, **context
    )


def _thread(note_id: int, status: int = 200, **extra: Any) -> Response:
    thread = notes_service.thread_for(get_session(), actor=portal_ctx().actor, note_id=note_id)
    return _render_thread(thread, status=status, **extra)


def _back_to_thread(note_id: int | None) -> Response:
    resp = Response("", 303)
    project = arg_int(request.form, "project") or arg_int(request.args, "project")
    resp.headers["Location"] = url_for("notes.index", project=project) + f"#note-{note_id}"
    return resp


@bp.get("/notes")
@cacheable
def index() -> Response:
    return _page()


@bp.post("/notes")
def create() -> Response:
    try:
        data = validated(NoteCreate, form_data(request.form) | {"parent_id": None})
        note = notes_service.create_note(get_session(), actor=portal_ctx().actor, data=data)
    except Invalid as exc:
        return _page(status=422, errors=exc.errors, draft=request.form.get("body", ""))
    if is_partial():
        return _page()
    return _back_to_thread(note.id)


@bp.post("/notes/<int:note_id>/replies")
def reply(note_id: int) -> Response:
    form = form_data(request.form)
    try:
        data = validated(NoteCreate, form | {"parent_id": note_id, "resource_id": None})
        note = notes_service.create_note(get_session(), actor=portal_ctx().actor, data=data)
    except Invalid as exc:
        return _thread(note_id, status=422, reply_errors=exc.errors)
    if is_partial():
        return _thread(note.id or note_id)
    return _back_to_thread(note.id)


@bp.get("/notes/<int:note_id>/edit")
def edit(note_id: int) -> Response:
    """The inline editor of your own note (``?cancel=1``: the thread as it was)."""
    ctx = portal_ctx()
    editing = not request.args.get("cancel")
    if is_partial():
        thread = notes_service.thread_for(
            get_session(), actor=ctx.actor, note_id=note_id, editing=editing
        )
        return _render_thread(thread, editing=note_id if editing else None)
    view = notes_service.note_page(get_session(), actor=ctx.actor, note_id=note_id, editing=editing)
    return _render_page(view)


@bp.post("/notes/<int:note_id>")
def update(note_id: int) -> Response:
    try:
        data = validated(NoteUpdate, form_data(request.form))
        notes_service.update_note(
            get_session(), actor=portal_ctx().actor, note_id=note_id, data=data
        )
    except Invalid as exc:
        return _thread(note_id, status=422, editing=note_id, edit_errors=exc.errors)
    if is_partial():
        return _thread(note_id)
    return _back_to_thread(note_id)


@bp.post("/notes/<int:note_id>/delete")
def delete(note_id: int) -> Response:
    note = notes_service.delete_note(get_session(), actor=portal_ctx().actor, note_id=note_id)
    target = note.parent_id or note_id
    if is_partial():
        return _thread(target)
    return _back_to_thread(target)
