"""Deliverables: the review cycle (reference 003) as an explicit state machine.

pending --submit--> in_review --request_revision--> revision_requested --new version--> in_review
in_review --approve--> approved. A new version re-opens review; an approval binds to the exact
version (its SHA-256) and leaves an immutable receipt. With the internal gate on, the client sees
a version only once staff approved it internally.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlparse

from sqlmodel import Session, select

from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.models import (
    ApprovalReceipt,
    ClientRole,
    Company,
    Deliverable,
    DeliverableCategory,
    DeliverableStatus,
    DeliverableVersion,
    Portal,
    PortalManager,
    Project,
    User,
)
from portal.models.activity import INTERNAL_DELIVERABLE_ACTIVITY as INTERNAL_ACTIVITY_TYPE
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.tenancy import Actor, get_for_actor, require, role_at_least
from services.deliverables import files as deliverable_files
from services.deliverables.files import Upload
from services.deliverables.queries import (  # noqa: F401  (the dashboard's entry points)
    approvals_queue,
    waiting_for,
)
from services.deliverables.settings import MAX_REVISIONS, default_revisions_allowed
from services.events import activity
from services.events.notifications import notify

S = DeliverableStatus

# (status, action) -> new status; anything else is a 409.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.pending, "submit"): S.in_review,
    (S.in_review, "request_revision"): S.revision_requested,
    (S.in_review, "approve"): S.approved,
}
ACTION_VERBS = {
    "submit": "sent for review",
    "request_revision": "sent back for a revision",
    "approve": "approved",
}


def transition(deliverable: Deliverable, action: str) -> str:
    """The status ``action`` leads to from the current one, or Conflict."""
    target = TRANSITIONS.get((deliverable.status, action))
    if target is None:
        status = deliverable.status.replace("_", " ")
        raise Conflict(
            f"A deliverable that is {status} cannot be {ACTION_VERBS[action]}.",
            code="invalid_transition",
        )
    return target


# Permissions ---------------------------------------------------------------------------------


def _require_staff(actor: Actor, node: str) -> None:
    if not actor.is_staff:
        raise Forbidden("Only the agency team can do that.")
    if actor.kind == "staff":
        require(actor, node)


def _require_client_approver(actor: Actor) -> None:
    if actor.is_staff:
        raise Forbidden("Only the client can approve or request revisions.")
    if not role_at_least(actor, ClientRole.collaborator):
        raise Forbidden("Viewers cannot approve or request revisions.")


def can_review(actor: Actor) -> bool:
    return not actor.is_staff and role_at_least(actor, ClientRole.collaborator)


def get_deliverable(session: Session, *, actor: Actor, deliverable_id: int) -> Deliverable:
    """A deliverable the actor may see; clients never see one with nothing released."""
    d = get_for_actor(session, Deliverable, deliverable_id, actor)
    if not actor.is_staff and d.visible_version is None:
        raise NotFound()
    return d


def _for_update(session: Session, *, actor: Actor, deliverable_id: int) -> Deliverable:
    """Like ``get_deliverable``, then re-read under a row lock: concurrent reviews of one
    deliverable (two approvals, a revision racing a new version) apply one after the other."""
    d = get_deliverable(session, actor=actor, deliverable_id=deliverable_id)
    session.refresh(d, with_for_update=True)
    return d


# Creation and versions -----------------------------------------------------------------------


def _validate_source(upload: Upload | None, url: str | None) -> str | None:
    url = (url or "").strip() or None
    if (upload is None) == (url is None):
        raise Invalid(errors={"file": ["Upload a file or give a link (one of the two)."]})
    if url is not None:
        parsed = urlparse(url)
        if parsed.scheme not in {"http", "https"} or not parsed.netloc or len(url) > 2000:
            raise Invalid(errors={"url": ["Enter a full http(s) link."]})
    return url


def _add_version(
    session: Session,
    *,
    actor: Actor,
    deliverable: Deliverable,
    upload: Upload | None,
    url: str | None,
    note: str = "",
) -> DeliverableVersion:
    number = deliverable.current_version + 1
    version = DeliverableVersion(
        deliverable_id=deliverable.id,  # type: ignore[arg-type]
        company_id=deliverable.company_id,
        number=number,
        note=note.strip()[:2000],
        uploaded_by_id=actor.user_id,
        sha256="",
    )
    temp = None
    if upload is not None:
        temp = deliverable_files.store_temp(upload)
        version.original_name = (upload.filename or "file").rsplit("/", 1)[-1][:255]
        version.size = temp.size
        version.sha256 = temp.sha256
        version.content_type = deliverable_files.sniff_content_type(temp.head, upload.filename)
        version.storage_key = deliverable_files.new_key(deliverable.company_id, deliverable.id)  # type: ignore[arg-type]
    else:
        version.url = url
        version.original_name = url or ""
        version.sha256 = hashlib.sha256((url or "").encode()).hexdigest()
    try:
        session.add(version)
        session.flush()
        if temp is not None:
            deliverable_files.promote(temp, version.storage_key)  # type: ignore[arg-type]
    except BaseException:
        if temp is not None:
            deliverable_files.discard(temp)
        raise
    deliverable.current_version = number
    deliverable.linked = upload is None
    if not deliverable.internal_gate:
        deliverable.visible_version = number
    return version


def create_deliverable(
    session: Session,
    *,
    actor: Actor,
    company_id: int,
    name: str,
    upload: Upload | None = None,
    url: str | None = None,
    category: str | None = None,
    project_id: int | None = None,
    revisions_allowed: int | None = None,
    require_approval: bool = True,
    internal_gate: bool = False,
    description: str = "",
) -> Deliverable:
    """Create a file or link deliverable (staff). Without approval it is approved at once,
    with a null approver (reference 003)."""
    _require_staff(actor, "deliverable.create")
    if not actor.can_see_company(company_id):
        raise NotFound()
    url = _validate_source(upload, url)
    name = (name or "").strip() or (upload.filename if upload else "") or ""
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Give the deliverable a name."]
    elif len(name) > 200:
        errors["name"] = ["Keep the name under 200 characters."]
    cat = None
    if category:
        cat = session.exec(
            select(DeliverableCategory).where(DeliverableCategory.slug == category)
        ).first()
        if cat is None:
            errors["category"] = ["Unknown category."]
    if project_id is not None:
        project = session.get(Project, project_id)
        if project is None or project.company_id != company_id:
            errors["project_id"] = ["Pick a project of this company."]
    if revisions_allowed is not None and not 0 <= revisions_allowed <= MAX_REVISIONS:
        errors["revisions_allowed"] = [f"Use 0 to {MAX_REVISIONS}."]
    if errors:
        raise Invalid(errors=errors)
    if revisions_allowed is None:
        revisions_allowed = (
            cat.revisions_allowed
            if cat is not None and cat.revisions_allowed is not None
            else default_revisions_allowed(session)
        )
    d = Deliverable(
        company_id=company_id,
        project_id=project_id,
        category_id=cat.id if cat else None,
        name=name,
        description=description.strip()[:4000],
        require_approval=require_approval,
        internal_gate=internal_gate,
        revisions_allowed=revisions_allowed,
        status=S.pending if require_approval else S.approved,
        created_by_id=actor.user_id,
    )
    session.add(d)
    session.flush()
    _add_version(session, actor=actor, deliverable=d, upload=upload, url=url)
    session.add(d)
    session.flush()
    _log(
        session,
        actor,
        d,
        Action.deliverable_linked if url else Action.deliverable_uploaded,
        f"{actor.label} added {d.name}" + ("" if require_approval else " (no approval needed)"),
        object_type=_activity_type(d),
    )
    return d


def add_version(
    session: Session,
    *,
    actor: Actor,
    deliverable_id: int,
    upload: Upload | None = None,
    url: str | None = None,
    note: str = "",
) -> Deliverable:
    """Upload a new version (staff): history is kept and review re-opens, since an approval
    only ever covers the version it was given for."""
    _require_staff(actor, "deliverable.update")
    d = _for_update(session, actor=actor, deliverable_id=deliverable_id)
    url = _validate_source(upload, url)
    version = _add_version(session, actor=actor, deliverable=d, upload=upload, url=url, note=note)
    d.approved_by_id = None
    d.approved_at = None
    if not d.require_approval:
        d.status = S.approved
    elif d.internal_gate or d.status == S.pending:
        d.status = S.pending
    else:
        d.status = S.in_review
    d.updated_at = utcnow()
    session.add(d)
    session.flush()
    _log(
        session,
        actor,
        d,
        Action.deliverable_linked if url else Action.deliverable_uploaded,
        f"{actor.label} uploaded version {version.number} of {d.name}",
        object_type=_activity_type(d),
    )
    if d.status == S.in_review:
        _announce_review(session, actor=actor, deliverable=d)
    return d


def _log(
    session: Session,
    actor: Actor,
    d: Deliverable,
    action: Action,
    description: str,
    object_type: str = "deliverable",
) -> None:
    """The activity row for a step of ``d``."""
    activity.record(
        session,
        actor=actor,
        company_id=d.company_id,
        action=action,
        object_type=object_type,
        object_id=d.id,
        object_label=d.name,
        description=description,
    )


def _activity_type(d: Deliverable) -> str:
    """Steps behind the internal gate are staff-only activity until a PM releases the version."""
    return INTERNAL_ACTIVITY_TYPE if d.internal_gate else "deliverable"


def internal_approve(
    session: Session, *, actor: Actor, deliverable_id: int, version_id: int
) -> Deliverable:
    """Release the current version to the client (the internal gate)."""
    _require_staff(actor, "deliverable.update")
    d = _for_update(session, actor=actor, deliverable_id=deliverable_id)
    version = session.get(DeliverableVersion, version_id)
    if version is None or version.deliverable_id != d.id:
        raise NotFound()
    if not d.internal_gate:
        raise Conflict("This deliverable has no internal review step.", code="no_internal_gate")
    if version.number != d.current_version:
        raise Conflict("Only the latest version can be released.", code="not_latest_version")
    if version.internal_approved_at is not None:
        raise Conflict("That version is already approved internally.", code="already_released")
    version.internal_approved_by_id = actor.user_id
    version.internal_approved_at = utcnow()
    d.visible_version = version.number
    d.updated_at = utcnow()
    session.add_all([version, d])
    session.flush()
    _log(
        session,
        actor,
        d,
        Action.deliverable_internally_approved,
        f"{actor.label} released version {version.number} of {d.name}",
        object_type=INTERNAL_ACTIVITY_TYPE,
    )
    return d


# The review cycle ----------------------------------------------------------------------------


def _client_reviewer_ids(session: Session, company_id: int) -> list[int]:
    rows = session.exec(
        select(User.id).where(
            User.company_id == company_id,
            User.is_active,
            User.client_role.in_([ClientRole.collaborator.value, ClientRole.admin.value]),  # type: ignore[union-attr]
        )
    ).all()
    return [r for r in rows if r is not None]


def _manager_ids(session: Session, deliverable: Deliverable) -> list[int]:
    parent = session.exec(
        select(Company.parent_id).where(Company.id == deliverable.company_id)
    ).first()
    companies = [deliverable.company_id, *([parent] if parent else [])]
    rows = session.exec(
        select(PortalManager.user_id).where(PortalManager.company_id.in_(companies))  # type: ignore[attr-defined]
    ).all()
    return sorted({*rows, *([deliverable.created_by_id] if deliverable.created_by_id else [])})


def _portal_url(session: Session, deliverable: Deliverable) -> str | None:
    slug = session.exec(
        select(Portal.slug).where(Portal.company_id == deliverable.company_id)
    ).first()
    return f"/p/{slug}/deliverables/{deliverable.id}" if slug else None


def _announce_review(session: Session, *, actor: Actor, deliverable: Deliverable) -> None:
    _log(
        session,
        actor,
        deliverable,
        Action.deliverable_in_review,
        f"{actor.label} sent {deliverable.name} (version {deliverable.visible_version}) for review",
    )
    notify(
        session,
        user_ids=_client_reviewer_ids(session, deliverable.company_id),
        type="deliverable_in_review",
        title=f"{deliverable.name} is ready for your review",
        company_id=deliverable.company_id,
        actor=actor,
        url=_portal_url(session, deliverable),
    )


def submit(session: Session, *, actor: Actor, deliverable_id: int) -> Deliverable:
    """Send the current version to the client for review (staff)."""
    _require_staff(actor, "deliverable.update")
    d = _for_update(session, actor=actor, deliverable_id=deliverable_id)
    if not d.require_approval:
        raise Conflict("This deliverable needs no approval.", code="approval_not_required")
    target = transition(d, "submit")
    if d.visible_version != d.current_version:
        raise Conflict(
            f"Approve version {d.current_version} internally before the client sees it.",
            code="internal_approval_required",
        )
    d.status = target
    d.updated_at = utcnow()
    session.add(d)
    session.flush()
    _announce_review(session, actor=actor, deliverable=d)
    return d


def request_revision(
    session: Session, *, actor: Actor, deliverable_id: int, note: str
) -> Deliverable:
    """The client asks for changes; the note is required and the allowance is enforced."""
    _require_client_approver(actor)
    d = _for_update(session, actor=actor, deliverable_id=deliverable_id)
    target = transition(d, "request_revision")
    note = (note or "").strip()
    if not note:
        raise Invalid(errors={"note": ["Say what should change."]})
    if len(note) > 4000:
        raise Invalid(errors={"note": ["Keep the note under 4,000 characters."]})
    if d.revisions_used >= d.revisions_allowed:
        raise Conflict(
            f"All {d.revisions_allowed} revision rounds are used. Ask your project manager "
            "to extend the allowance, or approve this version.",
            code="revision_limit_reached",
        )
    d.status = target
    d.revisions_used += 1
    d.revision_note = note
    d.updated_at = utcnow()
    session.add(d)
    session.flush()
    _log(
        session,
        actor,
        d,
        Action.deliverable_revision_requested,
        f"{actor.label} requested a revision of {d.name}: {note}",
    )
    notify(
        session,
        user_ids=_manager_ids(session, d),
        type="deliverable_revision_requested",
        title=f"Revision requested on {d.name}",
        body=note,
        company_id=d.company_id,
        actor=actor,
        url=_portal_url(session, d),
    )
    return d


def approve(
    session: Session,
    *,
    actor: Actor,
    deliverable_id: int,
    version_number: int | None = None,
    ip_address: str = "",
    user_agent: str = "",
) -> ApprovalReceipt:
    """The client approves the version they saw; returns the immutable receipt.

    ``version_number`` (what the approver was shown) must still be the current one: a version
    uploaded meanwhile is never approved unseen.
    """
    _require_client_approver(actor)
    if actor.user_id is None:
        # a receipt must name a person: keys and anonymous integrations cannot sign off
        raise Forbidden(
            "Approvals are made by a person: sign in to approve.", code="approver_required"
        )
    d = _for_update(session, actor=actor, deliverable_id=deliverable_id)
    target = transition(d, "approve")
    if version_number is not None and version_number != d.visible_version:
        raise Conflict(
            "A newer version was uploaded meanwhile. Review it before approving.",
            code="version_changed",
        )
    version = session.exec(
        select(DeliverableVersion).where(
            DeliverableVersion.deliverable_id == d.id,
            DeliverableVersion.number == d.visible_version,
        )
    ).one()
    approver = session.get(User, actor.user_id) if actor.user_id else None
    now = utcnow()
    d.status = target
    d.approved_by_id = actor.user_id
    d.approved_at = now
    d.updated_at = now
    receipt = ApprovalReceipt(
        company_id=d.company_id,
        deliverable_id=d.id,  # type: ignore[arg-type]
        version_id=version.id,  # type: ignore[arg-type]
        version_number=version.number,
        deliverable_name=d.name,
        sha256=version.sha256,
        approver_id=actor.user_id,
        approver_name=approver.display_name if approver else actor.label,
        approver_email=approver.email if approver else "",
        approved_at=now,
        ip_address=(ip_address or "")[:64],
        user_agent=(user_agent or "")[:1000],
    )
    session.add_all([d, receipt])
    session.flush()
    _log(
        session,
        actor,
        d,
        Action.deliverable_approved,
        f"{actor.label} approved version {version.number} of {d.name}",
    )
    notify(
        session,
        user_ids=_manager_ids(session, d),
        type="deliverable_approved",
        title=f"{d.name} was approved",
        company_id=d.company_id,
        actor=actor,
        url=_portal_url(session, d),
    )
    return receipt


def extend_revisions(
    session: Session, *, actor: Actor, deliverable_id: int, extra: int
) -> Deliverable:
    """Grant more revision rounds (staff)."""
    _require_staff(actor, "deliverable.update")
    d = _for_update(session, actor=actor, deliverable_id=deliverable_id)
    if not 1 <= extra <= 20 or d.revisions_allowed + extra > MAX_REVISIONS:
        raise Invalid(errors={"extra": ["Add between 1 and 20 rounds."]})
    d.revisions_allowed += extra
    d.updated_at = utcnow()
    session.add(d)
    session.flush()
    _log(
        session,
        actor,
        d,
        Action.deliverable_revisions_extended,
        f"{actor.label} allowed {extra} more revision round{'' if extra == 1 else 's'} on {d.name}",
    )
    return d


def get_receipt(
    session: Session, *, actor: Actor, deliverable_id: int, receipt_id: int
) -> ApprovalReceipt:
    d = get_deliverable(session, actor=actor, deliverable_id=deliverable_id)
    receipt = get_for_actor(session, ApprovalReceipt, receipt_id, actor)
    if receipt.deliverable_id != d.id:
        raise NotFound()
    return receipt


def get_version(
    session: Session, *, actor: Actor, deliverable_id: int, version_id: int
) -> tuple[Deliverable, DeliverableVersion]:
    """A version the actor may open: clients only get released versions."""
    d = get_deliverable(session, actor=actor, deliverable_id=deliverable_id)
    version = get_for_actor(session, DeliverableVersion, version_id, actor)
    if version.deliverable_id != d.id:
        raise NotFound()
    if not actor.is_staff and version.number > (d.visible_version or 0):
        raise NotFound()
    return d, version


def receipt_document(receipt: ApprovalReceipt) -> dict[str, object]:
    """The downloadable form of a receipt: everything needed to prove what was approved."""
    return {
        "receipt_id": receipt.id,
        "deliverable_id": receipt.deliverable_id,
        "deliverable_name": receipt.deliverable_name,
        "version_number": receipt.version_number,
        "version_id": receipt.version_id,
        "sha256": receipt.sha256,
        "approver_id": receipt.approver_id,
        "approver_name": receipt.approver_name,
        "approver_email": receipt.approver_email,
        "approved_at": receipt.approved_at.isoformat().replace("+00:00", "Z"),
        "ip_address": receipt.ip_address,
        "user_agent": receipt.user_agent,
    }
