"""Deliverables tab: the list, the detail with its versions, and the review actions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from flask import Response, flash, make_response, redirect, request, url_for

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.errors import DomainError, Invalid
from portal.principal import current_actor
from portal.storage import CHUNK
from portal.web.htmx import hx_redirect, render_page
from services import deliverables as service
from services.deliverables import settings as deliverable_settings
from services.deliverables.files import INLINE_TYPES, Upload, open_blob
from services.deliverables.queries import (
    STATUSES,
    company_projects,
    deliverable_detail,
    deliverable_for_company,
    list_deliverables,
    waiting_for,
)

bp = portal_blueprint("deliverables", __name__)


def _int_arg(raw: str | None, *, default: int | None = None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() else default


def _upload() -> Upload | None:
    file = request.files.get("file")
    if file is None or not file.filename:
        return None
    return Upload(stream=file.stream, filename=file.filename)  # type: ignore[arg-type]


def _check(deliverable_id: int) -> None:
    """The deliverable must belong to this portal's company (else 404)."""
    deliverable_for_company(
        get_session(),
        actor=current_actor(),
        deliverable_id=deliverable_id,
        company_id=portal_ctx().company.id,  # type: ignore[arg-type]
    )


# List ----------------------------------------------------------------------------------------


def _render_index(status_code: int = 200, **extra: Any) -> Response:
    ctx = portal_ctx()
    actor = current_actor()
    session = get_session()
    status = request.args.get("status", "")
    q = request.args.get("q", "").strip()[:100]
    listing = list_deliverables(
        session,
        actor=actor,
        company_id=ctx.company.id,  # type: ignore[arg-type]
        status=status if status in STATUSES else None,
        query=q,
        page=_int_arg(request.args.get("page"), default=1) or 1,
    )
    staff = actor.is_staff and ctx.can_write
    context: dict[str, Any] = {
        "form": {},
        "errors": {},
        "open_form": False,
        "categories": deliverable_settings.list_categories(session) if staff else [],
        "projects": company_projects(session, actor=actor, company_id=ctx.company.id)  # type: ignore[arg-type]
        if staff
        else [],
    }
    context.update(extra)
    return render_page(
        "deliverables/index.html",
        status=status_code,
        ctx=ctx,
        listing=listing,
        waiting=waiting_for(session, actor, [ctx.company.id]),  # type: ignore[list-item]
        status_filter=status if status in STATUSES else "",
        statuses=STATUSES,
        q=q,
        staff=staff,
        active_tab="deliverables",
        page_title="Deliverables",
        **context,
    )


@bp.get("/deliverables")
def index() -> Response:
    return _render_index()


@bp.post("/deliverables")
def create() -> Response:
    ctx = portal_ctx()
    form = request.form
    try:
        d = service.create_deliverable(
            get_session(),
            actor=current_actor(),
            company_id=ctx.company.id,  # type: ignore[arg-type]
            name=form.get("name", ""),
            upload=_upload(),
            url=form.get("url"),
            category=form.get("category") or None,
            project_id=_int_arg(form.get("project_id")),
            revisions_allowed=_int_arg(form.get("revisions_allowed")),
            require_approval=form.get("require_approval") == "on",
            internal_gate=form.get("internal_gate") == "on",
            description=form.get("description", ""),
        )
    except Invalid as exc:
        return _render_index(422, form=form, errors=exc.errors, open_form=True)
    flash(f"{d.name} was added.", "success")
    return hx_redirect(url_for("deliverables.detail", deliverable_id=d.id))


# Detail and actions ----------------------------------------------------------------------------


def _render_detail(deliverable_id: int, status_code: int = 200, **extra: Any) -> Response:
    ctx = portal_ctx()
    actor = current_actor()
    detail = deliverable_detail(
        get_session(),
        actor=actor,
        deliverable_id=deliverable_id,
        company_id=ctx.company.id,  # type: ignore[arg-type]
    )
    context: dict[str, Any] = {"errors": {}, "note": "", "version_note": ""}
    context.update(extra)
    return render_page(
        "deliverables/detail.html",
        status=status_code,
        ctx=ctx,
        detail=detail,
        d=detail.deliverable,
        staff=actor.is_staff and ctx.can_write,
        reviewer=service.can_review(actor) and ctx.can_write,
        inline_types=INLINE_TYPES,
        active_tab="deliverables",
        page_title=detail.deliverable.name,
        **context,
    )


@bp.get("/deliverables/<int:deliverable_id>")
def detail(deliverable_id: int) -> Response:
    return _render_detail(deliverable_id)


def _done(deliverable_id: int, message: str) -> Response:
    flash(message, "success")
    return hx_redirect(url_for("deliverables.detail", deliverable_id=deliverable_id))


def _act(deliverable_id: int, fn: Any, message: str, **render_extra: Any) -> Response:
    """Run one service action; a refused one re-renders the page with the reason."""
    _check(deliverable_id)
    try:
        fn()
    except Invalid as exc:
        return _render_detail(deliverable_id, 422, errors=exc.errors, **render_extra)
    except DomainError as exc:
        if exc.status != 409:
            raise
        return _render_detail(
            deliverable_id, 409, errors={"_": [exc.message]}, conflict=exc.code, **render_extra
        )
    return _done(deliverable_id, message)


@bp.post("/deliverables/<int:deliverable_id>/submit")
def submit(deliverable_id: int) -> Response:
    return _act(
        deliverable_id,
        lambda: service.submit(get_session(), actor=current_actor(), deliverable_id=deliverable_id),
        "Sent to the client for review.",
    )


@bp.post("/deliverables/<int:deliverable_id>/versions")
def add_version(deliverable_id: int) -> Response:
    note = request.form.get("note", "")
    return _act(
        deliverable_id,
        lambda: service.add_version(
            get_session(),
            actor=current_actor(),
            deliverable_id=deliverable_id,
            upload=_upload(),
            url=request.form.get("url"),
            note=note,
        ),
        "New version uploaded.",
        version_note=note,
    )


@bp.post("/deliverables/<int:deliverable_id>/versions/<int:version_id>/release")
def release(deliverable_id: int, version_id: int) -> Response:
    return _act(
        deliverable_id,
        lambda: service.internal_approve(
            get_session(),
            actor=current_actor(),
            deliverable_id=deliverable_id,
            version_id=version_id,
        ),
        "Version approved internally; the client can see it now.",
    )


@bp.post("/deliverables/<int:deliverable_id>/approve")
def approve(deliverable_id: int) -> Response:
    return _act(
        deliverable_id,
        lambda: service.approve(
            get_session(),
            actor=current_actor(),
            deliverable_id=deliverable_id,
            version_number=_int_arg(request.form.get("version_number")),
            ip_address=request.remote_addr or "",
            user_agent=request.headers.get("User-Agent", ""),
        ),
        "Approved. Your receipt is listed under Approvals.",
    )


@bp.post("/deliverables/<int:deliverable_id>/request-revision")
def request_revision(deliverable_id: int) -> Response:
    note = request.form.get("note", "")
    return _act(
        deliverable_id,
        lambda: service.request_revision(
            get_session(), actor=current_actor(), deliverable_id=deliverable_id, note=note
        ),
        "Revision requested. The team has been notified.",
        note=note,
    )


@bp.post("/deliverables/<int:deliverable_id>/extend")
def extend(deliverable_id: int) -> Response:
    extra = _int_arg(request.form.get("extra"), default=0) or 0
    return _act(
        deliverable_id,
        lambda: service.extend_revisions(
            get_session(), actor=current_actor(), deliverable_id=deliverable_id, extra=extra
        ),
        "Revision allowance extended.",
    )


# Files and receipts ----------------------------------------------------------------------------


def _chunks(key: str) -> Iterator[bytes]:
    # The file opens only once the body is read, and closes however the response ends.
    with open_blob(key) as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


@bp.get("/deliverables/<int:deliverable_id>/versions/<int:version_id>/download")
def download(deliverable_id: int, version_id: int) -> Response:
    _check(deliverable_id)
    _, version = service.get_version(
        get_session(), actor=current_actor(), deliverable_id=deliverable_id, version_id=version_id
    )
    if version.url:
        return redirect(version.url, code=302)  # type: ignore[return-value]
    inline = request.args.get("inline") == "1" and version.content_type in INLINE_TYPES
    name = version.original_name or f"version-{version.number}"
    resp = Response(
        _chunks(version.storage_key),  # type: ignore[arg-type]
        mimetype=version.content_type or "application/octet-stream",
    )
    resp.headers["Content-Length"] = str(version.size)
    fallback = name.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
    resp.headers["Content-Disposition"] = (
        f'{"inline" if inline else "attachment"}; filename="{fallback}"; '
        f"filename*=UTF-8''{quote(name)}"
    )
    resp.headers["Cache-Control"] = "private, no-store"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp


@bp.get("/deliverables/<int:deliverable_id>/receipts/<int:receipt_id>")
def receipt(deliverable_id: int, receipt_id: int) -> Response:
    _check(deliverable_id)
    r = service.get_receipt(
        get_session(), actor=current_actor(), deliverable_id=deliverable_id, receipt_id=receipt_id
    )
    data = service.receipt_document(r)
    if request.args.get("format") == "txt":
        body = "\n".join(f"{k}: {'' if v is None else v}" for k, v in data.items()) + "\n"
        resp = make_response(body)
        resp.mimetype = "text/plain"
        ext = "txt"
    else:
        resp = make_response(json.dumps(data, indent=2) + "\n")
        resp.mimetype = "application/json"
        ext = "json"
    resp.headers["Content-Disposition"] = f'attachment; filename="approval-receipt-{r.id}.{ext}"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
