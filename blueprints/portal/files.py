"""Files tab: list, folders, chunked uploads, versions, preview, approval, downloads, links."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, flash, jsonify, redirect, request, send_file, url_for

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.errors import Conflict, DomainError, Forbidden, Invalid
from portal.filetypes import CATEGORIES, IMAGE_PREVIEW, INLINE_TYPES, human_size
from portal.principal import current_actor
from portal.web.htmx import hx_redirect, is_partial, render_fragment, render_page
from services import files as svc
from services.files import publishing as file_publishing
from services.files import requests as file_requests

bp = portal_blueprint("files", __name__)
public_bp = Blueprint("file_requests", __name__)


def _ids() -> tuple[Any, Any]:
    ctx = portal_ctx()
    return ctx, ctx.portal


def _json_errors(view: Callable[..., Response]) -> Callable[..., Response]:
    """The upload protocol speaks JSON, errors included (the error envelope's shape)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except DomainError as exc:
            body: dict[str, Any] = {
                "code": exc.code,
                "message": exc.message,
                "data": {"status": exc.status},
            }
            if exc.errors:
                body["errors"] = exc.errors
            resp = jsonify(body)
            resp.status_code = exc.status
            return resp

    return wrapper


def _list_context() -> dict[str, Any]:
    ctx = portal_ctx()
    actor = current_actor()
    args = request.args
    try:
        page = int(args.get("page", 1))
    except ValueError:
        page = 1
    listing = svc.list_files(
        get_session(),
        actor=actor,
        company_id=ctx.company.id,  # type: ignore[arg-type]
        folder_id=args.get("folder"),
        q=args.get("q", ""),
        sort=args.get("sort", "newest"),
        page=page,
    )
    can_upload = ctx.can_write and (actor.is_staff or ctx.portal.allow_uploads)
    return {
        "ctx": ctx,
        "listing": listing,
        "can_upload": can_upload,
        "approvers": svc.approver_choices(get_session(), company_id=ctx.company.id)  # type: ignore[arg-type]
        if can_upload
        else [],
        "human_size": human_size,
        "active_tab": "files",
        "chunk_size": svc.CHUNK_SIZE,
        "categories": [
            CATEGORIES[c][0] for c in (ctx.portal.allowed_file_types or list(CATEGORIES))
        ],
        "errors": {},
    }


@bp.get("/files")
def index() -> Response:
    return render_page("files/index.html", **_list_context())


@bp.get("/files/list")
def file_list() -> Response:
    """The list block alone (refreshed after uploads finish); a full page when opened directly."""
    if not is_partial():
        return redirect(url_for("files.index", **request.args), code=302)  # type: ignore[return-value]
    return render_fragment("files/index.html", "file_list", **_list_context())


def _back_to_list(folder_id: object = None) -> Response:
    return hx_redirect(url_for("files.index", folder=folder_id or None))


@bp.post("/files/folders")
def create_folder() -> Response:
    _, portal = _ids()
    try:
        folder = svc.create_folder(
            get_session(),
            actor=current_actor(),
            portal=portal,
            name=request.form.get("name", ""),
            parent_id=request.form.get("parent_id"),
        )
    except Invalid as exc:
        context = _list_context()
        context["errors"] = exc.errors
        return render_page("files/index.html", status=422, **context)
    flash(f"Folder “{folder.name}” created.", "success")
    return _back_to_list(folder.parent_id)


@bp.post("/files/links")
def add_link() -> Response:
    _, portal = _ids()
    form = request.form
    try:
        file = svc.add_link(
            get_session(),
            actor=current_actor(),
            portal=portal,
            url=form.get("url", ""),
            name=form.get("name", ""),
            folder_id=form.get("folder_id"),
            approver_id=form.get("approver_id"),
        )
    except Invalid as exc:
        context = _list_context()
        context["errors"] = exc.errors
        return render_page("files/index.html", status=422, **context)
    flash(f"Link “{file.name}” added.", "success")
    return _back_to_list(file.folder_id)


@bp.post("/files/upload")
def upload_form() -> Response:
    """The no-JavaScript path: a plain multipart form, each file streamed to storage."""
    _, portal = _ids()
    uploads = [f for f in request.files.getlist("file") if f.filename]
    if not uploads:
        flash("Choose at least one file.", "error")
        return _back_to_list(request.form.get("folder_id"))
    done = 0
    for item in uploads:
        try:
            svc.upload_stream(
                get_session(),
                actor=current_actor(),
                portal=portal,
                stream=item.stream,
                name=item.filename or "file",
                folder_id=request.form.get("folder_id"),
                approver_id=request.form.get("approver_id"),
                file_id=request.form.get("file_id"),
            )
            done += 1
        except Invalid as exc:
            flash(exc.errors.get("file", [exc.message])[0], "error")
    if done:
        flash(f"{done} file{'s' if done != 1 else ''} uploaded.", "success")
    return _back_to_list(request.form.get("folder_id"))


# Chunked, resumable upload protocol ---------------------------------------------------------


def _upload_json(upload: Any, offset: int, status: int = 200) -> Response:
    resp = jsonify(
        {
            "id": upload.token,
            "name": upload.name,
            "size": upload.total_size,
            "offset": offset,
            "chunk_size": svc.CHUNK_SIZE,
            "url": url_for("files.upload_chunk", upload_id=upload.token),
        }
    )
    resp.status_code = status
    resp.headers["Upload-Offset"] = str(offset)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.post("/files/uploads")
@_json_errors
def start_upload() -> Response:
    _, portal = _ids()
    data = request.get_json(silent=True) or {}
    upload = svc.start_upload(
        get_session(),
        actor=current_actor(),
        portal=portal,
        name=str(data.get("name", "")),
        size=data.get("size"),
        folder_id=data.get("folder_id"),
        approver_id=data.get("approver_id"),
        file_id=data.get("file_id"),
    )
    return _upload_json(upload, 0, status=201)


@bp.get("/files/uploads/<upload_id>")
@_json_errors
def upload_status(upload_id: str) -> Response:
    _, portal = _ids()
    upload = svc.get_upload(get_session(), actor=current_actor(), portal=portal, token=upload_id)
    return _upload_json(upload, svc.upload_offset(upload))


@bp.route("/files/uploads/<upload_id>", methods=["PATCH"])
@_json_errors
def upload_chunk(upload_id: str) -> Response:
    _, portal = _ids()
    offset = svc.append_chunk(
        get_session(),
        actor=current_actor(),
        portal=portal,
        token=upload_id,
        offset=request.headers.get("Upload-Offset"),
        stream=request.stream,  # type: ignore[arg-type]
        length=request.content_length,
    )
    resp = jsonify({"offset": offset})
    resp.headers["Upload-Offset"] = str(offset)
    return resp


@bp.post("/files/uploads/<upload_id>/complete")
@_json_errors
def complete_upload(upload_id: str) -> Response:
    _, portal = _ids()
    file = svc.complete_upload(get_session(), actor=current_actor(), portal=portal, token=upload_id)
    resp = jsonify(
        {
            "file_id": file.id,
            "name": file.name,
            "size": file.size,
            "type": file.content_type,
            "approval_status": file.approval_status,
            "url": url_for("files.detail", file_id=file.id),
        }
    )
    resp.status_code = 201
    return resp


@bp.delete("/files/uploads/<upload_id>")
@_json_errors
def cancel_upload(upload_id: str) -> Response:
    _, portal = _ids()
    svc.cancel_upload(get_session(), actor=current_actor(), portal=portal, token=upload_id)
    return Response(status=204)


# One file -----------------------------------------------------------------------------------


def _detail(file_id: int, status: int = 200, **extra: Any) -> Response:
    ctx = portal_ctx()
    actor = current_actor()
    session = get_session()
    file = svc.get_file(session, actor=actor, file_id=file_id, company_id=ctx.company.id)
    context: dict[str, Any] = {
        "ctx": ctx,
        "file": file,
        "versions": svc.file_versions(session, actor=actor, file=file),
        "can_manage": ctx.can_write and svc.can_manage_file(actor, file),
        "can_approve": ctx.can_write and svc.can_approve_file(actor, file),
        "can_publish": ctx.can_write and actor.is_staff and actor.can("file.publish"),
        "preview": (
            "image"
            if file.content_type in IMAGE_PREVIEW
            else "pdf"
            if file.content_type == "application/pdf"
            else None
        ),
        "human_size": human_size,
        "active_tab": "files",
        "errors": {},
        "publish_results": None,
    }
    context.update(extra)
    return render_page("files/detail.html", status=status, **context)


@bp.get("/files/<int:file_id>")
def detail(file_id: int) -> Response:
    return _detail(file_id)


@bp.get("/files/<int:file_id>/download")
def download(file_id: int) -> Response:
    ctx = portal_ctx()
    inline = request.args.get("inline") == "1"
    dl = svc.open_download(
        get_session(),
        actor=current_actor(),
        file_id=file_id,
        company_id=ctx.company.id,
        version=request.args.get("version"),
        inline=inline,
    )
    if dl.redirect_url:
        return redirect(dl.redirect_url, code=302)  # type: ignore[return-value]
    inline = inline and dl.content_type in INLINE_TYPES
    resp = send_file(
        dl.stream,  # type: ignore[arg-type]
        mimetype=dl.content_type or "application/octet-stream",
        as_attachment=not inline,
        download_name=dl.name,
        conditional=False,
        etag=False,
        max_age=0,
    )
    resp.content_length = dl.size
    resp.headers["Cache-Control"] = "private, no-store"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    if inline:
        # Only our own pages may frame a preview; the preview itself may run nothing.
        resp.headers["Content-Security-Policy"] = (
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
        )
        resp.headers["X-Frame-Options"] = "SAMEORIGIN"
    else:
        resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp


@bp.post("/files/<int:file_id>/approve")
def approve(file_id: int) -> Response:
    ctx = portal_ctx()
    file = svc.approve_file(
        get_session(), actor=current_actor(), file_id=file_id, company_id=ctx.company.id
    )
    flash(f"{file.name} approved.", "success")
    return hx_redirect(url_for("files.detail", file_id=file_id))


@bp.post("/files/<int:file_id>/reject")
def reject(file_id: int) -> Response:
    ctx = portal_ctx()
    try:
        file = svc.reject_file(
            get_session(),
            actor=current_actor(),
            file_id=file_id,
            note=request.form.get("note", ""),
            company_id=ctx.company.id,
        )
    except Invalid as exc:
        return _detail(file_id, status=422, errors=exc.errors)
    flash(f"{file.name} rejected.", "success")
    return hx_redirect(url_for("files.detail", file_id=file_id))


@bp.post("/files/<int:file_id>/delete")
def delete(file_id: int) -> Response:
    ctx = portal_ctx()
    file = svc.delete_file(
        get_session(), actor=current_actor(), file_id=file_id, company_id=ctx.company.id
    )
    flash(f"{file.name} deleted.", "success")
    return hx_redirect(url_for("files.index", folder=file.folder_id or None))


@bp.post("/files/<int:file_id>/publish")
def publish(file_id: int) -> Response:
    ctx = portal_ctx()
    svc.get_file(get_session(), actor=current_actor(), file_id=file_id, company_id=ctx.company.id)
    form = request.form
    try:
        _, publishing, notifying, _ = file_publishing.parse_request(
            [file_id], form.get("portal_publishing"), form.get("contact_notification"), []
        )
    except DomainError as exc:
        return _detail(file_id, status=422, errors=exc.errors)
    results = file_publishing.publish_files(
        get_session(),
        actor=current_actor(),
        files_id=[file_id],
        portal_publishing=publishing,  # type: ignore[arg-type]
        contact_notification=notifying,  # type: ignore[arg-type]
    )
    return _detail(file_id, publish_results=results[0])


# Staff: download log and request links ------------------------------------------------------


def _require_staff() -> None:
    if not current_actor().is_staff:
        raise Forbidden("Only staff can see this.")


@bp.get("/files/downloads")
def downloads() -> Response:
    _require_staff()
    ctx = portal_ctx()
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    rows, total = svc.download_log(
        get_session(),
        actor=current_actor(),
        company_id=ctx.company.id,
        page=page,  # type: ignore[arg-type]
    )
    return render_page(
        "files/downloads.html",
        ctx=ctx,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // 50)),
        active_tab="files",
    )


def _requests_page(status: int = 200, **extra: Any) -> Response:
    _require_staff()
    ctx = portal_ctx()
    links = file_requests.list_request_links(
        get_session(),
        actor=current_actor(),
        company_id=ctx.company.id,  # type: ignore[arg-type]
    )
    context: dict[str, Any] = {"errors": {}, "new_url": None, "form": {}}
    context.update(extra)
    from portal.models.base import utcnow

    return render_page(
        "files/requests.html",
        status=status,
        ctx=ctx,
        links=links,
        now=utcnow(),
        active_tab="files",
        **context,
    )


@bp.get("/files/requests")
def requests_index() -> Response:
    return _requests_page()


@bp.post("/files/requests")
def create_request() -> Response:
    _require_staff()
    ctx = portal_ctx()
    form = request.form
    try:
        _, token = file_requests.create_request_link(
            get_session(),
            actor=current_actor(),
            portal=ctx.portal,
            label=form.get("label", ""),
            expires_in_days=form.get("expires_in_days", 7),
            max_files=form.get("max_files", 10),
        )
    except Invalid as exc:
        return _requests_page(status=422, errors=exc.errors, form=form)
    return _requests_page(
        status=201, new_url=url_for("file_requests.public_upload", token=token, _external=True)
    )


@bp.post("/files/requests/<int:link_id>/revoke")
def revoke_request(link_id: int) -> Response:
    ctx = portal_ctx()
    link = file_requests.revoke_request_link(
        get_session(),
        actor=current_actor(),
        company_id=ctx.company.id,
        link_id=link_id,  # type: ignore[arg-type]
    )
    flash(f"Link “{link.label}” turned off.", "success")
    return hx_redirect(url_for("files.requests_index"))


# Public upload page (no account) ------------------------------------------------------------


@public_bp.route("/u/<token>", methods=["GET", "POST"])
def public_upload(token: str) -> Response:
    session = get_session()
    try:
        opened = file_requests.open_request_link(session, token=token)
    except file_requests.LinkGone as exc:
        return render_page(
            "files/public_upload.html",
            status=410,
            opened=None,
            gone=exc.message,
            done=0,
            errors=[],
        )
    if request.method == "GET":
        return render_page("files/public_upload.html", opened=opened, gone=None, done=0, errors=[])
    uploads = [f for f in request.files.getlist("file") if f.filename]
    errors: list[str] = []
    done = 0
    if not uploads:
        errors.append("Choose at least one file.")
    for item in uploads[: opened.remaining]:
        try:
            file_requests.upload_via_link(
                session, token=token, stream=item.stream, name=item.filename or "file"
            )
            done += 1
        except (Invalid, Conflict, file_requests.LinkGone) as exc:
            errors.append(exc.errors.get("file", [exc.message])[0] if exc.errors else exc.message)
    if len(uploads) > opened.remaining:
        errors.append(f"Only {opened.remaining} more file(s) could be accepted on this link.")
    opened = _reopen(session, token) or opened
    return render_page(
        "files/public_upload.html",
        status=201 if done and not errors else (422 if errors and not done else 200),
        opened=opened,
        gone=None,
        done=done,
        errors=errors,
    )


def _reopen(session: Any, token: str) -> Any:
    try:
        return file_requests.open_request_link(session, token=token)
    except file_requests.LinkGone:
        return None
