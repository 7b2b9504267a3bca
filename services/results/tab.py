"""The Results tab's view data: KPI cards, the chart (with the work done in the period), the
campaigns table and the connections — a fixed number of queries whatever the data size."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from portal.models.deliverable import Deliverable, DeliverableStatus
from portal.models.planning import RoadmapItem, RoadmapStatus
from portal.models.results import PlatformConnection
from portal.tenancy import Actor, scoped
from services.results import MANAGE_NODE, first_connections, require_dashboard
from services.results.campaigns import PAGE_SIZE, CampaignTable, campaign_table, check_page
from services.results.metrics import (
    CARD_METRICS,
    MetricResult,
    Results,
    first_whole_bucket,
    format_value,
    parse_period,
    results_for,
    series_step,
)

MAX_ANNOTATIONS = 30
SERIES = {"revenue": "Revenue", "ad_spend": "Ad spend"}  # the chart's lines


@dataclass(frozen=True)
class Annotation:
    day: date
    kind: str  # "deliverable" | "milestone"
    label: str


@dataclass(frozen=True)
class Card:
    result: MetricResult
    value: str
    prior: str
    target: str | None


TAB_CONNECTIONS = 20  # listed on the tab; the numbers sum every connection


@dataclass(frozen=True)
class ResultsTab:
    results: Results
    campaigns: CampaignTable
    cards: list[Card]
    annotations: list[Annotation]
    chart: dict[str, Any]
    chart_from: date | None  # the chart's first whole week or month when a part one is left out
    connections: list[PlatformConnection]  # the first TAB_CONNECTIONS
    connections_total: int
    can_connect: bool
    can_manage_agency: bool

    @property
    def chart_part(self) -> tuple[date, date] | None:
        """The days before the chart's first whole week or month (they count in the cards)."""
        if self.chart_from is None:
            return None
        return self.results.period.start, self.chart_from - timedelta(days=1)


def annotations_for(
    session: Session, actor: Actor, company_ids: Sequence[int], start: date, end: date
) -> list[Annotation]:
    """Deliverables approved and roadmap milestones done in ``start``..``end``."""
    since = datetime.combine(start, time.min, tzinfo=UTC)
    until = datetime.combine(end, time.max, tzinfo=UTC)
    ids = list(company_ids)
    approved = session.execute(
        scoped(select(col(Deliverable.name), col(Deliverable.approved_at)), actor, Deliverable)
        .where(
            col(Deliverable.company_id).in_(ids),
            col(Deliverable.status) == DeliverableStatus.approved.value,
            col(Deliverable.approved_at) >= since,
            col(Deliverable.approved_at) <= until,
        )
        .order_by(col(Deliverable.approved_at))
        .limit(MAX_ANNOTATIONS)
    ).all()
    done = session.execute(
        scoped(select(col(RoadmapItem.title), col(RoadmapItem.target_date)), actor, RoadmapItem)
        .where(
            col(RoadmapItem.company_id).in_(ids),
            col(RoadmapItem.status) == RoadmapStatus.done.value,
            col(RoadmapItem.target_date) >= start,
            col(RoadmapItem.target_date) <= end,
        )
        .order_by(col(RoadmapItem.target_date))
        .limit(MAX_ANNOTATIONS)
    ).all()
    out = [Annotation(at.date(), "deliverable", f"Approved: {name}") for name, at in approved]
    out += [Annotation(day, "milestone", f"Milestone: {title}") for title, day in done]
    return sorted(out, key=lambda a: (a.day, a.label))[:MAX_ANNOTATIONS]


def results_tab(
    session: Session,
    *,
    actor: Actor,
    company_id: int,
    company_ids: Sequence[int],
    period_type: str | None,
    period_end: str | None,
    sort_by: str | None,
    sort_dir: str | None,
    platform: str | None,
    page: str | None = None,
    today: date,
    can_write: bool,
) -> ResultsTab:
    """Everything the tab shows for one period (bad arguments: :class:`Invalid`)."""
    require_dashboard(session, company_id)
    period = parse_period(period_type, period_end, today=today)
    page_number = check_page(page)
    connections, connections_total = first_connections(
        session, actor=actor, company_id=company_id, limit=TAB_CONNECTIONS
    )
    results = results_for(
        session,
        company_id=company_id,
        company_ids=company_ids,
        period=period,
        connections=connections,
        with_series=True,
    )
    table = campaign_table(
        session,
        company_ids=company_ids,
        period=period,
        sort_by=sort_by,
        sort_dir=sort_dir,
        platform=platform,
        page=page_number,
        per_page=PAGE_SIZE,
    )
    notes = annotations_for(session, actor, company_ids, period.start, period.end)
    cards = []
    for key in CARD_METRICS:
        r = results.metric(key)
        assert r is not None
        cards.append(
            Card(
                result=r,
                value=format_value(r.metric, r.value, results.currency),
                prior=format_value(r.metric, r.prior_value, results.currency),
                target=format_value(r.metric, r.target, results.currency)
                if r.target is not None
                else None,
            )
        )
    return ResultsTab(
        results=results,
        campaigns=table,
        cards=cards,
        annotations=notes,
        chart=chart_data(results, notes),
        chart_from=first_whole_bucket(results.period),
        connections=connections,
        connections_total=connections_total,
        can_connect=can_write,
        can_manage_agency=actor.is_staff and actor.can(MANAGE_NODE),
    )


def _stamp(day: date) -> int:
    return int(datetime.combine(day, time(12), tzinfo=UTC).timestamp())


def chart_data(results: Results, notes: list[Annotation]) -> dict[str, Any]:
    """The chart's data for static/js/results.js: one point per day, week or month of the
    period (``step``, see :func:`series_step`) as epoch seconds, values in whole currency
    units (the chart shows no cents), and the period's annotations on their own days. A part
    week or month at the period's start is left out (:func:`first_whole_bucket`)."""
    step = series_step(results.period)
    whole_from = first_whole_bucket(results.period) or results.period.start
    firsts = sorted(
        {d for key in SERIES for d, _ in results.series.get(key, []) if d >= whole_from}
    )
    if step == "day":  # every day of the period, gaps included
        period = results.period
        firsts = [
            date.fromordinal(n) for n in range(period.start.toordinal(), period.end.toordinal() + 1)
        ]
    series = []
    for key, label in SERIES.items():
        by_day = dict(results.series.get(key, []))
        series.append(
            {
                "key": key,
                "label": label,
                "values": [
                    int(by_day[d].to_integral_value()) if d in by_day else None for d in firsts
                ],
            }
        )
    return {
        "step": step,
        "x": [_stamp(d) for d in firsts],
        "series": series,
        "currency": results.currency,
        "annotations": [
            {"x": _stamp(a.day), "kind": a.kind, "label": a.label}
            for a in notes
            if a.day >= whole_from
        ],
    }
