"""/api/v1 files (reference 003's file object plus id) and publish to portal (reference 001)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, BinaryIO, cast

from flask import Response, request
from pydantic import BaseModel, Field

from blueprints.api import api_blueprint, path_object
from blueprints.api.auth import require_scope, require_staff
from blueprints.api.schemas import MAX_ID, ApiModel, PageQuery, page_of
from portal.db import get_session
from portal.errors import BadRequest, Invalid
from portal.models import PortalFile
from portal.models.file import FileLinkCreate, FileRejection, FileTargets
from portal.validation import form_data, validated
from portal.web.downloads import send_blob
from portal.web.limits import large_body
from portal.web.urls import base_url
from services import files as svc
from services.files import publishing as file_publishing
from services.portals import admin as portal_admin

bp = api_blueprint(
    "api_files",
    __name__,
    url_prefix="/api/v1",
    tag="Files",
    description="Portal files, approval and publishing (references 003 and 001).",
)


class FileOut(BaseModel):
    """Reference 003's file record, plus ``id``, ``folder_id``, ``version`` and ``linked_url``."""

    id: int
    name: str = Field(description="Internal (storage) name, URL-safe")
    original: str = Field(description="Display name")
    size: int
    type: str = Field(description="Content type sniffed from the bytes; empty for links")
    url: str = Field(description="Authenticated download URL")
    linked_url: str | None
    folder_id: int | None
    version: int
    uploaded_by: int | None
    uploaded_at: datetime
    approval_status: str
    approver_id: int | None
    rejection_note: str | None
    approved_at: datetime | None


class FilePage(BaseModel):
    items: list[FileOut]
    limit: int
    offset: int
    total: int


class PortalFilesPath(ApiModel):
    portal_id: int = Field(ge=1, le=MAX_ID)


class FilePath(ApiModel):
    file_id: int = Field(ge=1, le=MAX_ID)


class PublishError(BaseModel):
    code: str
    title: str
    detail: str


class PublishAttributes(BaseModel):
    file_id: Any
    publish_status: str
    notify_status: str
    error: list[PublishError] | None = None


class PublishItem(BaseModel):
    id: str
    type: str
    attributes: PublishAttributes
    links: dict[str, str]


class PublishOut(BaseModel):
    data: list[PublishItem]
    included: list[Any]
    links: dict[str, str | None]


@path_object("file_id")
def _load_file(session, actor, file_id: int):  # noqa: ANN001, ANN202
    return svc.get_file(session, actor=actor, file_id=file_id)


def file_out(file: PortalFile) -> dict[str, Any]:
    return FileOut(
        id=file.id,  # type: ignore[arg-type]
        name=(file.stored_key or "").rsplit("/", 1)[-1],
        original=file.name,
        size=file.size,
        type=file.content_type,
        url=f"{base_url()}/api/v1/files/{file.id}/download",
        linked_url=file.linked_url,
        folder_id=file.folder_id,
        version=file.version,
        uploaded_by=file.uploaded_by_id,
        uploaded_at=file.created_at,
        approval_status=file.approval_status,
        approver_id=file.approver_id,
        rejection_note=file.rejection_note,
        approved_at=file.approved_at,
    ).model_dump(mode="json")


@bp.get(
    "/portals/<int:portal_id>/files", summary="List a portal's files", responses={200: FilePage}
)
def list_portal_files(path: PortalFilesPath, query: PageQuery):
    """Newest first. Pending and rejected files only for uploader, approver and staff.
    Scope files:read."""
    actor = require_scope("files:read")
    session = get_session()
    portal = portal_admin.get_portal(session, actor=actor, portal_id=path.portal_id)
    files, total = svc.api_list_files(
        session,
        actor=actor,
        company_id=portal.company_id,
        limit=query.clamped_limit,
        offset=query.offset,
    )
    return page_of([file_out(f) for f in files], total, query)


@bp.post(
    "/portals/<int:portal_id>/files", summary="Upload or link a file", responses={201: FileOut}
)
@large_body
def create_portal_file(path: PortalFilesPath):
    """Multipart with a ``file`` part (streamed; checked by content), or JSON ``{url, name}`` for
    a linked file; optional ``approver_id`` makes it wait for that person's approval.
    Scope files:write."""
    actor = require_scope("files:write")
    session = get_session()
    portal = portal_admin.get_portal(session, actor=actor, portal_id=path.portal_id)
    upload = request.files.get("file") if request.mimetype == "multipart/form-data" else None
    if upload is not None and upload.filename:
        targets = validated(FileTargets, form_data(request.form))
        file = svc.upload_stream(
            session,
            actor=actor,
            portal=portal,
            stream=cast(BinaryIO, upload.stream),
            name=upload.filename,
            folder_id=targets.folder_id,
            approver_id=targets.approver_id,
        )
        return file_out(file), 201
    data = request.get_json(silent=True) if request.is_json else None
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        raise Invalid(
            "Send a multipart `file`, or JSON with `url`.",
            errors={"file": ["Send a multipart `file`, or JSON with `url` (and `name`)."]},
        )
    link = validated(FileLinkCreate, data)
    return file_out(svc.add_link(session, actor=actor, portal=portal, data=link)), 201


@bp.get(
    "/files/<int:file_id>/download",
    summary="Download a file",
    responses={200: None},
)
def download_file(path: FilePath):
    """Streams the current version (``Content-Disposition: attachment``); a linked file
    redirects to its URL. Logged in the download log. Scope files:read."""
    actor = require_scope("files:read")
    return send_blob(svc.open_download(get_session(), actor=actor, file_id=path.file_id))


@bp.post("/files/<int:file_id>/approve", summary="Approve a file", responses={200: FileOut})
def approve_file(path: FilePath):
    """The designated approver or staff; 409 unless pending. Scope files:write."""
    actor = require_scope("files:write")
    return file_out(svc.approve_file(get_session(), actor=actor, file_id=path.file_id))


@bp.post("/files/<int:file_id>/reject", summary="Reject a file", responses={200: FileOut})
def reject_file(path: FilePath, body: FileRejection):
    """The designated approver or staff, with a ``note``; 409 unless pending. Scope files:write."""
    actor = require_scope("files:write")
    return file_out(svc.reject_file(get_session(), actor=actor, file_id=path.file_id, data=body))


@bp.delete("/files/<int:file_id>", summary="Delete a file", responses={204: None})
def delete_file(path: FilePath):
    """The uploader or staff. Scope files:write."""
    actor = require_scope("files:write")
    svc.delete_file(get_session(), actor=actor, file_id=path.file_id)
    return Response(status=204)


@bp.post("/portal/publish_files", summary="Publish files to contacts", responses={200: PublishOut})
def publish_files():
    """Reference 001: ``files_id`` (at most 500), ``portal_publishing`` and
    ``contact_notification`` (case-insensitive), ``publish_override_contact_ids``. The body may
    be flat or wrapped as ``{"data": {"attributes": {…}}}``. Always 200 with a result per file;
    400 for missing fields or too many files; 403 without files:write and files:publish."""
    require_staff("files:write")
    actor = require_staff("files:publish")
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict):
        raise BadRequest("Send a JSON object.", code="bad_request")
    data = body.get("data")
    if isinstance(data, dict) and isinstance(data.get("attributes"), dict):
        body = data["attributes"]
    results = file_publishing.publish_files(
        get_session(), actor=actor, request=file_publishing.PublishRequest.parse(body)
    )
    items = []
    for r in results:
        attributes: dict[str, Any] = {
            "file_id": r.file_id,
            "notify_status": r.notify_status,
            "publish_status": r.publish_status,
        }
        if r.errors:
            attributes["error"] = r.errors
        items.append(
            {
                "id": str(r.file_id),
                "type": "publish_files_result",
                "attributes": attributes,
                "links": {"self": f"/api/v1/publish_files_result/{r.file_id}"},
            }
        )
    return {"data": items, "included": [], "links": {"prev": None, "next": None}}
