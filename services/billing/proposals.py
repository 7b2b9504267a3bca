"""Proposals (SPEC §5.6): staff share a sales opportunity with its company; a client admin
accepts or declines it in the Invoices tab.

Sharing freezes the opportunity's product lines into version 1 (canonical JSON, SHA-256).
Sharing again, or revising, adds a version and resets the decision; the client always sees the
latest version and may only decide on it (deciding on an older one is a 409). Accepting takes
the client admin's typed full name and consent and leaves an immutable receipt bound to the
version's hash (the contract signature receipt, :mod:`services.billing.contracts`). Billing
staff then turn the accepted version into an invoice draft in one step
(:func:`draft_invoice_from_proposal`, through :func:`services.billing.create_invoice`). An
accepted proposal is frozen; an expired one cannot be accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.models import ActivityLog, ClientRole, Company, Invoice, Portal, PortalManager, User
from portal.models.activity import INTERNAL_INVOICE_ACTIVITY, Action
from portal.models.base import utcnow
from portal.models.billing import InvoiceCreate, InvoiceLineIn, format_amount
from portal.models.budget import BudgetLineIn
from portal.models.catalog import CATALOG_CURRENCY
from portal.models.proposal import (
    Proposal,
    ProposalAccept,
    ProposalAcceptance,
    ProposalDecline,
    ProposalDocument,
    ProposalLine,
    ProposalRevise,
    ProposalShare,
    ProposalStatus,
    ProposalVersion,
)
from portal.permissions import register_node
from portal.storage import Blob, document_blob
from portal.tenancy import (
    Actor,
    can_read_field,
    get_for_actor,
    require_staff,
    role_at_least,
    scoped,
    staff_can,
)
from portal.web.pagination import Head, Page, head, paginate
from services import billing
from services.billing.amounts import minor
from services.billing.contracts import company_names
from services.catalog import sales
from services.events import activity
from services.events.notifications import notify

SHARE_NODE = register_node(
    "sales.proposal.share", "Share opportunities with their company as proposals and revise them"
)
P = ProposalStatus
DEFAULT_VALIDITY_DAYS = 30
CONSENT_TEXT = (
    "I accept this proposal on behalf of my company. Typing my full name and pressing Accept is "
    "my electronic signature, with the same effect as a handwritten one."
)


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def get_proposal(session: Session, *, actor: Actor, proposal_id: object) -> Proposal:
    """A proposal the actor may see (its company's group; staff their portals)."""
    return get_for_actor(session, Proposal, proposal_id, actor)


def latest_version(session: Session, proposal: Proposal) -> ProposalVersion:
    version = session.exec(
        select(ProposalVersion).where(
            ProposalVersion.proposal_id == proposal.id, ProposalVersion.number == proposal.version
        )
    ).first()
    assert version is not None, f"proposal {proposal.id} has no version {proposal.version}"
    return version


def portal_url(session: Session, proposal: Proposal) -> str | None:
    slug = session.exec(select(Portal.slug).where(Portal.company_id == proposal.company_id)).first()
    return f"/p/{slug}/invoices/proposals/{proposal.id}" if slug else None


def _log(session: Session, actor: Actor, proposal: Proposal, action: Action, text: str) -> None:
    activity.record(
        session,
        actor=actor,
        company_id=proposal.company_id,
        action=action,
        object_type="proposal",
        object_id=proposal.id,
        object_label=proposal.title,
        description=text,
    )


def _manager_ids(session: Session, proposal: Proposal) -> list[int]:
    parent = session.exec(
        select(Company.parent_id).where(Company.id == proposal.company_id)
    ).first()
    companies = [proposal.company_id, *([parent] if parent else [])]
    rows = session.exec(
        select(PortalManager.user_id).where(col(PortalManager.company_id).in_(companies))
    ).all()
    sharers = session.exec(
        select(ProposalVersion.shared_by_id).where(ProposalVersion.proposal_id == proposal.id)
    ).all()
    people = {*rows, *sharers, proposal.created_by_id}
    return sorted(p for p in people if p is not None)


def _lines_from(
    raw: list[BudgetLineIn], currency: str, current: tuple[ProposalLine, ...]
) -> tuple[ProposalLine, ...]:
    """The edited lines; a line keeps its catalog item when its description is unchanged."""
    items: dict[str, list[int | None]] = {}
    for old in current:
        items.setdefault(old.description, []).append(old.catalog_item_id)
    lines = []
    for new in raw:
        description = " ".join(new.description.split())[:500]
        known = items.get(description) or [None]
        lines.append(
            ProposalLine(
                description=description,
                quantity=new.quantity,
                unit_price=new.unit_price,
                currency=currency,
                catalog_item_id=known.pop(0),
            )
        )
    return tuple(lines)


def _opportunity_document(
    session: Session, actor: Actor, opportunity_id: object, data: ProposalShare
) -> tuple[int, int, ProposalDocument]:
    """(company, opportunity, document) from an opportunity's current product lines."""
    opp = sales.get_opportunity(session, actor=actor, opportunity_id=opportunity_id)
    assert opp.id is not None
    products = sales.products_of(session, opp.id)
    if not products:
        raise Conflict(
            "Add products to the opportunity before sharing it as a proposal.",
            code="opportunity_empty",
        )
    lines = []
    for product in products:
        try:
            valid = BudgetLineIn(
                description=product.description or "Item",
                quantity=product.quantity,
                unit_price=product.unit_price,
            )
        except ValueError:
            raise Invalid(
                errors={"lines": [f"The line “{product.description}” has an unusable amount."]}
            ) from None
        lines.append(
            ProposalLine(
                description=valid.description,
                quantity=valid.quantity,
                unit_price=valid.unit_price,
                currency=CATALOG_CURRENCY,
                catalog_item_id=product.catalog_item_id,
            )
        )
    valid_until = data.valid_until or date.today() + timedelta(days=DEFAULT_VALIDITY_DAYS)
    if valid_until < date.today():
        raise Invalid(errors={"valid_until": ["The validity date cannot be in the past."]})
    document = ProposalDocument(
        title=(data.title or "").strip() or opp.name,
        currency=CATALOG_CURRENCY,
        valid_until=valid_until,
        terms=data.terms.strip(),
        lines=tuple(lines),
    )
    return opp.company_id, opp.id, document


def _add_version(
    session: Session, actor: Actor, proposal: Proposal, document: ProposalDocument
) -> ProposalVersion:
    content = document.to_json()
    assert proposal.id is not None
    version = ProposalVersion(
        proposal_id=proposal.id,
        company_id=proposal.company_id,
        number=proposal.version,
        content=content,
        sha256=ProposalDocument.hash_of(content),
        currency=document.currency,
        total_minor=minor(document.total, document.currency),
        valid_until=document.valid_until,
        shared_by_id=actor.user_id,
        shared_at=utcnow(),
    )
    session.add(version)
    session.flush()
    return version


def _announce(session: Session, actor: Actor, proposal: Proposal, version: ProposalVersion) -> None:
    total = format_amount(version.total, version.currency)
    first = version.number == 1
    _log(
        session,
        actor,
        proposal,
        Action.proposal_shared if first else Action.proposal_revised,
        # no amount in the log: every staff member with the portal reads it, whatever their
        # role shows of the opportunity's total (``obj.opportunity.total``)
        f"{actor.label} {'shared' if first else 'revised'} the proposal {proposal.title} "
        f"(version {version.number})",
    )
    notify(
        session,
        user_ids=billing.contact_ids(session, proposal.company_id),
        type="proposal_shared",
        title=(
            f"Proposal {proposal.title} ({total}) awaits your decision"
            if first
            else f"Proposal {proposal.title} was updated (version {version.number}, {total})"
        ),
        company_id=proposal.company_id,
        actor=actor,
        url=portal_url(session, proposal),
    )


def _open_proposal_of(session: Session, opportunity_id: int) -> Proposal | None:
    return session.exec(
        select(Proposal)
        .where(Proposal.opportunity_id == opportunity_id)
        .order_by(col(Proposal.id).desc())
        .with_for_update()
    ).first()


def share_opportunity(
    session: Session, *, actor: Actor, opportunity_id: object, data: ProposalShare
) -> Proposal:
    """Share an opportunity with its company as a proposal (``sales.proposal.share``). Sharing
    it again adds a version from the opportunity's current lines; an accepted one is a 409."""
    if not staff_can(actor, SHARE_NODE):
        sales.get_opportunity(session, actor=actor, opportunity_id=opportunity_id)
        raise Forbidden("Only the agency's sales staff can share proposals.")
    company_id, opp_id, document = _opportunity_document(session, actor, opportunity_id, data)
    proposal = _open_proposal_of(session, opp_id)
    if proposal is not None and proposal.status == P.accepted:
        raise Conflict(
            "This opportunity's proposal was accepted and is frozen.", code="proposal_accepted"
        )
    if proposal is None:
        proposal = Proposal(
            company_id=company_id,
            opportunity_id=opp_id,
            title=document.title,
            version=1,
            created_by_id=actor.user_id,
        )
        session.add(proposal)
        session.flush()
    else:
        proposal.version += 1
        proposal.title = document.title
        proposal.status = P.awaiting.value
        proposal.updated_at = utcnow()
        session.add(proposal)
        session.flush()
    version = _add_version(session, actor, proposal, document)
    _announce(session, actor, proposal, version)
    return proposal


def shows_prices(actor: Actor) -> bool:
    """Whether the actor reads a proposal's prices: clients their own proposals whole (field
    gating is a staff mechanism); staff with ``obj.opportunity.total`` (the prices add up to
    the opportunity's total)."""
    return not actor.is_staff or can_read_field(actor, sales.OPPORTUNITY_SCOPE, "total")


def may_revise(actor: Actor) -> bool:
    """Sales staff revise proposals; a revision sets the lines' prices, so only a role that
    reads them (``obj.opportunity.total``: the prices add up to it)."""
    return staff_can(actor, SHARE_NODE) and shows_prices(actor)


def revise_proposal(
    session: Session, *, actor: Actor, proposal_id: object, data: ProposalRevise
) -> Proposal:
    """A new version with the fields sent changed; the decision starts over. An accepted
    proposal is frozen (409); a revision that changes nothing is refused (422)."""
    proposal = get_proposal(session, actor=actor, proposal_id=proposal_id)
    if not staff_can(actor, SHARE_NODE):
        raise Forbidden("Only the agency's sales staff can revise proposals.")
    if not may_revise(actor):
        raise Forbidden("Revising a proposal sets its prices, which your role does not show.")
    session.refresh(proposal, with_for_update=True)
    if proposal.status == P.accepted:
        raise Conflict("An accepted proposal is frozen.", code="proposal_accepted")
    current = latest_version(session, proposal).document
    valid_until = data.valid_until or current.valid_until
    errors: dict[str, list[str]] = {}
    if data.valid_until is not None and valid_until < date.today():
        errors["valid_until"] = ["The validity date cannot be in the past."]
    if data.lines is not None and not data.lines:
        errors["lines"] = ["A proposal needs at least one line."]
    title = (data.title or "").strip() if data.title is not None else current.title
    if not title:
        errors["title"] = ["Give the proposal a title."]
    if errors:
        raise Invalid(errors=errors)
    document = ProposalDocument(
        title=title,
        currency=current.currency,
        valid_until=valid_until,
        terms=current.terms if data.terms is None else data.terms.strip(),
        lines=current.lines
        if data.lines is None
        else _lines_from(data.lines, current.currency, current.lines),
    )
    if document.to_json() == current.to_json():
        raise Invalid(errors={"_": ["Nothing changed: this is the version already shared."]})
    proposal.version += 1
    proposal.title = document.title
    proposal.status = P.awaiting.value
    proposal.updated_at = utcnow()
    session.add(proposal)
    session.flush()
    version = _add_version(session, actor, proposal, document)
    _announce(session, actor, proposal, version)
    return proposal


def _decider(session: Session, actor: Actor, proposal_id: object, version: int) -> Proposal:
    """The proposal a client admin decides on, locked; refusals in the order a person meets
    them: not theirs to decide (403), already decided or changed since they read it (409)."""
    proposal = get_proposal(session, actor=actor, proposal_id=proposal_id)
    if actor.is_staff or actor.user_id is None or not role_at_least(actor, ClientRole.admin):
        raise Forbidden(
            "Only an admin of the client company can accept or decline a proposal.",
            code="not_a_decider",
        )
    session.refresh(proposal, with_for_update=True)
    if proposal.status == P.accepted:
        raise Conflict("This proposal was already accepted.", code="already_accepted")
    if version != proposal.version:
        raise Conflict(
            f"This proposal changed since you opened it: read version {proposal.version} "
            "before deciding.",
            code="proposal_changed",
        )
    if proposal.status == P.declined:
        raise Conflict("This version was already declined.", code="already_declined")
    return proposal


def accept_proposal(
    session: Session,
    *,
    actor: Actor,
    proposal_id: object,
    data: ProposalAccept,
    ip_address: str = "",
    user_agent: str = "",
) -> ProposalAcceptance:
    """A client admin accepts the latest version: typed full name and consent and a receipt
    bound to the version's SHA-256. No invoice yet: staff draft it
    (:func:`draft_invoice_from_proposal`)."""
    proposal = _decider(session, actor, proposal_id, data.version)
    version = latest_version(session, proposal)
    if version.valid_until < date.today():
        raise Conflict(
            f"This proposal expired on {version.valid_until:%d %b %Y}; ask for a new version.",
            code="proposal_expired",
        )
    user = session.get(User, actor.user_id)
    assert user is not None
    errors: dict[str, list[str]] = {}
    if _name_key(data.typed_name) != _name_key(user.name):
        errors["typed_name"] = [f"Type your full name exactly as shown: {user.name}."]
    if not data.consent:
        errors["consent"] = ["Tick the box to accept electronically."]
    if errors:
        raise Invalid(errors=errors)
    assert proposal.id is not None and version.id is not None
    receipt = ProposalAcceptance(
        company_id=proposal.company_id,
        proposal_id=proposal.id,
        version_id=version.id,
        version_number=version.number,
        proposal_title=proposal.title,
        sha256=version.sha256,
        total=format(version.total, "f"),
        currency=version.currency,
        user_id=user.id,
        user_email=user.email,
        typed_name=" ".join(data.typed_name.split()),
        consent=CONSENT_TEXT,
        accepted_at=utcnow(),
        ip_address=(ip_address or "")[:64],
        user_agent=(user_agent or "")[:1000],
    )
    try:
        with session.begin_nested():
            session.add(receipt)
            session.flush()
    except IntegrityError:
        raise Conflict("This proposal was already accepted.", code="already_accepted") from None
    version.decided_at = receipt.accepted_at
    version.decided_by_id = user.id
    session.add(version)
    proposal.status = P.accepted.value
    proposal.updated_at = utcnow()
    session.add(proposal)
    session.flush()
    _log(  # no amount, as when it was shared
        session,
        actor,
        proposal,
        Action.proposal_accepted,
        f"{receipt.typed_name} accepted the proposal {proposal.title} (version {version.number})",
    )
    notify(
        session,
        user_ids=_manager_ids(session, proposal),
        type="proposal_accepted",
        title=f"Proposal {proposal.title} was accepted: draft its invoice",
        company_id=proposal.company_id,
        actor=actor,
        url=portal_url(session, proposal),
    )
    return receipt


def draft_invoice_from_proposal(*, session: Session, actor: Actor, proposal_id: object) -> Invoice:
    """The staff step after an acceptance: an invoice draft from the accepted version's lines
    (billing staff, ``invoice.write``). Not accepted yet, or already drafted: 409."""
    proposal = get_proposal(session, actor=actor, proposal_id=proposal_id)
    require_staff(actor, billing.WRITE_NODE, "Only the agency's billing staff can draft invoices.")
    session.refresh(proposal, with_for_update=True)
    if proposal.status != P.accepted:
        raise Conflict(
            "Only an accepted proposal becomes an invoice draft.", code="proposal_not_accepted"
        )
    if proposal.invoice_id is not None:
        raise Conflict(
            "This proposal already has its invoice draft.", code="proposal_already_invoiced"
        )
    receipt = acceptance_of(session, proposal)
    assert receipt is not None, f"accepted proposal {proposal.id} has no receipt"
    version = session.get(ProposalVersion, receipt.version_id)
    assert version is not None
    document = version.document
    invoice = billing.create_invoice(
        session,
        actor=actor,
        company_id=proposal.company_id,
        data=InvoiceCreate(
            title=document.title[:200],
            currency=document.currency,
            notes=f"From proposal {proposal.title}, version {version.number}, accepted by "
            f"{receipt.typed_name}.",
            lines=[
                InvoiceLineIn(
                    description=line.description,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                )
                for line in document.lines
            ],
        ),
    )
    proposal.invoice_id = invoice.id
    proposal.updated_at = utcnow()
    session.add(proposal)
    session.flush()
    # staff-only, like every step on an invoice never sent (the client's feed never shows it)
    activity.record(
        session,
        actor=actor,
        company_id=proposal.company_id,
        action=Action.invoice_created,
        object_type=INTERNAL_INVOICE_ACTIVITY,
        object_id=invoice.id,
        object_label=invoice.number,
        description=f"{actor.label} drafted {invoice.number} from the accepted proposal "
        f"{proposal.title}",
    )
    return invoice


def decline_proposal(
    session: Session, *, actor: Actor, proposal_id: object, data: ProposalDecline
) -> Proposal:
    """A client admin declines the latest version, with a reason."""
    reason = " ".join(data.reason.split())
    proposal = _decider(session, actor, proposal_id, data.version)
    if not reason:
        raise Invalid(errors={"reason": ["Tell the team why you decline this proposal."]})
    version = latest_version(session, proposal)
    version.decline_reason = reason[:1000]
    version.decided_at = utcnow()
    version.decided_by_id = actor.user_id
    session.add(version)
    proposal.status = P.declined.value
    proposal.updated_at = utcnow()
    session.add(proposal)
    session.flush()
    _log(
        session,
        actor,
        proposal,
        Action.proposal_declined,
        f"{actor.label} declined the proposal {proposal.title}: {reason}",
    )
    notify(
        session,
        user_ids=_manager_ids(session, proposal),
        type="proposal_declined",
        title=f"Proposal {proposal.title} was declined",
        body=reason,
        company_id=proposal.company_id,
        actor=actor,
        url=portal_url(session, proposal),
    )
    return proposal


# Receipts ------------------------------------------------------------------------------------


def acceptance_of(session: Session, proposal: Proposal) -> ProposalAcceptance | None:
    return session.exec(
        select(ProposalAcceptance).where(ProposalAcceptance.proposal_id == proposal.id)
    ).first()


def acceptance_document(receipt: ProposalAcceptance) -> dict[str, object]:
    """The downloadable receipt: who accepted which exact version, when, from where."""
    return {
        "receipt_id": receipt.id,
        "proposal_id": receipt.proposal_id,
        "proposal_title": receipt.proposal_title,
        "version": receipt.version_number,
        "sha256": receipt.sha256,
        "total": receipt.total,
        "currency": receipt.currency,
        "accepted_by_id": receipt.user_id,
        "accepted_by_name": receipt.typed_name,
        "accepted_by_email": receipt.user_email,
        "accepted_at": receipt.accepted_at.isoformat().replace("+00:00", "Z"),
        "ip_address": receipt.ip_address,
        "user_agent": receipt.user_agent,
        "consent": receipt.consent,
    }


def receipt_file(
    session: Session, *, actor: Actor, proposal_id: object, as_text: bool = False
) -> Blob:
    proposal = get_proposal(session, actor=actor, proposal_id=proposal_id)
    receipt = acceptance_of(session, proposal)
    if receipt is None:
        raise NotFound("This proposal has not been accepted.")
    if not shows_prices(actor):  # the receipt repeats the accepted version's lines and total
        raise Forbidden("The receipt shows the proposal's prices, which your role does not show.")
    return document_blob(
        acceptance_document(receipt), name=f"proposal-receipt-{receipt.id}", as_text=as_text
    )


# Read side -----------------------------------------------------------------------------------

PAGE_SIZE = 20


@dataclass(frozen=True)
class ProposalRow:
    proposal: Proposal
    version: ProposalVersion
    company_name: str

    @property
    def expired(self) -> bool:
        return self.proposal.status == P.awaiting and self.version.valid_until < date.today()


@dataclass(frozen=True)
class ProposalsPage:
    page: Page[ProposalRow]
    group: bool
    is_staff: bool

    @property
    def rows(self) -> list[ProposalRow]:
        return list(self.page.items)


def _rows(session: Session, proposals: list[Proposal]) -> list[ProposalRow]:
    if not proposals:
        return []
    ids = [p.id for p in proposals]
    versions = {
        v.proposal_id: v
        for v in session.exec(
            select(ProposalVersion)
            .join(
                Proposal,
                and_(
                    col(Proposal.id) == col(ProposalVersion.proposal_id),
                    col(Proposal.version) == col(ProposalVersion.number),
                ),
            )
            .where(col(ProposalVersion.proposal_id).in_(ids))
        ).all()
    }
    names = company_names(session, {p.company_id for p in proposals})
    return [
        ProposalRow(p, versions[p.id], names.get(p.company_id, ""))
        for p in proposals
        if p.id in versions
    ]


def proposals_page(session: Session, *, actor: Actor, page: int = 1) -> ProposalsPage:
    """A portal's proposals (``actor`` narrowed to the portal's group), newest first, in a
    fixed number of queries."""
    listing = paginate(
        session,
        scoped(select(Proposal), actor, Proposal).order_by(
            col(Proposal.created_at).desc(), col(Proposal.id).desc()
        ),
        page=page,
        per_page=PAGE_SIZE,
    )
    rows = {r.proposal.id: r for r in _rows(session, list(listing.items))}
    return ProposalsPage(
        page=listing.map(lambda p: rows[p.id]),
        group=len(actor.company_ids or ()) > 1,
        is_staff=actor.is_staff,
    )


# Proposals awaiting a person's decision: the first rows and how many in all.
ProposalsWaiting = Head[ProposalRow]


def proposals_waiting(session: Session, *, actor: Actor, limit: int = 5) -> ProposalsWaiting:
    """Proposals the visitor may decide on (client admins; the rule of :func:`_decider`) that
    are awaiting a decision and not expired, oldest first, across the companies the actor sees;
    one query, plus a count only when there are more than ``limit``."""
    if actor.is_staff or actor.user_id is None or not role_at_least(actor, ClientRole.admin):
        return ProposalsWaiting(rows=[], total=0)
    stmt = (
        scoped(select(Proposal, ProposalVersion), actor, Proposal)
        .join(
            ProposalVersion,
            and_(
                col(Proposal.id) == col(ProposalVersion.proposal_id),
                col(Proposal.version) == col(ProposalVersion.number),
            ),
        )
        .where(Proposal.status == P.awaiting, col(ProposalVersion.valid_until) >= date.today())
    )
    first = head(
        session, stmt, order_by=[col(ProposalVersion.shared_at), col(Proposal.id)], limit=limit
    )
    return ProposalsWaiting(rows=[ProposalRow(p, v, "") for p, v in first.rows], total=first.total)


@dataclass(frozen=True)
class ProposalDetail:
    row: ProposalRow
    document: ProposalDocument
    versions: list[ProposalVersion]
    acceptance: ProposalAcceptance | None
    invoice: Invoice | None
    history: list[ActivityLog]
    can_decide: bool
    can_revise: bool
    can_draft_invoice: bool = False
    can_read_receipt: bool = True
    consent: str = CONSENT_TEXT

    @property
    def proposal(self) -> Proposal:
        return self.row.proposal

    @property
    def version(self) -> ProposalVersion:
        return self.row.version


def proposal_detail(
    session: Session, *, actor: Actor, proposal_id: object, can_write: bool = True
) -> ProposalDetail:
    """One proposal as its latest version, with its earlier versions, receipt and history."""
    proposal = get_proposal(session, actor=actor, proposal_id=proposal_id)
    assert proposal.id is not None
    row = _rows(session, [proposal])[0]
    versions = list(
        session.exec(
            select(ProposalVersion)
            .where(ProposalVersion.proposal_id == proposal.id)
            .order_by(col(ProposalVersion.number).desc())
        ).all()
    )
    invoice = None
    if proposal.invoice_id is not None and actor.is_staff:
        invoice = session.get(Invoice, proposal.invoice_id)
    history = activity.object_history(
        session, actor=actor, object_types=("proposal",), object_id=proposal.id
    )
    deciding = proposal.status == P.awaiting and not row.expired
    return ProposalDetail(
        row=row,
        document=row.version.document,
        versions=versions,
        acceptance=acceptance_of(session, proposal),
        invoice=invoice,
        history=history,
        can_decide=deciding
        and can_write
        and not actor.is_staff
        and role_at_least(actor, ClientRole.admin),
        can_revise=can_write and proposal.status != P.accepted and may_revise(actor),
        can_read_receipt=shows_prices(actor),
        can_draft_invoice=can_write
        and proposal.status == P.accepted
        and proposal.invoice_id is None
        and staff_can(actor, billing.WRITE_NODE),
    )


def proposals_of_opportunities(
    session: Session, opportunity_ids: list[int]
) -> dict[int, list[ProposalRow]]:
    """The proposals made from each opportunity (staff's opportunity page), two queries."""
    if not opportunity_ids:
        return {}
    proposals = list(
        session.exec(
            select(Proposal)
            .where(col(Proposal.opportunity_id).in_(opportunity_ids))
            .order_by(col(Proposal.id).desc())
        ).all()
    )
    out: dict[int, list[ProposalRow]] = {}
    for row in _rows(session, proposals):
        assert row.proposal.opportunity_id is not None
        out.setdefault(row.proposal.opportunity_id, []).append(row)
    return out
