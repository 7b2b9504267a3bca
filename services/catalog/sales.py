"""Sales opportunities (reference 004 sales): types, lists, products, notes, contacts.

Opportunities belong to a client company (tenant column ``company_id``): staff see those of
the companies they see (404 otherwise) and need ``sales.*`` nodes; client principals never
reach them here (they see proposals, SPEC §5.6).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func
from sqlmodel import Session, col, select

from portal.errors import Conflict, Invalid, NotFound, Unavailable
from portal.models import Company, User
from portal.models.activity import SALES_ACTIVITY, Action
from portal.models.base import utcnow
from portal.models.catalog import (
    OPPORTUNITY_BASIC_FIELDS,
    OPPORTUNITY_FIELDS,
    Opportunity,
    OpportunityNote,
    OpportunityProduct,
    OpportunityStatus,
)
from portal.permissions import register_node
from portal.runtime import get_runtime
from portal.tenancy import Actor, get_for_actor, register_field_scope, require_staff, scoped
from portal.web.pagination import count as count_rows
from services.catalog import find_item
from services.catalog.crm import CrmClient, CrmError, CrmOpportunity
from services.events import activity

FETCH = register_node("sales.opportunity.fetch", "Read one opportunity")
FETCH_MANY = register_node("sales.opportunity.fetch.many", "List and count opportunities")
CREATE = register_node("sales.opportunity.create", "Create opportunities")
REFRESH = register_node("sales.opportunity.refresh", "Refresh an opportunity from the CRM")
PRODUCTS = register_node("sales.opportunity.product.update", "Change an opportunity's products")
NOTE_FETCH = register_node("sales.opportunity.note.fetch", "Read opportunity notes")
NOTE_CREATE = register_node("sales.opportunity.note.create", "Write opportunity notes")
NOTE_UPDATE = register_node("sales.opportunity.note.update", "Edit opportunity notes")
NOTE_DELETE = register_node("sales.opportunity.note.delete", "Delete opportunity notes")

OPPORTUNITY_SCOPE = "obj.opportunity"
register_field_scope(
    OPPORTUNITY_SCOPE,
    OPPORTUNITY_FIELDS,
    client_fields=OPPORTUNITY_BASIC_FIELDS,
    description="Fields of a sales opportunity.",
    # pages: the model's and a pipeline row's attributes, by the field they show
    attributes={
        "type_id": "type",
        "type_name": "type",
        "closed": "closedFlag",
        "closed_at": "closedDate",
        "sales_rep_id": "primarySalesRep",
        "sales_rep": "primarySalesRep",
        "contact_id": "contact",
        "crm_id": "crmOpportunityId",
        # a product line's price and amount and a proposal version's total add up to the
        # opportunity's total: they show that field (``line|gated("obj.opportunity")``)
        "unit_price": "total",
    },
)

DENIED = "Only the agency's sales staff can use opportunities."

# Reference 004's opportunity types (quote statuses): a fixed list of the pipeline's stages.
OPPORTUNITY_TYPES: tuple[dict[str, Any], ...] = (
    {"id": 1, "name": "00. FutureLead", "wonFlag": False, "lostFlag": False, "closedFlag": False},
    {"id": 2, "name": "01. New", "wonFlag": False, "lostFlag": False, "closedFlag": False},
    {"id": 3, "name": "02. Quoted", "wonFlag": False, "lostFlag": False, "closedFlag": False},
    {"id": 4, "name": "03. Negotiation", "wonFlag": False, "lostFlag": False, "closedFlag": False},
    {"id": 5, "name": "90. Won", "wonFlag": True, "lostFlag": False, "closedFlag": True},
    {"id": 6, "name": "91. Lost", "wonFlag": False, "lostFlag": True, "closedFlag": True},
)
TYPE_IDS = frozenset(t["id"] for t in OPPORTUNITY_TYPES)


def type_of(type_id: int) -> dict[str, Any]:
    return next((t for t in OPPORTUNITY_TYPES if t["id"] == type_id), OPPORTUNITY_TYPES[0])


def opportunity_types(*, actor: Actor) -> list[dict[str, Any]]:
    require_staff(actor, FETCH_MANY, DENIED)
    return [dict(t, defaultFlag=t["id"] == 2, inactiveFlag=False) for t in OPPORTUNITY_TYPES]


@dataclass(frozen=True)
class OpportunityFilters:
    search: str = ""
    include_closed: bool = False
    company_id: int | None = None
    type_id: int | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = []
        if not self.include_closed:
            conds.append(col(Opportunity.status) == OpportunityStatus.open.value)
        if self.search.strip():
            escaped = self.search.strip().replace("\\", "\\\\").replace("%", "\\%")
            escaped = escaped.replace("_", "\\_")
            conds.append(col(Opportunity.name).ilike(f"%{escaped}%", escape="\\"))
        if self.company_id is not None:
            conds.append(col(Opportunity.company_id) == self.company_id)
        if self.type_id is not None:
            conds.append(col(Opportunity.type_id) == self.type_id)
        return conds


def _listing(actor: Actor, filters: OpportunityFilters) -> Any:
    stmt = select(Opportunity).where(and_(True, *filters.conditions()))
    return scoped(stmt, actor, Opportunity)


def list_opportunities(
    session: Session,
    *,
    actor: Actor,
    filters: OpportunityFilters,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[Sequence[Opportunity], int]:
    """Opportunities the actor sees, newest first, with the total."""
    require_staff(actor, FETCH_MANY, DENIED)
    stmt = _listing(actor, filters)
    total = count_rows(session, stmt)
    ordered = stmt.order_by(col(Opportunity.created_at).desc(), col(Opportunity.id).desc())
    if limit is not None:
        ordered = ordered.limit(limit)
    return session.exec(ordered.offset(offset)).all(), total


def count_opportunities(session: Session, *, actor: Actor, filters: OpportunityFilters) -> int:
    require_staff(actor, FETCH_MANY, DENIED)
    return count_rows(session, _listing(actor, filters))


def get_opportunity(session: Session, *, actor: Actor, opportunity_id: object) -> Opportunity:
    """One opportunity the actor sees (404 otherwise; 403 without the node)."""
    opp = get_for_actor(session, Opportunity, opportunity_id, actor)
    require_staff(actor, FETCH, DENIED)
    return opp


@dataclass(frozen=True)
class OpportunityFacts:
    """What an opportunity's record shows besides its own columns, for many at once."""

    companies: dict[int, Company]
    users: dict[int, User]
    totals: dict[int, tuple[Decimal, int]]


def facts_for(session: Session, opps: Sequence[Opportunity]) -> OpportunityFacts:
    """Companies, people and product totals of ``opps`` in three queries."""
    company_ids = {o.company_id for o in opps}
    user_ids = {u for o in opps for u in (o.sales_rep_id, o.contact_id) if u is not None}
    opp_ids = [o.id for o in opps if o.id is not None]
    companies = (
        {c.id: c for c in session.exec(select(Company).where(col(Company.id).in_(company_ids)))}
        if company_ids
        else {}
    )
    users = (
        {u.id: u for u in session.exec(select(User).where(col(User.id).in_(user_ids)))}
        if user_ids
        else {}
    )
    totals: dict[int, tuple[Decimal, int]] = {i: (Decimal("0.00"), 0) for i in opp_ids}
    if opp_ids:
        for line in session.exec(
            select(OpportunityProduct).where(col(OpportunityProduct.opportunity_id).in_(opp_ids))
        ):
            amount, n = totals[line.opportunity_id]
            totals[line.opportunity_id] = (amount + line.total, n + 1)
    return OpportunityFacts(companies, users, totals)  # type: ignore[arg-type]


def create_opportunity(
    session: Session,
    *,
    actor: Actor,
    company_id: int,
    name: str,
    type_id: int = 2,
    notes: str = "",
    expected_close_date: Any = None,
) -> Opportunity:
    """A new open opportunity with a company the actor sees."""
    require_staff(actor, CREATE, DENIED)
    company = session.get(Company, company_id)
    if company is None or not actor.can_see_company(company.id):
        raise Invalid(errors={"companyId": ["No such company."]})
    if type_id not in TYPE_IDS:
        raise Invalid(errors={"typeId": ["No such opportunity type."]})
    opp = Opportunity(
        company_id=company_id,
        name=name.strip(),
        type_id=type_id,
        notes=notes,
        expected_close_date=expected_close_date,
        sales_rep_id=actor.user_id if actor.kind == "staff" else None,
    )
    if not opp.name:
        raise Invalid(errors={"name": ["Give the opportunity a name."]})
    session.add(opp)
    session.flush()
    return opp


def crm_from_settings() -> CrmClient | None:
    settings = get_runtime().settings
    if not settings.crm_url:
        return None
    return CrmClient(settings.crm_url, settings.crm_key)


def _crm_type_id(record: CrmOpportunity, current: int) -> int:
    """The CRM's type as one of the pipeline's types: by id, else by name (without the "01. "
    ordering prefix), else the one kept."""
    if record.type_id in TYPE_IDS:
        return record.type_id  # type: ignore[return-value]
    wanted = record.type_name.lower()
    for kind in OPPORTUNITY_TYPES:
        name = str(kind["name"]).lower()
        if wanted and wanted in {name, name.split(". ", 1)[-1]}:
            return int(kind["id"])
    return current


def refresh_opportunity(session: Session, *, actor: Actor, opportunity_id: object) -> Opportunity:
    """Fetch the opportunity from the upstream CRM by its ``crm_id`` and keep what the CRM owns
    (name, notes, type, stage, status, expected close and closed dates).

    No CRM configured → 409 ``upstream_not_configured`` (a state of this installation: retrying
    will not help); an opportunity kept in Stoa only → 409 ``no_crm_id``; the CRM does not know
    it → 409 ``crm_unknown_opportunity``; unreachable, too slow, failing or answering nonsense →
    503 ``crm_unavailable``. Whatever fails, nothing is changed."""
    opp = get_opportunity(session, actor=actor, opportunity_id=opportunity_id)
    require_staff(actor, REFRESH, DENIED)
    client = crm_from_settings()
    if client is None:
        raise Conflict(
            "No upstream CRM is configured (CRM_URL), so there is nothing to refresh from; the "
            "opportunity as kept in Stoa is current.",
            code="upstream_not_configured",
        )
    if not opp.crm_id:
        raise Conflict(
            "This opportunity is kept in Stoa only (it has no CRM id), so there is nothing to "
            "refresh it from.",
            code="no_crm_id",
        )
    try:
        record = client.opportunity(opp.crm_id)
    except CrmError as exc:
        if exc.status == 404:
            raise Conflict(
                f"{exc.message} It may have been deleted there; the opportunity was not changed.",
                code="crm_unknown_opportunity",
            ) from None
        raise Unavailable(
            f"{exc.message} The opportunity was not changed.",
            code="crm_unavailable",
            retry_after=30,
        ) from None
    before = {
        "name": opp.name,
        "notes": opp.notes,
        "type": opp.type_id,
        "stage": opp.stage,
        "status": opp.status,
        "expected close date": opp.expected_close_date,
    }
    opp.name = record.name
    opp.notes = record.notes
    opp.type_id = _crm_type_id(record, opp.type_id)
    if record.stage:
        opp.stage = record.stage
    if record.status:
        opp.status = record.status
    opp.expected_close_date = record.expected_close_date
    if opp.status == OpportunityStatus.open.value:
        opp.closed_at = None
    else:
        opp.closed_at = record.closed_at or opp.closed_at or utcnow()
    after = {
        "name": opp.name,
        "notes": opp.notes,
        "type": opp.type_id,
        "stage": opp.stage,
        "status": opp.status,
        "expected close date": opp.expected_close_date,
    }
    changed = [field for field in before if before[field] != after[field]]
    opp.last_refreshed_at = opp.updated_at = utcnow()
    session.add(opp)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=opp.company_id,
        action=Action.opportunity_refreshed,
        object_type=SALES_ACTIVITY,
        object_id=opp.id,
        object_label=opp.name,
        description=(
            f"Refreshed from the CRM: {', '.join(changed)} changed."
            if changed
            else "Refreshed from the CRM: already current."
        ),
    )
    return opp


# Products -------------------------------------------------------------------------------------


def products_of(session: Session, opportunity_id: int) -> list[OpportunityProduct]:
    return list(
        session.exec(
            select(OpportunityProduct)
            .where(OpportunityProduct.opportunity_id == opportunity_id)
            .order_by(col(OpportunityProduct.sequence), col(OpportunityProduct.id))
        ).all()
    )


def list_products(
    session: Session, *, actor: Actor, opportunity_id: object
) -> list[OpportunityProduct]:
    opp = get_opportunity(session, actor=actor, opportunity_id=opportunity_id)
    return products_of(session, opp.id)  # type: ignore[arg-type]


def add_product(
    session: Session,
    *,
    actor: Actor,
    opportunity_id: object,
    catalog_item: object,
    quantity: Decimal,
    unit_price: Decimal | None = None,
    description: str = "",
) -> OpportunityProduct:
    """A line from a catalog item (its price unless ``unit_price`` is given), at the end."""
    opp = get_opportunity(session, actor=actor, opportunity_id=opportunity_id)
    require_staff(actor, PRODUCTS, DENIED)
    try:
        item = find_item(session, catalog_item)
    except NotFound:
        raise Invalid(errors={"catalogItemId": ["No such catalog item."]}) from None
    if quantity <= 0:
        raise Invalid(errors={"quantity": ["The quantity must be above zero."]})
    last = session.exec(
        select(func.max(OpportunityProduct.sequence)).where(
            OpportunityProduct.opportunity_id == opp.id
        )
    ).one()
    line = OpportunityProduct(
        opportunity_id=opp.id,  # type: ignore[arg-type]
        catalog_item_id=item.id,
        description=(description.strip() or item.name)[:300],
        quantity=quantity,
        unit_price=item.price if unit_price is None else unit_price,
        sequence=(last or 0) + 1,
    )
    session.add(line)
    opp.updated_at = utcnow()
    session.add(opp)
    session.flush()
    return line


def resequence_products(
    session: Session, *, actor: Actor, opportunity_id: object, order: Sequence[int]
) -> list[OpportunityProduct]:
    """Put the lines in ``order`` (every line id exactly once) and keep that order."""
    opp = get_opportunity(session, actor=actor, opportunity_id=opportunity_id)
    require_staff(actor, PRODUCTS, DENIED)
    lines = products_of(session, opp.id)  # type: ignore[arg-type]
    by_id = {line.id: line for line in lines}
    if len(order) != len(set(order)) or set(order) != set(by_id):
        raise Invalid(
            errors={"productIds": ["List every product line of this opportunity exactly once."]}
        )
    for position, line_id in enumerate(order, start=1):
        by_id[line_id].sequence = position
        session.add(by_id[line_id])
    opp.updated_at = utcnow()
    session.add(opp)
    session.flush()
    return products_of(session, opp.id)  # type: ignore[arg-type]


# Notes ----------------------------------------------------------------------------------------


def list_notes(session: Session, *, actor: Actor, opportunity_id: object) -> list[OpportunityNote]:
    opp = get_opportunity(session, actor=actor, opportunity_id=opportunity_id)
    require_staff(actor, NOTE_FETCH, DENIED)
    return list(
        session.exec(
            select(OpportunityNote)
            .where(OpportunityNote.opportunity_id == opp.id)
            .order_by(col(OpportunityNote.created_at), col(OpportunityNote.id))
        ).all()
    )


def get_note(
    session: Session, *, actor: Actor, opportunity_id: object, note_id: int, node: str = NOTE_FETCH
) -> OpportunityNote:
    opp = get_opportunity(session, actor=actor, opportunity_id=opportunity_id)
    require_staff(actor, node, DENIED)
    note = session.get(OpportunityNote, note_id)
    if note is None or note.opportunity_id != opp.id:
        raise NotFound("No such note.")
    return note


def _note_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise Invalid(errors={"text": ["Write something."]})
    return text


def create_note(
    session: Session, *, actor: Actor, opportunity_id: object, text: str
) -> OpportunityNote:
    opp = get_opportunity(session, actor=actor, opportunity_id=opportunity_id)
    require_staff(actor, NOTE_CREATE, DENIED)
    note = OpportunityNote(
        opportunity_id=opp.id,  # type: ignore[arg-type]
        text=_note_text(text),
        author_id=actor.user_id if actor.kind == "staff" else None,
    )
    session.add(note)
    session.flush()
    return note


def update_note(
    session: Session, *, actor: Actor, opportunity_id: object, note_id: int, text: str
) -> OpportunityNote:
    note = get_note(
        session, actor=actor, opportunity_id=opportunity_id, note_id=note_id, node=NOTE_UPDATE
    )
    note.text = _note_text(text)
    note.updated_at = utcnow()
    session.add(note)
    session.flush()
    return note


def delete_note(session: Session, *, actor: Actor, opportunity_id: object, note_id: int) -> None:
    note = get_note(
        session, actor=actor, opportunity_id=opportunity_id, note_id=note_id, node=NOTE_DELETE
    )
    session.delete(note)
    session.flush()


def contacts(session: Session, *, actor: Actor, opportunity_id: object) -> list[User]:
    """The opportunity company's active people (its client users), by name."""
    opp = get_opportunity(session, actor=actor, opportunity_id=opportunity_id)
    return list(
        session.exec(
            select(User)
            .where(
                User.company_id == opp.company_id,
                col(User.is_active).is_(True),
                col(User.is_staff).is_(False),
            )
            .order_by(col(User.name), col(User.id))
        ).all()
    )
