"""What the staff opportunities page shows (``/admin/opportunities``): a filtered, paged list of
the pipeline, and one opportunity with its products, notes and the proposals made from it.
Reads go through :mod:`services.catalog.sales` (its nodes and tenancy)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from portal.models import Company, User
from portal.models.billing import format_amount
from portal.models.catalog import CATALOG_CURRENCY, CatalogItem, Opportunity, OpportunityProduct
from portal.tenancy import Actor, scoped, staff_can
from portal.web.args import parse_int
from portal.web.pagination import Page, clamp_page
from services.billing.contracts import portal_slugs
from services.billing.proposals import SHARE_NODE, ProposalRow, proposals_of_opportunities
from services.catalog import sales

PER_PAGE = 25


def filters_from_args(args: Mapping[str, Any]) -> sales.OpportunityFilters:
    """The page's query string as filters; what cannot be read is simply not applied."""
    type_id = parse_int(args.get("type"), minimum=1)
    return sales.OpportunityFilters(
        search=str(args.get("q", ""))[:200],
        include_closed=args.get("closed") in ("1", "on", "true"),
        company_id=parse_int(args.get("company"), minimum=1),
        type_id=type_id if type_id in sales.TYPE_IDS else None,
    )


def money(amount: Decimal) -> str:
    return format_amount(amount, CATALOG_CURRENCY)


@dataclass(frozen=True)
class OpportunityRow:
    opportunity: Opportunity
    company: Company | None
    sales_rep: User | None
    total: Decimal
    product_count: int
    proposals: list[ProposalRow]
    portal_slug: str | None

    @property
    def type_name(self) -> str:
        return str(sales.type_of(self.opportunity.type_id)["name"])


@dataclass(frozen=True)
class PipelineView:
    page: Page[OpportunityRow]
    filters: sales.OpportunityFilters
    companies: list[Company]
    types: list[dict[str, Any]]

    @property
    def params(self) -> dict[str, str | None]:
        f = self.filters
        return {
            "q": f.search or None,
            "company": str(f.company_id) if f.company_id else None,
            "type": str(f.type_id) if f.type_id else None,
            "closed": "1" if f.include_closed else None,
        }

    @property
    def filtered(self) -> bool:
        return any(self.params.values())


def _rows(session: Session, opps: list[Opportunity]) -> list[OpportunityRow]:
    facts = sales.facts_for(session, opps)
    proposals = proposals_of_opportunities(session, [o.id for o in opps if o.id is not None])
    slugs = portal_slugs(session, {o.company_id for o in opps})
    rows = []
    for o in opps:
        assert o.id is not None
        total, n = facts.totals.get(o.id, (Decimal("0.00"), 0))
        rows.append(
            OpportunityRow(
                opportunity=o,
                company=facts.companies.get(o.company_id),
                sales_rep=facts.users.get(o.sales_rep_id) if o.sales_rep_id else None,
                total=total,
                product_count=n,
                proposals=proposals.get(o.id, []),
                portal_slug=slugs.get(o.company_id),
            )
        )
    return rows


def staff_pipeline(
    session: Session, *, actor: Actor, filters: sales.OpportunityFilters, page: int
) -> PipelineView:
    """One page of the opportunities the actor sees, newest first, in a fixed number of
    queries whatever the page holds."""
    total = sales.count_opportunities(session, actor=actor, filters=filters)
    number = clamp_page(page, total=total, per_page=PER_PAGE)
    opps, _ = sales.list_opportunities(
        session,
        actor=actor,
        filters=filters,
        limit=PER_PAGE,
        offset=(number - 1) * PER_PAGE,
    )
    companies = list(
        session.exec(scoped(select(Company), actor, Company).order_by(col(Company.name))).all()
    )
    return PipelineView(
        page=Page(_rows(session, list(opps)), total, number, PER_PAGE),
        filters=filters,
        companies=companies,
        types=sales.opportunity_types(actor=actor),
    )


@dataclass(frozen=True)
class OpportunityView:
    row: OpportunityRow
    products: list[OpportunityProduct]
    notes: list[Any]
    contacts: list[User]
    catalog: list[CatalogItem]
    can_share: bool
    can_edit_products: bool

    @property
    def opportunity(self) -> Opportunity:
        return self.row.opportunity

    @property
    def open_proposal(self) -> ProposalRow | None:
        return self.row.proposals[0] if self.row.proposals else None


def opportunity_view(session: Session, *, actor: Actor, opportunity_id: object) -> OpportunityView:
    """One opportunity: products in order, notes, contacts and its proposals."""
    opp = sales.get_opportunity(session, actor=actor, opportunity_id=opportunity_id)
    assert opp.id is not None
    can_notes = staff_can(actor, sales.NOTE_FETCH)
    can_products = staff_can(actor, sales.PRODUCTS)
    catalog: list[CatalogItem] = []
    if can_products:
        catalog = list(
            session.exec(
                select(CatalogItem)
                .where(col(CatalogItem.active).is_(True))
                .order_by(col(CatalogItem.name))
                .limit(500)
            ).all()
        )
    return OpportunityView(
        row=_rows(session, [opp])[0],
        products=sales.products_of(session, opp.id),
        notes=sales.list_notes(session, actor=actor, opportunity_id=opp.id) if can_notes else [],
        contacts=sales.contacts(session, actor=actor, opportunity_id=opp.id),
        catalog=catalog,
        can_share=staff_can(actor, SHARE_NODE),
        can_edit_products=can_products,
    )
