"""Contracts with signers: staff upload the document (through the files pipeline) and name who
signs; each signer who is a portal user signs in the portal with their typed full name and
consent. The signature is an immutable receipt bound to the document's SHA-256 (the same receipt
mechanism as deliverable approvals).

Who may sign (reference 000 names no role for it): only the person named as a signer, matched
by the email they sign in with, whatever their client role — a viewer who is a signer signs,
an admin who is not one cannot sign for them. Visibility is the model's
(:meth:`Contract.__tenant_condition__`): a company sees a contract when a signer is one of its
contacts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import exists
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.models import ActivityLog, Company, Portal, User
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.contract import (
    Contract,
    ContractCreate,
    ContractSign,
    ContractSignature,
    ContractSigner,
)
from portal.permissions import register_node
from portal.storage import Blob, Storage, Upload, document_blob, get_storage, open_on_read
from portal.tenancy import Actor, get_for_actor, require_staff, scoped, staff_can
from portal.web.pagination import Page, count, paginate
from services.accounts.auth import normalise_email
from services.events import activity
from services.events.notifications import notify
from services.files import receive

READ_NODE = register_node("contract.read", "See contracts and their signatures across portals")
WRITE_NODE = register_node("contract.write", "Prepare contracts and send them for signature")
CONSENT_TEXT = (
    "I agree that typing my full name and pressing Sign is my electronic signature on this "
    "document, with the same effect as a handwritten one."
)


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def get_contract(session: Session, *, actor: Actor, contract_id: object) -> Contract:
    """A contract the actor may see (a signer is one of their contacts, or staff's portal)."""
    return get_for_actor(session, Contract, contract_id, actor)


def signers_of(session: Session, contract_id: int) -> list[ContractSigner]:
    return list(
        session.exec(
            select(ContractSigner)
            .where(ContractSigner.contract_id == contract_id)
            .order_by(col(ContractSigner.position), col(ContractSigner.id))
        ).all()
    )


def _portal_url(session: Session, company_id: int, contract_id: int) -> str | None:
    slug = session.exec(select(Portal.slug).where(Portal.company_id == company_id)).first()
    return f"/p/{slug}/invoices/contracts/{contract_id}" if slug else None


def create_contract(
    session: Session,
    *,
    actor: Actor,
    portal: Portal,
    data: ContractCreate,
    upload: Upload,
    storage: Storage | None = None,
) -> Contract:
    """Upload a contract to ``portal`` for its signers (staff with ``contract.write``). The
    file passes the portal's upload rules; the signers who are portal users are notified."""
    require_staff(actor, WRITE_NODE, "Only the agency's staff can prepare contracts.")
    if not actor.can_see_company(portal.company_id):
        raise NotFound()
    errors: dict[str, list[str]] = {}
    emails: list[str] = []
    for signer in data.signers:
        try:
            email = normalise_email(signer.email)
        except Invalid:
            errors.setdefault("signers", []).append(f"{signer.email} is not a valid email.")
            continue
        if email in emails:
            errors.setdefault("signers", []).append(f"{email} is named twice.")
        emails.append(email)
    if errors:
        raise Invalid(errors=errors)
    storage = storage or get_storage()
    received = receive(portal=portal, stream=upload.stream, name=upload.filename, storage=storage)
    contract = Contract(
        company_id=portal.company_id,
        title=data.title,
        message=data.message,
        original_name=received.name,
        content_type=received.content_type,
        size=received.temp.size,
        sha256=received.temp.sha256,
        storage_key=f"contracts/{portal.company_id}/{uuid.uuid4().hex}",
        created_by_id=actor.user_id,
    )
    try:
        session.add(contract)
        session.flush()
        assert contract.id is not None
        for position, (signer, email) in enumerate(zip(data.signers, emails, strict=True)):
            session.add(
                ContractSigner(
                    contract_id=contract.id,
                    company_id=contract.company_id,
                    position=position,
                    name=" ".join(signer.name.split()),
                    email=email,
                )
            )
        session.flush()
        storage.promote(received.temp, contract.storage_key)
    except BaseException:
        storage.discard(received.temp)
        raise
    activity.record(
        session,
        actor=actor,
        company_id=contract.company_id,
        action=Action.contract_created,
        object_type="contract",
        object_id=contract.id,
        object_label=contract.title,
        description=f"{actor.label} sent {contract.title} for signature",
    )
    users = session.exec(
        select(User.id, User.company_id).where(col(User.email).in_(emails), col(User.is_active))
    ).all()
    for user_id, company_id in users:
        notify(
            session,
            user_ids=[user_id],
            type="contract_sent",
            title=f"{contract.title} awaits your signature",
            body=data.message[:300],
            company_id=company_id,
            actor=actor,
            url=_portal_url(session, company_id, contract.id) if company_id else None,
        )
    return contract


def _my_signer(session: Session, actor: Actor, contract: Contract) -> tuple[User, ContractSigner]:
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        raise Forbidden("Contracts are signed by a person: sign in to sign.", code="not_a_signer")
    signer = session.exec(
        select(ContractSigner).where(
            ContractSigner.contract_id == contract.id, ContractSigner.email == user.email.lower()
        )
    ).first()
    if signer is None:
        raise Forbidden(
            "Only the people named as signers can sign this contract.", code="not_a_signer"
        )
    return user, signer


def sign_contract(
    session: Session,
    *,
    actor: Actor,
    contract_id: int,
    data: ContractSign,
    ip_address: str = "",
    user_agent: str = "",
) -> ContractSignature:
    """The signed-in signer signs: their typed full name and consent, bound to the document's
    SHA-256. Signing twice is a 409; someone not named as a signer gets a 403."""
    contract = get_contract(session, actor=actor, contract_id=contract_id)
    user, signer = _my_signer(session, actor, contract)
    errors: dict[str, list[str]] = {}
    if _name_key(data.typed_name) != _name_key(signer.name):
        errors["typed_name"] = [f"Type your full name exactly as shown: {signer.name}."]
    if not data.consent:
        errors["consent"] = ["Tick the box to agree to sign electronically."]
    if errors:
        raise Invalid(errors=errors)
    assert contract.id is not None and signer.id is not None
    signature = ContractSignature(
        company_id=contract.company_id,
        contract_id=contract.id,
        signer_id=signer.id,
        contract_title=contract.title,
        sha256=contract.sha256,
        user_id=user.id,
        signer_email=signer.email,
        typed_name=" ".join(data.typed_name.split()),
        consent=CONSENT_TEXT,
        signed_at=utcnow(),
        ip_address=(ip_address or "")[:64],
        user_agent=(user_agent or "")[:1000],
    )
    try:
        with session.begin_nested():
            session.add(signature)
            session.flush()
    except IntegrityError:
        raise Conflict("You have already signed this contract.", code="already_signed") from None
    activity.record(
        session,
        actor=actor,
        company_id=contract.company_id,
        action=Action.contract_signed,
        object_type="contract",
        object_id=contract.id,
        object_label=contract.title,
        description=f"{signer.name} signed {contract.title}",
    )
    notify(
        session,
        user_ids=[contract.created_by_id],
        type="contract_signed",
        title=f"{signer.name} signed {contract.title}",
        company_id=contract.company_id,
        actor=actor,
        url=_portal_url(session, contract.company_id, contract.id),
    )
    return signature


def open_document(
    session: Session, *, actor: Actor, contract_id: int, storage: Storage | None = None
) -> Blob:
    """The contract's document for the one download responder."""
    contract = get_contract(session, actor=actor, contract_id=contract_id)
    if not contract.storage_key:
        raise NotFound("The document is missing.")
    return Blob(
        name=contract.original_name or f"contract-{contract.id}",
        content_type=contract.content_type or "application/octet-stream",
        size=contract.size,
        stream=open_on_read(storage or get_storage(), contract.storage_key),
    )


def get_signature(
    session: Session, *, actor: Actor, contract_id: int, signature_id: int
) -> ContractSignature:
    contract = get_contract(session, actor=actor, contract_id=contract_id)
    signature = session.get(ContractSignature, signature_id)
    if signature is None or signature.contract_id != contract.id:
        raise NotFound()
    return signature


def signature_document(signature: ContractSignature) -> dict[str, object]:
    """The downloadable receipt: everything needed to prove who signed which document."""
    return {
        "receipt_id": signature.id,
        "contract_id": signature.contract_id,
        "contract_title": signature.contract_title,
        "sha256": signature.sha256,
        "signer_id": signature.user_id,
        "signer_name": signature.typed_name,
        "signer_email": signature.signer_email,
        "signed_at": signature.signed_at.isoformat().replace("+00:00", "Z"),
        "ip_address": signature.ip_address,
        "user_agent": signature.user_agent,
        "consent": signature.consent,
    }


def receipt_file(
    session: Session, *, actor: Actor, contract_id: int, signature_id: int, as_text: bool = False
) -> Blob:
    """A signature receipt as JSON, or one ``key: value`` line per field."""
    signature = get_signature(
        session, actor=actor, contract_id=contract_id, signature_id=signature_id
    )
    return document_blob(
        signature_document(signature), name=f"signature-receipt-{signature.id}", as_text=as_text
    )


@dataclass(frozen=True)
class SignerState:
    signer: ContractSigner
    signature: ContractSignature | None


def signer_states(session: Session, contract_ids: list[int]) -> dict[int, list[SignerState]]:
    """Every signer of ``contract_ids`` with its signature (two queries whatever the count)."""
    if not contract_ids:
        return {}
    signers = session.exec(
        select(ContractSigner)
        .where(col(ContractSigner.contract_id).in_(contract_ids))
        .order_by(col(ContractSigner.position), col(ContractSigner.id))
    ).all()
    signatures = {
        s.signer_id: s
        for s in session.exec(
            select(ContractSignature).where(col(ContractSignature.contract_id).in_(contract_ids))
        ).all()
    }
    states: dict[int, list[SignerState]] = {cid: [] for cid in contract_ids}
    for signer in signers:
        assert signer.id is not None
        states[signer.contract_id].append(SignerState(signer, signatures.get(signer.id)))
    return states


def company_names(session: Session, company_ids: set[int]) -> dict[int, str]:
    if not company_ids:
        return {}
    return {
        cid: name
        for cid, name in session.exec(
            select(Company.id, Company.name).where(col(Company.id).in_(sorted(company_ids)))
        ).all()
        if cid is not None
    }


# Read side -----------------------------------------------------------------------------------

PAGE_SIZE = 20


@dataclass(frozen=True)
class ContractRow:
    contract: Contract
    company_name: str
    signers: list[SignerState]
    mine: SignerState | None = None  # the viewer's own signer line, when they are one
    portal_slug: str | None = None

    @property
    def signed(self) -> int:
        return sum(1 for s in self.signers if s.signature is not None)

    @property
    def status(self) -> str:
        return "signed" if self.signers and self.signed == len(self.signers) else "awaiting"


@dataclass(frozen=True)
class ContractsPage:
    page: Page[ContractRow]
    q: str
    group: bool
    can_prepare: bool
    waiting_on_me: int

    @property
    def rows(self) -> list[ContractRow]:
        return list(self.page.items)


def _viewer_email(session: Session, actor: Actor) -> str:
    if actor.user_id is None:
        return ""
    email = session.exec(select(User.email).where(User.id == actor.user_id)).first()
    return (email or "").lower()


def _rows(
    session: Session, actor: Actor, contracts: list[Contract], email: str
) -> list[ContractRow]:
    ids = [c.id for c in contracts if c.id is not None]
    states = signer_states(session, ids)
    names = company_names(session, {c.company_id for c in contracts})
    slugs = portal_slugs(session, {c.company_id for c in contracts}) if actor.is_staff else {}
    rows = []
    for c in contracts:
        assert c.id is not None
        signers = states.get(c.id, [])
        mine = next((s for s in signers if email and s.signer.email == email), None)
        rows.append(
            ContractRow(c, names.get(c.company_id, ""), signers, mine, slugs.get(c.company_id))
        )
    return rows


def contracts_page(
    session: Session, *, actor: Actor, can_write: bool, q: str = "", page: int = 1
) -> ContractsPage:
    """A portal's contracts (``actor`` narrowed to the portal's group), newest first, in a
    fixed number of queries."""
    q = q.strip()[:100]
    base = scoped(select(Contract), actor, Contract)
    if q:
        base = base.where(col(Contract.title).ilike(f"%{q}%"))
    listing = paginate(
        session,
        base.order_by(col(Contract.created_at).desc(), col(Contract.id).desc()),
        page=page,
        per_page=PAGE_SIZE,
    )
    email = _viewer_email(session, actor)
    rows = {r.contract.id: r for r in _rows(session, actor, list(listing.items), email)}
    waiting = 0
    if email:
        waiting = count(
            session,
            scoped(select(Contract), actor, Contract).where(
                exists(
                    select(ContractSigner.id)
                    .where(
                        col(ContractSigner.contract_id) == col(Contract.id),
                        ContractSigner.email == email,
                    )
                    .where(
                        ~exists(
                            select(ContractSignature.id).where(
                                col(ContractSignature.signer_id) == col(ContractSigner.id)
                            )
                        )
                    )
                )
            ),
        )
    return ContractsPage(
        page=listing.map(lambda c: rows[c.id]),
        q=q,
        group=len(actor.company_ids or ()) > 1,
        can_prepare=can_write and staff_can(actor, WRITE_NODE),
        waiting_on_me=waiting,
    )


@dataclass(frozen=True)
class ContractDetail:
    row: ContractRow
    history: list[ActivityLog]
    consent: str = CONSENT_TEXT

    @property
    def contract(self) -> Contract:
        return self.row.contract


def contract_detail(session: Session, *, actor: Actor, contract_id: int) -> ContractDetail:
    contract = get_contract(session, actor=actor, contract_id=contract_id)
    assert contract.id is not None
    row = _rows(session, actor, [contract], _viewer_email(session, actor))[0]
    history = activity.object_history(
        session, actor=actor, object_types=("contract",), object_id=contract.id
    )
    return ContractDetail(row=row, history=history)


def api_contracts(session: Session, *, actor: Actor, limit: int = 100) -> list[ContractRow]:
    """The worker API's contracts: every one visible to the client's group, newest first."""
    contracts = session.exec(
        scoped(select(Contract), actor, Contract)
        .order_by(col(Contract.created_at).desc(), col(Contract.id).desc())
        .limit(limit)
    ).all()
    return _rows(session, actor, list(contracts), _viewer_email(session, actor))


def staff_contracts(session: Session, *, actor: Actor, q: str = "", page: int = 1) -> ContractsPage:
    """Every contract across the portals a staff member sees (``contract.read``)."""
    require_staff(actor, READ_NODE)
    return contracts_page(session, actor=actor, can_write=False, q=q, page=page)


def contract_portals(session: Session, *, actor: Actor) -> list[tuple[str, str]]:
    """(slug, company name) of the portals where the actor may prepare contracts."""
    if not staff_can(actor, WRITE_NODE):
        return []
    rows = session.exec(
        scoped(select(Portal.slug, Company.name), actor, Portal)
        .join(Company, col(Company.id) == col(Portal.company_id))
        .order_by(col(Company.name))
    ).all()
    return [(slug, name) for slug, name in rows]


def portal_slugs(session: Session, company_ids: set[int]) -> dict[int, str]:
    if not company_ids:
        return {}
    rows = session.exec(
        select(Portal.company_id, Portal.slug).where(
            col(Portal.company_id).in_(sorted(company_ids))
        )
    ).all()
    return dict(rows)
