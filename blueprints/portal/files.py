"""Files tab: list, folders, chunked uploads, versions, preview, approval, downloads, links."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, BinaryIO, cast

from flask import Blueprint, Response, flash, jsonify, redirect, request, url_for

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.errors import DomainError, Invalid
from portal.filetypes import file_type_icon
from portal.models.file import (
    FileLinkCreate,
    FileRejection,
    FileTargets,
    FolderCreate,
    RequestLinkCreate,
    UploadStart,
)
from portal.storage import Upload
from portal.tenancy import Actor
from portal.validation import form_data, validated
from portal.web.args import arg_int, page_arg, parse_int
from portal.web.downloads import send_blob
from portal.web.htmx import hx_redirect, is_partial, render_fragment, render_page
from portal.web.limits import large_body
from portal.web.pagecache import cacheable
from services import files as svc
from services.files import publishing as file_publishing
from services.files import requests as file_requests
from services.files import thumbnails as file_thumbnails
from services.portals import PortalContext

bp = portal_blueprint("files", __name__)
public_bp = Blueprint("file_requests", __name__)


def _here() -> tuple[PortalContext, Actor]:
    ctx = portal_ctx()
    return ctx, ctx.company_actor


def _uploads() -> list[Upload]:
    return [
        Upload(stream=cast(BinaryIO, f.stream), filename=f.filename)
        for f in request.files.getlist("file")
        if f.filename
    ]


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


def _list_context(errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    ctx, actor = _here()
    args = request.args
    view = svc.files_page(
        get_session(),
        actor=actor,
        portal=ctx.portal,
        can_write=ctx.can_write,
        folder_id=arg_int(args, "folder", minimum=1),
        q=args.get("q", ""),
        sort=args.get("sort", "newest"),
        page=page_arg(args),
    )
    return {
        "ctx": ctx,
        "listing": view.listing,
        "can_upload": view.can_upload,
        "approvers": view.approvers,
        "categories": view.categories,
        "chunk_size": view.chunk_size,
        "file_type_icon": file_type_icon,
        "active_tab": "files",
        "errors": errors or {},
    }


@bp.get("/files")
@cacheable
def index() -> Response:
    return render_page("files/index.html", **_list_context())


@bp.get("/files/list")
def file_list() -> Response:
    """The list block alone (refreshed after uploads finish); a full page when opened directly."""
    if not is_partial():
        return redirect(url_for("files.index", **request.args), code=302)  # type: ignore[return-value]
    return render_fragment("files/index.html", "file_list", **_list_context())


def _back_to_list(folder_id: int | None = None) -> Response:
    return hx_redirect(url_for("files.index", folder=folder_id or None))


@bp.post("/files/folders")
def create_folder() -> Response:
    ctx, actor = _here()
    try:
        data = validated(FolderCreate, form_data(request.form))
        folder = svc.create_folder(get_session(), actor=actor, portal=ctx.portal, data=data)
    except Invalid as exc:
        return render_page("files/index.html", status=422, **_list_context(exc.errors))
    flash(f"Folder “{folder.name}” created.", "success")
    return _back_to_list(folder.parent_id)


@bp.post("/files/links")
def add_link() -> Response:
    ctx, actor = _here()
    try:
        data = validated(FileLinkCreate, form_data(request.form))
        file = svc.add_link(get_session(), actor=actor, portal=ctx.portal, data=data)
    except Invalid as exc:
        return render_page("files/index.html", status=422, **_list_context(exc.errors))
    flash(f"Link “{file.name}” added.", "success")
    return _back_to_list(file.folder_id)


@bp.post("/files/upload")
@large_body
def upload_form() -> Response:
    """The no-JavaScript path: a plain multipart form, each file streamed to storage."""
    ctx, actor = _here()
    targets = validated(FileTargets, form_data(request.form))
    uploads = _uploads()
    if not uploads:
        flash("Choose at least one file.", "error")
        return _back_to_list(targets.folder_id)
    batch = svc.upload_files(
        get_session(), actor=actor, portal=ctx.portal, uploads=uploads, targets=targets
    )
    for message in batch.refused:
        flash(message, "error")
    if batch.done:
        flash(f"{batch.done} file{'s' if batch.done != 1 else ''} uploaded.", "success")
    return _back_to_list(targets.folder_id)


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
    ctx, actor = _here()
    data = validated(UploadStart, request.get_json(silent=True) or {})
    upload = svc.start_upload(get_session(), actor=actor, portal=ctx.portal, data=data)
    return _upload_json(upload, 0, status=201)


@bp.get("/files/uploads/<upload_id>")
@_json_errors
def upload_status(upload_id: str) -> Response:
    ctx, actor = _here()
    status = svc.upload_status(get_session(), actor=actor, portal=ctx.portal, token=upload_id)
    return _upload_json(status.upload, status.offset)


@bp.route("/files/uploads/<upload_id>", methods=["PATCH"])
@large_body
@_json_errors
def upload_chunk(upload_id: str) -> Response:
    ctx, actor = _here()
    offset = svc.append_chunk(
        get_session(),
        actor=actor,
        portal=ctx.portal,
        token=upload_id,
        offset=parse_int(request.headers.get("Upload-Offset"), maximum=2**63 - 1),
        stream=request.stream,  # type: ignore[arg-type]
        length=request.content_length,
    )
    resp = jsonify({"offset": offset})
    resp.headers["Upload-Offset"] = str(offset)
    return resp


@bp.post("/files/uploads/<upload_id>/complete")
@_json_errors
def complete_upload(upload_id: str) -> Response:
    ctx, actor = _here()
    file = svc.complete_upload(get_session(), actor=actor, portal=ctx.portal, token=upload_id)
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
    ctx, actor = _here()
    svc.cancel_upload(get_session(), actor=actor, portal=ctx.portal, token=upload_id)
    return Response(status=204)


# One file -----------------------------------------------------------------------------------


def _detail(file_id: int, status: int = 200, **extra: Any) -> Response:
    ctx, actor = _here()
    view = svc.file_page(get_session(), actor=actor, file_id=file_id, can_write=ctx.can_write)
    context: dict[str, Any] = {
        "ctx": ctx,
        "file": view.file,
        "versions": view.versions,
        "can_manage": view.can_manage,
        "can_approve": view.can_approve,
        "can_publish": view.can_publish,
        "preview": view.preview,
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
    _, actor = _here()
    inline = request.args.get("inline") == "1"
    blob = svc.open_download(
        get_session(),
        actor=actor,
        file_id=file_id,
        version=arg_int(request.args, "version"),
        inline=inline,
    )
    return send_blob(blob, inline=inline)


@bp.get("/files/<int:file_id>/thumbnail")
def thumbnail(file_id: int) -> Response:
    """The file's small picture for the list: the same visibility as the file (else 404)."""
    _, actor = _here()
    resp = send_blob(
        file_thumbnails.open_thumbnail(get_session(), actor=actor, file_id=file_id), inline=True
    )
    # the list asks for ?v=<version>: a new version is a new address, so the browser may keep it
    resp.headers["Cache-Control"] = "private, max-age=86400"
    return resp


@bp.post("/files/<int:file_id>/approve")
def approve(file_id: int) -> Response:
    _, actor = _here()
    file = svc.approve_file(get_session(), actor=actor, file_id=file_id)
    flash(f"{file.name} approved.", "success")
    return hx_redirect(url_for("files.detail", file_id=file_id))


@bp.post("/files/<int:file_id>/reject")
def reject(file_id: int) -> Response:
    _, actor = _here()
    try:
        data = validated(FileRejection, form_data(request.form))
    except Invalid as exc:
        return _detail(file_id, status=422, errors=exc.errors)
    file = svc.reject_file(get_session(), actor=actor, file_id=file_id, data=data)
    flash(f"{file.name} rejected.", "success")
    return hx_redirect(url_for("files.detail", file_id=file_id))


@bp.post("/files/<int:file_id>/delete")
def delete(file_id: int) -> Response:
    _, actor = _here()
    file = svc.delete_file(get_session(), actor=actor, file_id=file_id)
    flash(f"{file.name} deleted.", "success")
    return hx_redirect(url_for("files.index", folder=file.folder_id or None))


@bp.post("/files/<int:file_id>/publish")
def publish(file_id: int) -> Response:
    _, actor = _here()
    form = request.form
    try:
        publishing = file_publishing.PublishRequest.parse(
            {
                "files_id": [file_id],
                "portal_publishing": form.get("portal_publishing"),
                "contact_notification": form.get("contact_notification"),
            }
        )
    except DomainError as exc:
        return _detail(file_id, status=422, errors=exc.errors)
    result = file_publishing.publish_file(
        get_session(), actor=actor, file_id=file_id, request=publishing
    )
    return _detail(file_id, publish_results=result)


# Staff: download log and request links ------------------------------------------------------


@bp.get("/files/downloads")
def downloads() -> Response:
    ctx, actor = _here()
    rows = svc.download_log(
        get_session(), actor=actor, company_id=ctx.portal.company_id, page=page_arg(request.args)
    )
    return render_page("files/downloads.html", ctx=ctx, rows=rows, active_tab="files")


def _requests_page(status: int = 200, **extra: Any) -> Response:
    ctx, actor = _here()
    view = file_requests.request_links_page(
        get_session(), actor=actor, company_id=ctx.portal.company_id
    )
    context: dict[str, Any] = {"errors": {}, "new_url": None, "form": {}}
    context.update(extra)
    return render_page(
        "files/requests.html",
        status=status,
        ctx=ctx,
        links=view.links,
        now=view.now,
        active_tab="files",
        **context,
    )


@bp.get("/files/requests")
def requests_index() -> Response:
    return _requests_page()


@bp.post("/files/requests")
def create_request() -> Response:
    ctx, actor = _here()
    form = request.form
    try:
        data = validated(RequestLinkCreate, form_data(form))
        _, token = file_requests.create_request_link(
            get_session(), actor=actor, portal=ctx.portal, data=data
        )
    except Invalid as exc:
        return _requests_page(status=422, errors=exc.errors, form=form)
    return _requests_page(
        status=201, new_url=url_for("file_requests.public_upload", token=token, _external=True)
    )


@bp.post("/files/requests/<int:link_id>/revoke")
def revoke_request(link_id: int) -> Response:
    _, actor = _here()
    link = file_requests.revoke_request_link(get_session(), actor=actor, link_id=link_id)
    flash(f"Link “{link.label}” turned off.", "success")
    return hx_redirect(url_for("files.requests_index"))


# Public upload page (no account) ------------------------------------------------------------


def _public_page(status: int = 200, **context: Any) -> Response:
    page: dict[str, Any] = {"opened": None, "gone": None, "done": 0, "errors": []}
    page.update(context)
    return render_page("files/public_upload.html", status=status, **page)


@public_bp.route("/u/<token>", methods=["GET", "POST"])
@large_body
def public_upload(token: str) -> Response:
    session = get_session()
    try:
        if request.method == "GET":
            return _public_page(opened=file_requests.open_request_link(session, token=token))
        drop = file_requests.drop_files(session, token=token, uploads=_uploads())
    except file_requests.LinkGone as exc:
        return _public_page(status=410, gone=exc.message)
    if drop.done and not drop.errors:
        status = 201
    else:
        status = 422 if drop.errors and not drop.done else 200
    return _public_page(status=status, opened=drop.opened, done=drop.done, errors=drop.errors)
