"""/api/v1 deliverables (reference 003's shape with an integer id) and the review cycle."""

from __future__ import annotations

from datetime import datetime
from typing import Any, BinaryIO, Literal, TypeVar, cast

from flask import request
from pydantic import BaseModel, Field

from blueprints.api import api_blueprint, path_object
from blueprints.api.auth import require_scope, require_staff
from blueprints.api.schemas import MAX_ID, ApiModel, PageQuery, page_of
from blueprints.api.v1.portals import PortalPath
from portal.db import get_session
from portal.errors import Invalid, NotFound
from portal.models.deliverable import (
    ApprovalDecision,
    DeliverableCreate,
    RevisionExtension,
    RevisionRequest,
    VersionCreate,
)
from portal.storage import Upload
from portal.validation import validated
from portal.web.limits import large_body
from portal.web.urls import base_url
from services import deliverables as service
from services.deliverables.queries import ApiRow, api_deliverables
from services.portals.admin import get_portal

bp = api_blueprint(
    "api_deliverables",
    __name__,
    url_prefix="/api/v1",
    tag="Deliverables",
    description="Work sent for client approval: versions, review, revisions (reference 003).",
)

StatusValue = Literal["pending", "in_review", "revision_requested", "approved"]


class DeliverableOut(BaseModel):
    """Reference 003's deliverable record, with Stoa's integer ``id``."""

    id: int
    original: str = Field(description="Display name")
    url: str = Field(description="Authenticated download URL, or the external URL of a link")
    linked: bool
    size: int
    type: str = Field(description="MIME type; empty for links")
    category: str = Field(description="Category slug; empty when uncategorised")
    uploaded_by: int | None
    uploaded_at: datetime | None
    status: StatusValue
    revisions_allowed: int
    revisions_used: int
    revision_note: str
    version_count: int
    approved_by: int | None = Field(
        description="Null on an approved deliverable when no approval was needed, or when a "
        "company API key approved it (the receipt names the key)"
    )
    approved_at: datetime | None


class DeliverablePage(BaseModel):
    items: list[DeliverableOut]
    limit: int
    offset: int
    total: int


class ReceiptOut(BaseModel):
    receipt_id: int
    deliverable_id: int
    deliverable_name: str
    version_number: int
    version_id: int
    sha256: str
    approver_id: int | None
    approver_name: str
    approver_email: str
    approved_at: datetime
    ip_address: str
    user_agent: str


class ApprovalOut(BaseModel):
    deliverable: DeliverableOut
    receipt: ReceiptOut


class DeliverableListQuery(PageQuery):
    status: StatusValue | None = None


class DeliverablePath(ApiModel):
    deliverable_id: int = Field(ge=1, le=MAX_ID)


def _file_schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema["properties"] = {"file": {"type": "string", "format": "binary"}, **schema["properties"]}
    schema["required"] = ["file"]
    return schema


def _either(model: type[BaseModel]) -> dict[str, Any]:
    """A request body that is JSON (a link: ``url``) or multipart/form-data (a ``file``)."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": model.model_json_schema()},
                "multipart/form-data": {"schema": _file_schema(model)},
            },
        }
    }


M = TypeVar("M", bound=BaseModel)


def _parse(model: type[M]) -> tuple[M, Upload | None]:
    """A JSON body (a link), or a multipart form with its file, validated by the same input
    model the portal's forms use (Invalid becomes the 422 envelope)."""
    if request.is_json:
        body = request.get_json(silent=True)
        return validated(model, body if isinstance(body, dict) else {}), None
    file = request.files.get("file")
    data = validated(model, {k: v for k, v in request.form.items() if v != ""})
    if file is None or not file.filename:
        raise Invalid(errors={"file": ["Send a file (multipart) or a JSON body with a url."]})
    return data, Upload(stream=cast(BinaryIO, file.stream), filename=file.filename)


@path_object("deliverable_id")
def _load_deliverable(session, actor, deliverable_id: int):  # noqa: ANN001, ANN202
    return service.get_deliverable(session, actor=actor, deliverable_id=deliverable_id)


def deliverable_out(row: ApiRow) -> dict[str, Any]:
    d, v = row.deliverable, row.version
    if v is None:
        url = ""
    elif v.url:
        url = v.url
    else:
        url = f"{base_url()}/p/{row.portal_slug}/deliverables/{d.id}/versions/{v.id}/download"
    return DeliverableOut(
        id=d.id,  # type: ignore[arg-type]
        original=d.name,
        url=url,
        linked=d.linked,
        size=v.size if v else 0,
        type=v.content_type if v else "",
        category=row.category_slug,
        uploaded_by=v.uploaded_by_id if v else None,
        uploaded_at=v.created_at if v else None,
        status=d.status,  # type: ignore[arg-type]
        revisions_allowed=d.revisions_allowed,
        revisions_used=d.revisions_used,
        revision_note=d.revision_note,
        version_count=row.version_count,
        approved_by=d.approved_by_id,
        approved_at=d.approved_at,
    ).model_dump(mode="json")


def _one(deliverable_id: int, actor) -> dict[str, Any]:  # noqa: ANN001
    rows, _ = api_deliverables(get_session(), actor=actor, deliverable_id=deliverable_id)
    if not rows:
        raise NotFound()
    return deliverable_out(rows[0])


@bp.get(
    "/portals/<int:portal_id>/deliverables",
    summary="List a portal's deliverables",
    responses={200: DeliverablePage},
)
def list_portal_deliverables(path: PortalPath, query: DeliverableListQuery):
    """Newest first; clients see only released versions. Scope deliverables:read."""
    actor = require_scope("deliverables:read")
    session = get_session()
    portal = get_portal(session, actor=actor, portal_id=path.portal_id)
    rows, total = api_deliverables(
        session,
        actor=actor,
        company_id=portal.company_id,
        status=query.status,
        limit=query.clamped_limit,
        offset=query.offset,
    )
    return page_of([deliverable_out(r) for r in rows], total, query)


@bp.post(
    "/portals/<int:portal_id>/deliverables",
    summary="Create a deliverable",
    responses={201: DeliverableOut},
    openapi_extensions=_either(DeliverableCreate),
)
@large_body
def create_portal_deliverable(path: PortalPath):
    """A file (multipart ``file``) or a link (JSON ``url``). Without ``require_approval`` it is
    approved at once with a null approver. Agency keys and staff; scope deliverables:write."""
    actor = require_staff("deliverables:write")
    session = get_session()
    portal = get_portal(session, actor=actor, portal_id=path.portal_id)
    data, upload = _parse(DeliverableCreate)
    d = service.create_deliverable(session, actor=actor, portal=portal, data=data, upload=upload)
    return _one(d.id, actor), 201  # type: ignore[arg-type]


@bp.get(
    "/deliverables/<int:deliverable_id>",
    summary="Get a deliverable",
    responses={200: DeliverableOut},
)
def get_deliverable(path: DeliverablePath):
    """One deliverable in the list's shape. Scope deliverables:read."""
    actor = require_scope("deliverables:read")
    return _one(path.deliverable_id, actor)


@bp.post(
    "/deliverables/<int:deliverable_id>/versions",
    summary="Upload a new version",
    responses={201: DeliverableOut},
    openapi_extensions=_either(VersionCreate),
)
@large_body
def add_deliverable_version(path: DeliverablePath):
    """Keeps the history and re-opens review (an approval covers only the version it was given
    for). Agency keys and staff; scope deliverables:write."""
    actor = require_staff("deliverables:write")
    data, upload = _parse(VersionCreate)
    service.add_version(
        get_session(), actor=actor, deliverable_id=path.deliverable_id, data=data, upload=upload
    )
    return _one(path.deliverable_id, actor), 201


@bp.post(
    "/deliverables/<int:deliverable_id>/submit",
    summary="Send for client review",
    responses={200: DeliverableOut},
)
def submit_deliverable(path: DeliverablePath):
    """pending -> in_review; 409 from any other status. Staff; scope deliverables:write."""
    actor = require_staff("deliverables:write")
    service.submit(get_session(), actor=actor, deliverable_id=path.deliverable_id)
    return _one(path.deliverable_id, actor)


@bp.post(
    "/deliverables/<int:deliverable_id>/approve",
    summary="Approve a deliverable",
    responses={200: ApprovalOut},
)
def approve_deliverable(path: DeliverablePath, body: ApprovalDecision):
    """in_review -> approved, bound to the current version's SHA-256; returns the receipt.
    The body is optional (``version_number``: approve only if that is still the current
    version). Who may approve: signed-in client collaborators and admins (the receipt names
    them), and a company API key, which acts as that company's client admin: its receipt has
    ``approver_id`` null and names the key and the person who created it (``approver_name``,
    ``approver_email``). Agency keys and staff get 403. Scope deliverables:write."""
    actor = require_scope("deliverables:write")
    receipt = service.approve(
        get_session(),
        actor=actor,
        deliverable_id=path.deliverable_id,
        version_number=body.version_number,
        ip_address=request.remote_addr or "",
        user_agent=request.headers.get("User-Agent", ""),
    )
    return ApprovalOut(
        deliverable=_one(path.deliverable_id, actor),  # type: ignore[arg-type]
        receipt=service.receipt_document(receipt),  # type: ignore[arg-type]
    ).model_dump(mode="json")


@bp.post(
    "/deliverables/<int:deliverable_id>/request-revision",
    summary="Request a revision",
    responses={200: DeliverableOut},
)
def request_deliverable_revision(path: DeliverablePath, body: RevisionRequest):
    """in_review -> revision_requested; ``note`` is required (422); 409 revision_limit_reached
    once the allowance is used up. Client collaborators and admins; scope deliverables:write."""
    actor = require_scope("deliverables:write")
    service.request_revision(
        get_session(), actor=actor, deliverable_id=path.deliverable_id, data=body
    )
    return _one(path.deliverable_id, actor)


@bp.post(
    "/deliverables/<int:deliverable_id>/extend-revisions",
    summary="Allow more revision rounds",
    responses={200: DeliverableOut},
)
def extend_deliverable_revisions(path: DeliverablePath, body: RevisionExtension):
    """Adds ``extra`` (1..20) rounds to revisions_allowed. Staff; scope deliverables:write."""
    actor = require_staff("deliverables:write")
    service.extend_revisions(
        get_session(), actor=actor, deliverable_id=path.deliverable_id, data=body
    )
    return _one(path.deliverable_id, actor)
