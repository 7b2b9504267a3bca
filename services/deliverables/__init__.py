"""Deliverables: the review cycle (reference 003) as an explicit state machine.

pending --submit--> in_review --request_revision--> revision_requested --new version--> in_review
in_review --approve--> approved. A new version re-opens review; an approval binds to the exact
version (its SHA-256) and leaves an immutable receipt. With the internal gate on, the client sees
a version only once staff approved it internally.
"""

from __future__ import annotations

import hashlib

from sqlmodel import Session, col, select

from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.filetypes import safe_display_name
from portal.models import (
    ApiKey,
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
from portal.models.deliverable import (
    DeliverableCreate,
    RevisionExtension,
    RevisionRequest,
    VersionCreate,
)
from portal.storage import Blob, Storage, Upload, document_blob, get_storage
from portal.tenancy import Actor, get_for_actor, require_staff, role_at_least
from services import notes
from services.deliverables import files as deliverable_files
from services.deliverables.queries import (  # noqa: F401  (the dashboard's and staff area's)
    approvals_queue,
    waiting_for,
)
from services.deliverables.settings import MAX_REVISIONS, default_revisions_allowed
from services.events import activity
from services.events.notifications import Subject, notify, resolve
from services.files.uploads import Received

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


# Permissions and lookups --------------------------------------------------------------------


def _require_agency(actor: Actor, node: str) -> None:
    require_staff(actor, node, "Only the agency team can do that.")


def _require_client_approver(actor: Actor) -> None:
    if actor.is_staff:
        raise Forbidden("Only the client can approve or request revisions.")
    if not role_at_least(actor, ClientRole.collaborator):
        raise Forbidden("Viewers cannot approve or request revisions.")


def can_review(actor: Actor) -> bool:
    return not actor.is_staff and role_at_least(actor, ClientRole.collaborator)


def get_deliverable(session: Session, *, actor: Actor, deliverable_id: int) -> Deliverable:
    """A deliverable the actor may see (clients never see one with nothing released:
    ``Deliverable.__staff_only__``)."""
    return get_for_actor(session, Deliverable, deliverable_id, actor)


def _lock(session: Session, deliverable: Deliverable) -> Deliverable:
    """Re-read under a row lock: concurrent reviews of one deliverable (two approvals, a
    revision racing a new version) apply one after the other."""
    session.refresh(deliverable, with_for_update=True)
    return deliverable


# Creation and versions -----------------------------------------------------------------------


def _require_one_source(upload: Upload | None, url: str | None) -> None:
    if (upload is None) == (url is None):
        raise Invalid(errors={"file": ["Upload a file or give a link (one of the two)."]})


def _add_version(
    session: Session,
    *,
    actor: Actor,
    deliverable: Deliverable,
    received: Received | None,
    url: str | None,
    note: str,
    storage: Storage,
) -> DeliverableVersion:
    assert deliverable.id is not None
    number = deliverable.current_version + 1
    version = DeliverableVersion(
        deliverable_id=deliverable.id,
        company_id=deliverable.company_id,
        number=number,
        note=note,
        uploaded_by_id=actor.user_id,
        sha256="",
    )
    if received is not None:
        version.original_name = received.name
        version.size = received.temp.size
        version.sha256 = received.temp.sha256
        version.content_type = received.content_type
        version.storage_key = deliverable_files.new_key(deliverable.company_id, deliverable.id)
    else:
        version.url = url
        version.original_name = url or ""
        version.sha256 = hashlib.sha256((url or "").encode()).hexdigest()
    try:
        session.add(version)
        session.flush()
        if received is not None and version.storage_key:
            storage.promote(received.temp, version.storage_key)
    except BaseException:
        if received is not None:
            storage.discard(received.temp)
        raise
    deliverable.current_version = number
    deliverable.linked = received is None
    if not deliverable.internal_gate:
        deliverable.visible_version = number
    return version


def create_deliverable(
    session: Session,
    *,
    actor: Actor,
    portal: Portal,
    data: DeliverableCreate,
    upload: Upload | None = None,
    storage: Storage | None = None,
) -> Deliverable:
    """Create a file or link deliverable in ``portal`` (staff). Without approval it is approved
    at once, with a null approver (reference 003)."""
    _require_agency(actor, "deliverable.create")
    if not actor.can_see_company(portal.company_id):
        raise NotFound()
    _require_one_source(upload, data.url)
    name = data.name or (safe_display_name(upload.filename) if upload else "")
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Give the deliverable a name."]
    elif len(name) > 200:
        errors["name"] = ["Keep the name under 200 characters."]
    cat = None
    if data.category:
        cat = session.exec(
            select(DeliverableCategory).where(DeliverableCategory.slug == data.category)
        ).first()
        if cat is None:
            errors["category"] = ["Unknown category."]
    if data.project_id is not None:
        project = session.get(Project, data.project_id)
        if project is None or project.company_id != portal.company_id:
            errors["project_id"] = ["Pick a project of this company."]
    if errors:
        raise Invalid(errors=errors)
    revisions_allowed = data.revisions_allowed
    if revisions_allowed is None:
        revisions_allowed = (
            cat.revisions_allowed
            if cat is not None and cat.revisions_allowed is not None
            else default_revisions_allowed(session)
        )
    storage = storage or get_storage()
    d = Deliverable(
        company_id=portal.company_id,
        project_id=data.project_id,
        category_id=cat.id if cat else None,
        name=name,
        description=data.description,
        require_approval=data.require_approval,
        internal_gate=data.internal_gate,
        revisions_allowed=revisions_allowed,
        status=S.pending if data.require_approval else S.approved,
        created_by_id=actor.user_id,
    )
    # the file is checked before any row exists: a refused one leaves nothing behind
    received = (
        deliverable_files.receive_version_file(
            session, deliverable=d, upload=upload, storage=storage
        )
        if upload is not None
        else None
    )
    session.add(d)
    session.flush()
    _add_version(
        session,
        actor=actor,
        deliverable=d,
        received=received,
        url=data.url,
        note=data.note,
        storage=storage,
    )
    session.add(d)
    session.flush()
    _log(
        session,
        actor,
        d,
        Action.deliverable_linked if data.url else Action.deliverable_uploaded,
        f"{actor.label} added {d.name}"
        + ("" if data.require_approval else " (no approval needed)"),
        object_type=_activity_type(d),
    )
    return d


def add_version(
    session: Session,
    *,
    actor: Actor,
    deliverable_id: int,
    data: VersionCreate,
    upload: Upload | None = None,
    storage: Storage | None = None,
) -> Deliverable:
    """Upload a new version (staff): history is kept and review re-opens, since an approval
    only ever covers the version it was given for."""
    d = get_deliverable(session, actor=actor, deliverable_id=deliverable_id)
    _require_agency(actor, "deliverable.update")
    _require_one_source(upload, data.url)
    storage = storage or get_storage()
    received = (
        deliverable_files.receive_version_file(
            session, deliverable=d, upload=upload, storage=storage
        )
        if upload is not None
        else None
    )
    _lock(session, d)
    version = _add_version(
        session,
        actor=actor,
        deliverable=d,
        received=received,
        url=data.url,
        note=data.note,
        storage=storage,
    )
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
        Action.deliverable_linked if data.url else Action.deliverable_uploaded,
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
    d = get_deliverable(session, actor=actor, deliverable_id=deliverable_id)
    _require_agency(actor, "deliverable.update")
    version = get_for_actor(session, DeliverableVersion, version_id, actor)
    if version.deliverable_id != d.id:
        raise NotFound()
    _lock(session, d)
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
            col(User.is_active),
            col(User.client_role).in_([ClientRole.collaborator.value, ClientRole.admin.value]),
        )
    ).all()
    return [r for r in rows if r is not None]


def _manager_ids(session: Session, deliverable: Deliverable) -> list[int]:
    parent = session.exec(
        select(Company.parent_id).where(Company.id == deliverable.company_id)
    ).first()
    companies = [deliverable.company_id, *([parent] if parent else [])]
    rows = session.exec(
        select(PortalManager.user_id).where(col(PortalManager.company_id).in_(companies))
    ).all()
    return sorted({*rows, *([deliverable.created_by_id] if deliverable.created_by_id else [])})


def _portal_url(session: Session, deliverable: Deliverable) -> str | None:
    slug = session.exec(
        select(Portal.slug).where(Portal.company_id == deliverable.company_id)
    ).first()
    return f"/p/{slug}/deliverables/{deliverable.id}" if slug else None


def _subject(deliverable: Deliverable) -> Subject:
    return Subject("deliverable", deliverable.id, deliverable.name)


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
        subject=_subject(deliverable),
    )
    # a version is back in review: the managers' "revision requested" notices are done
    resolve(session, subject=_subject(deliverable), types=["deliverable_revision_requested"])


def submit(session: Session, *, actor: Actor, deliverable_id: int) -> Deliverable:
    """Send the current version to the client for review (staff)."""
    d = get_deliverable(session, actor=actor, deliverable_id=deliverable_id)
    _require_agency(actor, "deliverable.update")
    _lock(session, d)
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
    session: Session, *, actor: Actor, deliverable_id: int, data: RevisionRequest
) -> Deliverable:
    """The client asks for changes (saying what); the revision allowance is enforced."""
    d = get_deliverable(session, actor=actor, deliverable_id=deliverable_id)
    _require_client_approver(actor)
    _lock(session, d)
    target = transition(d, "request_revision")
    note = data.note
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
    managers = _manager_ids(session, d)
    notify(
        session,
        user_ids=managers,
        type="deliverable_revision_requested",
        title=f"Revision requested on {d.name}",
        body=note,
        company_id=d.company_id,
        actor=actor,
        url=_portal_url(session, d),
        subject=_subject(d),
    )
    notes.notify_mentions(
        session,
        actor=actor,
        company_id=d.company_id,
        tokens=notes.mention_tokens(note),
        type="deliverable_mention",
        label=d.name,
        body=note,
        url=_portal_url(session, d),
        staff_only=d.visible_version is None,
        skip=set(managers),  # told once already, by the revision notice
    )
    # the review is given: every approver's "ready for your review" notice is done
    resolve(session, subject=_subject(d), types=["deliverable_in_review"])
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
    d = get_deliverable(session, actor=actor, deliverable_id=deliverable_id)
    _require_client_approver(actor)
    if actor.user_id is None and actor.api_key_id is None:
        # a receipt must name someone accountable: a person, or a company key and its creator
        raise Forbidden(
            "Approvals are made by a person: sign in to approve.", code="approver_required"
        )
    _lock(session, d)
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
    assert d.id is not None and version.id is not None
    approver_name, approver_email = _signer(session, actor)
    now = utcnow()
    d.status = target
    d.approved_by_id = actor.user_id
    d.approved_at = now
    d.updated_at = now
    receipt = ApprovalReceipt(
        company_id=d.company_id,
        deliverable_id=d.id,
        version_id=version.id,
        version_number=version.number,
        deliverable_name=d.name,
        sha256=version.sha256,
        approver_id=actor.user_id,
        approver_name=approver_name,
        approver_email=approver_email,
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
        subject=_subject(d),
    )
    resolve(session, subject=_subject(d), types=["deliverable_in_review"])
    return receipt


def _signer(session: Session, actor: Actor) -> tuple[str, str]:
    """The name and email an approval receipt gives: the signed-in person, or (SPEC §7: a
    company key acts as its client admin) the key and the person who created it."""
    if actor.user_id is not None:
        user = session.get(User, actor.user_id)
        return (user.display_name, user.email) if user else (actor.label, "")
    key = session.get(ApiKey, actor.api_key_id) if actor.api_key_id else None
    if key is None:
        return actor.label, ""
    creator = session.get(User, key.created_by_id) if key.created_by_id else None
    made_by = f"created by {creator.display_name}" if creator else "creator unknown"
    name = f"API key “{key.name}” ({key.prefix}…), {made_by}"
    return name[:200], creator.email if creator else ""


def extend_revisions(
    session: Session, *, actor: Actor, deliverable_id: int, data: RevisionExtension
) -> Deliverable:
    """Grant more revision rounds (staff), up to the overall maximum."""
    d = get_deliverable(session, actor=actor, deliverable_id=deliverable_id)
    _require_agency(actor, "deliverable.update")
    _lock(session, d)
    extra = data.extra
    if d.revisions_allowed + extra > MAX_REVISIONS:
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
    """A version the actor may open: clients only get released versions
    (``DeliverableVersion.__staff_only__``)."""
    d = get_deliverable(session, actor=actor, deliverable_id=deliverable_id)
    version = get_for_actor(session, DeliverableVersion, version_id, actor)
    if version.deliverable_id != d.id:
        raise NotFound()
    return d, version


def open_version(
    session: Session,
    *,
    actor: Actor,
    deliverable_id: int,
    version_id: int,
    storage: Storage | None = None,
) -> Blob:
    """A version the actor may open, for the one download responder."""
    _, version = get_version(
        session, actor=actor, deliverable_id=deliverable_id, version_id=version_id
    )
    return deliverable_files.version_blob(version, storage=storage or get_storage())


def receipt_file(
    session: Session,
    *,
    actor: Actor,
    deliverable_id: int,
    receipt_id: int,
    as_text: bool = False,
) -> Blob:
    """A receipt as a document to download: JSON, or one ``key: value`` line per field."""
    receipt = get_receipt(
        session, actor=actor, deliverable_id=deliverable_id, receipt_id=receipt_id
    )
    return document_blob(
        receipt_document(receipt), name=f"approval-receipt-{receipt.id}", as_text=as_text
    )


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
