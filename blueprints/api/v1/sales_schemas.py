"""Reference 004's sales shapes for /api/v1/sales (camelCase, its envelope, decimal strings)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from blueprints.api.schemas import MAX_ID, ApiModel, GatedModel, PageQuery, gated
from blueprints.api.v1.network_schemas import Envelope
from blueprints.api.v1.procurement_schemas import money
from portal.models import User
from portal.models.billing import plain_decimal
from portal.models.catalog import Opportunity, OpportunityNote, OpportunityProduct
from portal.tenancy import Actor, readable_fields
from services.catalog.sales import OPPORTUNITY_SCOPE, OpportunityFacts, OpportunityFilters, type_of


class OpportunityListQuery(PageQuery):
    search: str = Field(default="", max_length=200)
    includeClosed: bool = False
    companyId: int | None = Field(default=None, ge=1, le=MAX_ID)
    typeId: int | None = Field(default=None, ge=1, le=MAX_ID)

    def filters(self) -> OpportunityFilters:
        return OpportunityFilters(
            search=self.search,
            include_closed=self.includeClosed,
            company_id=self.companyId,
            type_id=self.typeId,
        )


class OpportunityPath(ApiModel):
    opportunity_id: int = Field(ge=1, le=MAX_ID)


class NotePath(OpportunityPath):
    note_id: int = Field(ge=1, le=MAX_ID)


class OpportunityCreateIn(ApiModel):
    companyId: int = Field(ge=1, le=MAX_ID)
    name: str = Field(min_length=1, max_length=200)
    typeId: int = Field(default=2, ge=1, le=MAX_ID)
    notes: str = Field(default="", max_length=4000)
    expectedCloseDate: date | None = None


class ProductIn(ApiModel):
    catalogItemId: str = Field(min_length=1, max_length=80, description="Id or part number")
    quantity: Decimal = Field(default=Decimal(1), gt=0, le=Decimal(1_000_000), decimal_places=4)
    unitPrice: Decimal | None = Field(
        default=None, ge=0, le=Decimal("99999999.99"), decimal_places=2
    )
    description: str = Field(default="", max_length=300)


class SequenceIn(ApiModel):
    productIds: list[int] = Field(max_length=500, description="Every line id, in the new order")


class NoteIn(ApiModel):
    text: str = Field(min_length=1, max_length=4000)


class Ref(BaseModel):
    id: int | str
    name: str


class OpportunityOut(GatedModel, scope=OPPORTUNITY_SCOPE, label="opportunity"):
    """An opportunity (gated per ``obj.opportunity.<field>``: absent fields were withheld)."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    name: str | None = None
    notes: str | None = None
    type: Ref | None = None
    stage: Ref | None = None
    status: Ref | None = None
    closedFlag: bool | None = None
    expectedCloseDate: date | None = None
    closedDate: datetime | None = None
    primarySalesRep: Ref | None = None
    company: Ref | None = None
    companyId: str | None = None
    contact: Ref | None = None
    total: str | None = Field(default=None, description="Sum of the product lines")
    currency: str | None = None
    productCount: int | None = None
    crmOpportunityId: str | None = None
    lastRefreshedAt: datetime | None = None
    createdAt: datetime | None = None
    updatedAt: datetime | None = None


class OpportunityEnvelope(Envelope):
    data: OpportunityOut


class OpportunityListEnvelope(Envelope):
    data: list[OpportunityOut]
    limit: int
    offset: int
    total: int


class TypeOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    name: str
    wonFlag: bool
    lostFlag: bool
    closedFlag: bool


class TypeListEnvelope(Envelope):
    data: list[TypeOut]


class ProductOut(BaseModel):
    id: int
    sequence: int
    catalogItemId: str | None
    description: str
    quantity: str
    # the lines add up to the opportunity's total: absent without ``obj.opportunity.total``
    unitPrice: str | None = None
    total: str | None = None


class ProductEnvelope(Envelope):
    data: ProductOut


class ProductListEnvelope(Envelope):
    data: list[ProductOut]


class NoteOut(BaseModel):
    id: int
    text: str
    author: Ref | None
    createdAt: datetime
    updatedAt: datetime


class NoteEnvelope(Envelope):
    data: NoteOut


class NoteListEnvelope(Envelope):
    data: list[NoteOut]


class ContactOut(BaseModel):
    id: int
    name: str
    email: str
    role: str | None


class ContactListEnvelope(Envelope):
    data: list[ContactOut]


def _user_ref(user: User | None) -> Ref | None:
    return Ref(id=user.id, name=user.display_name) if user and user.id else None  # type: ignore[arg-type]


def opportunity_out(opp: Opportunity, facts: OpportunityFacts, actor: Actor) -> dict[str, Any]:
    company = facts.companies.get(opp.company_id)
    total, n = facts.totals.get(opp.id or 0, (Decimal("0.00"), 0))
    kind = type_of(opp.type_id)
    return gated(
        OpportunityOut(
            id=str(opp.id),
            name=opp.name,
            notes=opp.notes,
            type=Ref(id=kind["id"], name=kind["name"]),
            stage=Ref(id=opp.stage.lower(), name=opp.stage),
            status=Ref(id=opp.status, name=opp.status.capitalize()),
            closedFlag=opp.closed,
            expectedCloseDate=opp.expected_close_date,
            closedDate=opp.closed_at,
            primarySalesRep=_user_ref(facts.users.get(opp.sales_rep_id or 0)),
            company=Ref(id=str(company.id), name=company.name) if company else None,
            companyId=str(opp.company_id),
            contact=_user_ref(facts.users.get(opp.contact_id or 0)),
            total=money(total),
            currency="USD",
            productCount=n,
            crmOpportunityId=opp.crm_id,
            lastRefreshedAt=opp.last_refreshed_at,
            createdAt=opp.created_at,
            updatedAt=opp.updated_at,
        ),
        actor,
    )


def product_out(line: OpportunityProduct, actor: Actor) -> dict[str, Any]:
    """A product line; its price and amount only with ``obj.opportunity.total`` (they add up
    to that withheld total otherwise)."""
    out = ProductOut(
        id=line.id,  # type: ignore[arg-type]
        sequence=line.sequence,
        catalogItemId=str(line.catalog_item_id) if line.catalog_item_id else None,
        description=line.description,
        quantity=plain_decimal(line.quantity),
        unitPrice=money(line.unit_price),
        total=money(line.total),
    ).model_dump(mode="json")
    if "total" not in readable_fields(actor, OPPORTUNITY_SCOPE):
        del out["unitPrice"], out["total"]
    return out


def note_out(note: OpportunityNote, authors: dict[int, User]) -> dict[str, Any]:
    return NoteOut(
        id=note.id,  # type: ignore[arg-type]
        text=note.text,
        author=_user_ref(authors.get(note.author_id or 0)),
        createdAt=note.created_at,
        updatedAt=note.updated_at,
    ).model_dump(mode="json")


def contact_out(user: User) -> dict[str, Any]:
    return ContactOut(
        id=user.id,  # type: ignore[arg-type]
        name=user.display_name,
        email=user.email,
        role=user.client_role,
    ).model_dump(mode="json")
