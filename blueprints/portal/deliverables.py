"""Deliverables tab: the list, the detail with its versions, and the review actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, BinaryIO, cast

from flask import Response, flash, request, url_for

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.errors import Invalid
from portal.filetypes import INLINE_TYPES
from portal.models.deliverable import (
    ApprovalDecision,
    DeliverableCreate,
    RevisionExtension,
    RevisionRequest,
    VersionCreate,
)
from portal.storage import Upload
from portal.tenancy import Actor
from portal.validation import form_data, validated
from portal.web.args import page_arg
from portal.web.downloads import send_blob
from portal.web.htmx import hx_redirect, perform, render_page
from portal.web.limits import large_body
from portal.web.pagecache import cacheable
from services import deliverables as service
from services.deliverables.queries import STATUSES, deliverable_detail, deliverables_page
from services.portals import PortalContext

bp = portal_blueprint("deliverables", __name__)


def _here() -> tuple[PortalContext, Actor]:
    ctx = portal_ctx()
    return ctx, ctx.company_actor


def _upload() -> Upload | None:
    file = request.files.get("file")
    if file is None or not file.filename:
        return None
    return Upload(stream=cast(BinaryIO, file.stream), filename=file.filename)


def _checkboxes(*names: str) -> dict[str, bool]:
    """An unticked checkbox is absent from the form: absent means off here."""
    return {name: request.form.get(name) == "on" for name in names}


# List ----------------------------------------------------------------------------------------


def _render_index(status_code: int = 200, **extra: Any) -> Response:
    ctx, actor = _here()
    page = deliverables_page(
        get_session(),
        actor=actor,
        company_id=ctx.portal.company_id,
        can_write=ctx.can_write,
        status=request.args.get("status", ""),
        q=request.args.get("q", ""),
        page=page_arg(request.args),
    )
    context: dict[str, Any] = {"form": {}, "errors": {}, "open_form": False}
    context.update(extra)
    return render_page(
        "deliverables/index.html",
        status=status_code,
        ctx=ctx,
        listing=page.listing,
        waiting=page.waiting,
        status_filter=page.status,
        statuses=STATUSES,
        q=page.q,
        staff=page.staff,
        categories=page.categories,
        projects=page.projects,
        active_tab="deliverables",
        page_title="Deliverables",
        **context,
    )


@bp.get("/deliverables")
@cacheable
def index() -> Response:
    return _render_index()


@bp.post("/deliverables")
@large_body
def create() -> Response:
    ctx, actor = _here()
    form = request.form
    try:
        data = validated(
            DeliverableCreate,
            {**form_data(form), **_checkboxes("require_approval", "internal_gate")},
        )
        d = service.create_deliverable(
            get_session(), actor=actor, portal=ctx.portal, data=data, upload=_upload()
        )
    except Invalid as exc:
        return _render_index(422, form=form, errors=exc.errors, open_form=True)
    flash(f"{d.name} was added.", "success")
    return hx_redirect(url_for("deliverables.detail", deliverable_id=d.id))


# Detail and actions ----------------------------------------------------------------------------


def _render_detail(deliverable_id: int, status_code: int = 200, **extra: Any) -> Response:
    ctx, actor = _here()
    detail = deliverable_detail(
        get_session(), actor=actor, deliverable_id=deliverable_id, can_write=ctx.can_write
    )
    context: dict[str, Any] = {"errors": {}, "note": "", "version_note": ""}
    context.update(extra)
    return render_page(
        "deliverables/detail.html",
        status=status_code,
        ctx=ctx,
        detail=detail,
        d=detail.deliverable,
        staff=detail.can_manage,
        reviewer=detail.can_review,
        inline_types=INLINE_TYPES,
        active_tab="deliverables",
        page_title=detail.deliverable.name,
        **context,
    )


@bp.get("/deliverables/<int:deliverable_id>")
@cacheable
def detail(deliverable_id: int) -> Response:
    return _render_detail(deliverable_id)


def _act(
    deliverable_id: int, action: Callable[[Actor], object], message: str, **render_extra: Any
) -> Response:
    """Run one service action; a refused one re-renders the page with the reason."""
    _, actor = _here()
    return perform(
        lambda: action(actor),
        message=message,
        location=url_for("deliverables.detail", deliverable_id=deliverable_id),
        refused=lambda status, **why: _render_detail(deliverable_id, status, **why, **render_extra),
    )


@bp.post("/deliverables/<int:deliverable_id>/submit")
def submit(deliverable_id: int) -> Response:
    return _act(
        deliverable_id,
        lambda actor: service.submit(get_session(), actor=actor, deliverable_id=deliverable_id),
        "Sent to the client for review.",
    )


@bp.post("/deliverables/<int:deliverable_id>/versions")
@large_body
def add_version(deliverable_id: int) -> Response:
    return _act(
        deliverable_id,
        lambda actor: service.add_version(
            get_session(),
            actor=actor,
            deliverable_id=deliverable_id,
            data=validated(VersionCreate, form_data(request.form)),
            upload=_upload(),
        ),
        "New version uploaded.",
        version_note=request.form.get("note", ""),
    )


@bp.post("/deliverables/<int:deliverable_id>/versions/<int:version_id>/release")
def release(deliverable_id: int, version_id: int) -> Response:
    return _act(
        deliverable_id,
        lambda actor: service.internal_approve(
            get_session(), actor=actor, deliverable_id=deliverable_id, version_id=version_id
        ),
        "Version approved internally; the client can see it now.",
    )


@bp.post("/deliverables/<int:deliverable_id>/approve")
def approve(deliverable_id: int) -> Response:
    return _act(
        deliverable_id,
        lambda actor: service.approve(
            get_session(),
            actor=actor,
            deliverable_id=deliverable_id,
            version_number=validated(ApprovalDecision, form_data(request.form)).version_number,
            ip_address=request.remote_addr or "",
            user_agent=request.headers.get("User-Agent", ""),
        ),
        "Approved. Your receipt is listed under Approvals.",
    )


@bp.post("/deliverables/<int:deliverable_id>/request-revision")
def request_revision(deliverable_id: int) -> Response:
    return _act(
        deliverable_id,
        lambda actor: service.request_revision(
            get_session(),
            actor=actor,
            deliverable_id=deliverable_id,
            data=validated(RevisionRequest, form_data(request.form)),
        ),
        "Revision requested. The team has been notified.",
        note=request.form.get("note", ""),
    )


@bp.post("/deliverables/<int:deliverable_id>/extend")
def extend(deliverable_id: int) -> Response:
    return _act(
        deliverable_id,
        lambda actor: service.extend_revisions(
            get_session(),
            actor=actor,
            deliverable_id=deliverable_id,
            data=validated(RevisionExtension, form_data(request.form)),
        ),
        "Revision allowance extended.",
    )


# Files and receipts ----------------------------------------------------------------------------


@bp.get("/deliverables/<int:deliverable_id>/versions/<int:version_id>/download")
def download(deliverable_id: int, version_id: int) -> Response:
    _, actor = _here()
    blob = service.open_version(
        get_session(), actor=actor, deliverable_id=deliverable_id, version_id=version_id
    )
    return send_blob(blob, inline=request.args.get("inline") == "1")


@bp.get("/deliverables/<int:deliverable_id>/receipts/<int:receipt_id>")
def receipt(deliverable_id: int, receipt_id: int) -> Response:
    _, actor = _here()
    blob = service.receipt_file(
        get_session(),
        actor=actor,
        deliverable_id=deliverable_id,
        receipt_id=receipt_id,
        as_text=request.args.get("format") == "txt",
    )
    return send_blob(blob)
