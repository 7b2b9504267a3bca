"""Campaign results of a period: summed, sorted and filtered by the database in one query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Float, cast, func, select
from sqlmodel import Session, col

from portal.errors import Invalid
from portal.models.results import PLATFORM_LABELS, CampaignDaily, PlatformConnection
from services.results.connectors import CAMPAIGN_PLATFORMS
from services.results.metrics import CENT, Period

SORT_COLUMNS: tuple[str, ...] = (
    "name",
    "platform",
    "spend",
    "impressions",
    "clicks",
    "ctr",
    "conversions",
    "revenue",
    "roas",
    "cpa",
)
MAX_CAMPAIGNS = 500
PAGE_SIZE = 25  # campaigns per page of the tab's table (the API lists up to MAX_CAMPAIGNS)


@dataclass(frozen=True)
class CampaignRow:
    connection_id: int
    ref: str
    name: str
    platform: str
    spend: Decimal
    impressions: int
    clicks: int
    conversions: int
    revenue: Decimal
    roas: Decimal | None
    cpa: Decimal | None
    ctr: Decimal | None

    @property
    def platform_label(self) -> str:
        return PLATFORM_LABELS.get(self.platform, self.platform)


@dataclass(frozen=True)
class CampaignTable:
    period: Period
    rows: list[CampaignRow]
    totals: CampaignRow
    sort_by: str
    sort_dir: str
    platform: str
    platforms: list[str]
    page: int = 1
    pages: int = 1
    count: int = 0  # campaigns in the period (all pages)
    per_page: int = MAX_CAMPAIGNS

    @property
    def first(self) -> int:
        """The position of the page's first row among all the campaigns (1-based)."""
        return (self.page - 1) * self.per_page + 1


def check_sort(
    sort_by: str | None, sort_dir: str | None, platform: str | None
) -> tuple[str, str, str]:
    sort_by = sort_by or "spend"
    sort_dir = sort_dir or "desc"
    errors: dict[str, list[str]] = {}
    if sort_by not in SORT_COLUMNS:
        errors["sort_by"] = [f"Sort by one of: {', '.join(SORT_COLUMNS)}."]
    if sort_dir not in ("asc", "desc"):
        errors["sort_dir"] = ["Sort asc or desc."]
    if platform and platform not in PLATFORM_LABELS:
        errors["platform"] = [f"Filter by one of: {', '.join(PLATFORM_LABELS)}."]
    if errors:
        raise Invalid("Check the sort and filter.", code="invalid_sort", errors=errors)
    return sort_by, sort_dir, platform or ""


def check_page(page: str | int | None) -> int:
    """A page number from a request argument (1 when absent); anything else is Invalid."""
    if page in (None, ""):
        return 1
    try:
        number = int(page)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 10_000:
        raise Invalid(
            "page must be a whole number from 1.",
            code="invalid_page",
            errors={"page": ["Give a page number from 1."]},
        )
    return number


def _ratio(top: Any, bottom: Any, factor: int = 1) -> Any:
    return cast(top, Float) * factor / func.nullif(bottom, 0)


def _money(value: int | None) -> Decimal:
    return (Decimal(int(value or 0)) / 100).quantize(CENT)


def _dec(value: float | None, scale: int = 1) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(str(value)) / scale).quantize(CENT, rounding=ROUND_HALF_UP)


def campaign_table(
    session: Session,
    *,
    company_ids: Sequence[int],
    period: Period,
    sort_by: str | None = None,
    sort_dir: str | None = None,
    platform: str | None = None,
    page: int | None = None,
    per_page: int | None = None,
) -> CampaignTable:
    """The period's campaigns with their sums and ratios, sorted (ties by name) and filtered.

    With ``per_page`` only that page of rows is read (a page past the end shows the last);
    the totals and the campaign count are over every campaign of the period either way,
    computed by window functions in the same statement."""
    sort_by, sort_dir, platform = check_sort(sort_by, sort_dir, platform)
    page = max(page or 1, 1)
    rows, count, totals = _page(
        session, company_ids, period, sort_by, sort_dir, platform, page, per_page
    )
    if per_page and not rows and page > 1:
        # past the end: count the campaigns, then read the last page (only then: 2 statements)
        _, count, _ = _page(session, company_ids, period, sort_by, sort_dir, platform, 1, 1)
        page = max(1, -(-count // per_page))
        rows, count, totals = _page(
            session, company_ids, period, sort_by, sort_dir, platform, page, per_page
        )
    pages = max(1, -(-count // per_page)) if per_page else 1
    # the group's connected ad platforms: a few connection rows, never a scan of every
    # campaign day the group ever had
    platforms = sorted(
        session.scalars(
            select(col(PlatformConnection.platform))
            .where(
                col(PlatformConnection.company_id).in_(list(company_ids)),
                col(PlatformConnection.platform).in_(sorted(CAMPAIGN_PLATFORMS)),
            )
            .distinct()
        ).all()
    )
    return CampaignTable(
        period,
        rows,
        totals,
        sort_by,
        sort_dir,
        platform,
        platforms,
        page,
        pages,
        count,
        per_page or MAX_CAMPAIGNS,
    )


def _page(
    session: Session,
    company_ids: Sequence[int],
    period: Period,
    sort_by: str,
    sort_dir: str,
    platform: str,
    page: int,
    per_page: int | None,
) -> tuple[list[CampaignRow], int, CampaignRow]:
    c = CampaignDaily
    spend = func.sum(col(c.spend))
    impressions = func.sum(col(c.impressions))
    clicks = func.sum(col(c.clicks))
    conversions = func.sum(col(c.conversions))
    revenue = func.sum(col(c.revenue))
    name = func.max(col(c.campaign_name))
    columns = {
        "name": func.lower(name),
        "platform": col(c.platform),
        "spend": spend,
        "impressions": impressions,
        "clicks": clicks,
        "ctr": _ratio(clicks, impressions, 100),
        "conversions": conversions,
        "revenue": revenue,
        "roas": _ratio(revenue, spend),
        "cpa": _ratio(spend, conversions),
    }
    where = [
        col(c.company_id).in_(list(company_ids)),
        col(c.day) >= period.start,
        col(c.day) <= period.end,
    ]
    if platform:
        where.append(col(c.platform) == platform)
    key = columns[sort_by]
    order = key.asc().nulls_last() if sort_dir == "asc" else key.desc().nulls_last()
    limit = per_page or MAX_CAMPAIGNS
    stmt = (
        select(
            col(c.connection_id),
            col(c.campaign_ref),
            name,
            col(c.platform),
            spend,
            impressions,
            clicks,
            conversions,
            revenue,
            columns["roas"],
            columns["cpa"],
            columns["ctr"],
            # over every group of the period, before LIMIT/OFFSET
            func.count().over(),
            func.sum(spend).over(),
            func.sum(impressions).over(),
            func.sum(clicks).over(),
            func.sum(conversions).over(),
            func.sum(revenue).over(),
        )
        .where(*where)
        .group_by(col(c.connection_id), col(c.campaign_ref), col(c.platform))
        .order_by(order, func.lower(name), col(c.campaign_ref), col(c.connection_id))
        .limit(limit)
        .offset((page - 1) * limit if per_page else 0)
    )
    result = session.execute(stmt).all()
    rows = [
        CampaignRow(
            connection_id=r[0],
            ref=r[1],
            name=r[2],
            platform=r[3],
            spend=_money(r[4]),
            impressions=int(r[5] or 0),
            clicks=int(r[6] or 0),
            conversions=int(r[7] or 0),
            revenue=_money(r[8]),
            roas=_dec(r[9]),
            cpa=_dec(r[10], 100),
            ctr=_dec(r[11]),
        )
        for r in result
    ]
    if not result:
        return rows, 0, _totals(0, 0, 0, 0, 0)
    first = result[0]
    totals = _totals(first[13], first[14], first[15], first[16], first[17])
    return rows, int(first[12]), totals


def _totals(
    spend_minor: Any, impressions: Any, clicks: Any, conversions: Any, revenue_minor: Any
) -> CampaignRow:
    spend = _money(spend_minor)
    revenue = _money(revenue_minor)
    impressions = int(impressions or 0)
    clicks = int(clicks or 0)
    conversions = int(conversions or 0)
    return CampaignRow(
        connection_id=0,
        ref="",
        name="Total",
        platform="",
        spend=spend,
        impressions=impressions,
        clicks=clicks,
        conversions=conversions,
        revenue=revenue,
        roas=(revenue / spend).quantize(CENT) if spend else None,
        cpa=(spend / conversions).quantize(CENT) if conversions else None,
        ctr=(Decimal(clicks) * 100 / impressions).quantize(CENT) if impressions else None,
    )
