"""Metrics per period: value, prior value, delta, target and tracking status, summed in SQL.

A period is the calendar ``week`` (Monday first), ``month``, ``quarter`` or ``year`` that holds
``period_end``, from its first day to ``period_end``; the prior value is the same stretch of the
period before (month-to-date against the same days of last month). Summed metrics are summed
by the database over both stretches in one query; ratios (AOV, ROAS, CPA, CTR) are computed from
those sums. ``delta_pct`` = (value − prior) / prior × 100 (None when there is no prior value).

Targets are monthly (``MetricTarget``): a summed metric's target scales with the period (a
quarter is three months, a week 7/30.44 of one) and is compared with what the elapsed part of
the period should have reached; a ratio's target applies as it is. Tracking status: for a
metric where more is better, ``on_track`` at 100 % or more of the expected value, ``at_risk``
from 90 %, else ``off_track``; where less is better (cost per acquisition, spend against a
budget) ``on_track`` up to 100 %, ``at_risk`` up to 110 %; ``no_target`` without a target.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Date, case, cast, func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from portal.errors import Invalid
from portal.models.results import MetricCompanyDaily, MetricTarget, PlatformConnection

PERIOD_TYPES: tuple[str, ...] = ("week", "month", "quarter", "year")
DAYS_PER_MONTH = Decimal("30.4375")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class MetricDef:
    key: str
    label: str
    unit: str  # "money" | "count" | "ratio" | "percent"
    better: str = "higher"  # "higher" | "lower"
    # a ratio: (numerator, denominator, factor); None for a stored (summed) metric
    ratio: tuple[str, str, int] | None = None


METRICS: tuple[MetricDef, ...] = (
    MetricDef("revenue", "Revenue", "money"),
    MetricDef("orders", "Orders", "count"),
    MetricDef("aov", "Average order value", "money", ratio=("revenue", "orders", 1)),
    MetricDef("ad_spend", "Ad spend", "money", better="lower"),
    MetricDef("impressions", "Impressions", "count"),
    MetricDef("clicks", "Clicks", "count"),
    MetricDef("ctr", "Click-through rate", "percent", ratio=("clicks", "impressions", 100)),
    MetricDef("conversions", "Conversions", "count"),
    MetricDef("ad_revenue", "Ad revenue", "money"),
    MetricDef("roas", "Return on ad spend", "ratio", ratio=("ad_revenue", "ad_spend", 1)),
    MetricDef(
        "cpa", "Cost per acquisition", "money", better="lower", ratio=("ad_spend", "conversions", 1)
    ),
)
METRIC_BY_KEY = {m.key: m for m in METRICS}
STORED_METRICS = tuple(m.key for m in METRICS if m.ratio is None)
MONEY_STORED = {"revenue", "ad_spend", "ad_revenue"}  # minor units in the daily table
# The KPI cards of the tab, in order
CARD_METRICS: tuple[str, ...] = (
    "revenue",
    "orders",
    "aov",
    "ad_spend",
    "conversions",
    "roas",
    "cpa",
)


@dataclass(frozen=True)
class Period:
    type: str
    start: date
    end: date
    prior_start: date
    prior_end: date
    full_days: int  # days in the whole calendar period
    months: Decimal  # the period's length in months (for scaling monthly targets)

    @property
    def elapsed_days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.type == "week":
            return f"Week of {self.start:%-d %b %Y}"
        if self.type == "month":
            return f"{self.start:%B %Y}"
        if self.type == "quarter":
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"
        return str(self.start.year)

    @property
    def comparison(self) -> str:
        return {"week": "last week", "month": "last month", "quarter": "last quarter"}.get(
            self.type, "last year"
        )


def _months_back(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def period_for(period_type: str, period_end: date) -> Period:
    """The calendar period of ``period_type`` holding ``period_end`` (up to it) and its prior."""
    if period_type not in PERIOD_TYPES:
        raise Invalid(
            "period_type must be week, month, quarter or year.",
            code="invalid_period",
            errors={"period_type": ["Choose week, month, quarter or year."]},
        )
    end = period_end
    if period_type == "week":
        start = end - timedelta(days=end.weekday())
        prior_start = start - timedelta(days=7)
        full, months = 7, Decimal(7) / DAYS_PER_MONTH
    elif period_type == "month":
        start = end.replace(day=1)
        prior_start = _months_back(start, 1)
        full, months = calendar.monthrange(end.year, end.month)[1], Decimal(1)
    elif period_type == "quarter":
        start = date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
        prior_start = _months_back(start, 3)
        full = (_months_back(start, -3) - start).days
        months = Decimal(3)
    else:
        start = date(end.year, 1, 1)
        prior_start = date(end.year - 1, 1, 1)
        full, months = (date(end.year + 1, 1, 1) - start).days, Decimal(12)
    prior_end = min(prior_start + (end - start), start - timedelta(days=1))
    return Period(period_type, start, end, prior_start, prior_end, full, months)


def parse_period(period_type: str | None, period_end: str | None, *, today: date) -> Period:
    """A period from request arguments; bad values are :class:`Invalid` (422)."""
    end = today
    if period_end:
        try:
            end = date.fromisoformat(period_end)
        except ValueError:
            raise Invalid(
                "period_end must be a date (YYYY-MM-DD).",
                code="invalid_period",
                errors={"period_end": ["Give a date as YYYY-MM-DD."]},
            ) from None
        if not date(2000, 1, 1) <= end <= date(2100, 12, 31):
            raise Invalid(
                "period_end is out of range.",
                code="invalid_period",
                errors={"period_end": ["Give a date between 2000 and 2100."]},
            )
    return period_for(period_type or "month", end)


def delta_pct(value: Decimal | None, prior: Decimal | None) -> Decimal | None:
    """(value − prior) / prior × 100, to two decimals; None without a prior value."""
    if value is None or prior is None or prior == 0:
        return None
    return ((value - prior) / prior * 100).quantize(CENT, rounding=ROUND_HALF_UP)


def tracking_status(metric: MetricDef, value: Decimal | None, expected: Decimal | None) -> str:
    """The target rule of the module docstring."""
    if expected is None:
        return "no_target"
    value = value or Decimal(0)
    if metric.better == "lower":
        if value <= expected:
            return "on_track"
        return "at_risk" if value <= expected * Decimal("1.1") else "off_track"
    if value >= expected:
        return "on_track"
    return "at_risk" if value >= expected * Decimal("0.9") else "off_track"


@dataclass
class MetricResult:
    metric: MetricDef
    value: Decimal | None
    prior_value: Decimal | None
    delta_pct: Decimal | None
    target: Decimal | None
    tracking_status: str

    @property
    def key(self) -> str:
        return self.metric.key


@dataclass
class Results:
    period: Period
    metrics: list[MetricResult]
    insight: str
    connections: list[PlatformConnection]
    currency: str
    series: dict[str, list[tuple[date, Decimal]]] = field(default_factory=dict)

    def metric(self, key: str) -> MetricResult | None:
        return next((m for m in self.metrics if m.key == key), None)


def _to_unit(key: str, raw: int | Decimal | None) -> Decimal | None:
    if raw is None:
        return None
    amount = Decimal(raw)
    return (amount / 100).quantize(CENT) if key in MONEY_STORED else amount


def _values(sums: dict[str, int], present: set[str]) -> dict[str, Decimal | None]:
    out: dict[str, Decimal | None] = {}
    for m in METRICS:
        if m.ratio is None:
            out[m.key] = _to_unit(m.key, sums.get(m.key, 0)) if m.key in present else None
    for m in METRICS:
        if m.ratio is not None:
            num, den, factor = m.ratio
            top, bottom = out.get(num), out.get(den)
            out[m.key] = (
                (top / bottom * factor).quantize(CENT, rounding=ROUND_HALF_UP)
                if top is not None and bottom
                else None
            )
    return out


def metric_sums(
    session: Session, company_ids: Sequence[int], period: Period
) -> tuple[dict[str, int], dict[str, int], set[str]]:
    """(current sums, prior sums, metrics present) — one aggregate query over the companies'
    daily totals (``metric_company_daily``: one row per metric and day, however many
    connections feed them)."""
    day = col(MetricCompanyDaily.day)
    in_current = day >= period.start
    rows = session.exec(
        select(
            col(MetricCompanyDaily.metric),
            func.sum(case((in_current, col(MetricCompanyDaily.value)), else_=0)),
            func.sum(case((in_current, 0), else_=col(MetricCompanyDaily.value))),
        )
        .where(
            col(MetricCompanyDaily.company_id).in_(list(company_ids)),
            ((day >= period.prior_start) & (day <= period.prior_end))
            | ((day >= period.start) & (day <= period.end)),
        )
        .group_by(col(MetricCompanyDaily.metric))
    ).all()
    current = {m: int(c or 0) for m, c, _ in rows}
    prior = {m: int(p or 0) for m, _, p in rows}
    return current, prior, set(current)


def targets_for(session: Session, company_id: int, period: Period) -> dict[str, Decimal]:
    """Each metric's expected value by ``period.end`` (the scaled, prorated monthly target)
    and, under ``"<key>:full"``, its target for the whole period."""
    rows = session.exec(
        select(MetricTarget.metric, MetricTarget.monthly_value).where(
            MetricTarget.company_id == company_id
        )
    ).all()
    out: dict[str, Decimal] = {}
    for key, monthly in rows:
        metric = METRIC_BY_KEY.get(key)
        if metric is None:
            continue
        raw = _to_unit(key, monthly) if metric.ratio is None else Decimal(monthly) / 100
        assert raw is not None
        if metric.ratio is None:
            full = (raw * period.months).quantize(CENT, rounding=ROUND_HALF_UP)
            expected = full * period.elapsed_days / period.full_days
        else:
            full = expected = raw
        out[f"{key}:full"] = full
        out[key] = expected
    return out


# The chart's points: a day each up to a quarter, a week each up to a year, a month beyond
DAILY_UP_TO = 92
WEEKLY_UP_TO = 366


def series_step(period: Period) -> str:
    """``day``, ``week`` or ``month``: how long one point of the period's chart is."""
    days = period.elapsed_days
    return "day" if days <= DAILY_UP_TO else "week" if days <= WEEKLY_UP_TO else "month"


def first_whole_bucket(period: Period) -> date | None:
    """The first day of the chart's first whole week or month when the period starts inside
    one (a year starting on a Thursday), else ``None``. The part bucket before it sums fewer
    days than the others and would draw a drop that never happened."""
    step = series_step(period)
    start = period.start
    if step == "week" and start.weekday():
        return start + timedelta(days=7 - start.weekday())
    if step == "month" and start.day != 1:
        return _months_back(start, -1)
    return None


def _bucket(session: Session, step: str) -> ColumnElement[Any]:
    """The first day of the day's ``step`` (weeks start on Monday), as SQL."""
    day: ColumnElement[Any] = MetricCompanyDaily.__table__.c.day  # type: ignore[attr-defined]
    if step == "day":
        return day
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc(step, day), Date)
    if step == "week":  # SQLite: the Monday on or before the day
        return func.date(day, "weekday 0", "-6 days")
    return func.date(day, "start of month")


def daily_series(
    session: Session, company_ids: Sequence[int], period: Period, keys: Sequence[str]
) -> dict[str, list[tuple[date, Decimal]]]:
    """Totals of ``keys`` over the current period, one per day, week or month
    (:func:`series_step`) keyed by the bucket's first day, clamped to the period's start
    (one grouped query)."""
    bucket = _bucket(session, series_step(period)).label("bucket")
    rows = session.exec(
        select(
            bucket,
            col(MetricCompanyDaily.metric),
            func.sum(col(MetricCompanyDaily.value)),
        )
        .where(
            col(MetricCompanyDaily.company_id).in_(list(company_ids)),
            col(MetricCompanyDaily.metric).in_(list(keys)),
            col(MetricCompanyDaily.day) >= period.start,
            col(MetricCompanyDaily.day) <= period.end,
        )
        .group_by(bucket, col(MetricCompanyDaily.metric))
        .order_by(bucket)
    ).all()
    series: dict[str, list[tuple[date, Decimal]]] = {k: [] for k in keys}
    for first, key, total in rows:
        day = first if isinstance(first, date) else date.fromisoformat(str(first)[:10])
        value = _to_unit(key, int(total or 0))
        assert value is not None
        series[key].append((max(day, period.start), value))
    return series


def results_for(
    session: Session,
    *,
    company_id: int,
    company_ids: Sequence[int],
    period: Period,
    connections: list[PlatformConnection],
    with_series: bool = False,
) -> Results:
    """Every metric of ``period`` for the companies ``company_ids`` (the portal's group),
    with the targets of ``company_id``."""
    current, prior, present = metric_sums(session, company_ids, period)
    now_values = _values(current, present)
    prior_values = _values(prior, present)
    targets = targets_for(session, company_id, period)
    out: list[MetricResult] = []
    for m in METRICS:
        value, before = now_values[m.key], prior_values[m.key]
        out.append(
            MetricResult(
                metric=m,
                value=value,
                prior_value=before,
                delta_pct=delta_pct(value, before),
                target=targets.get(f"{m.key}:full"),
                tracking_status=tracking_status(m, value, targets.get(m.key)),
            )
        )
    currency = connections[0].currency if connections else "USD"
    results = Results(period, out, "", connections, currency)
    results.insight = insight(results)
    if with_series:
        results.series = daily_series(session, company_ids, period, ("revenue", "ad_spend"))
    return results


def format_value(metric: MetricDef, value: Decimal | None, currency: str = "USD") -> str:
    if value is None:
        return "—"
    if metric.unit == "money":
        symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency, currency + " ")
        return f"{symbol}{value:,.2f}" if abs(value) < 1000 else f"{symbol}{value:,.0f}"
    if metric.unit == "percent":
        return f"{value:.2f}%"
    if metric.unit == "ratio":
        return f"{value:.2f}×"
    return f"{value:,.0f}"


def insight(results: Results) -> str:
    """One sentence on the biggest move among the headline metrics."""
    moved = [
        r
        for r in results.metrics
        if r.key in CARD_METRICS and r.delta_pct is not None and r.value is not None
    ]
    if not moved:
        if not results.connections:
            return "Connect a store or an ad account to see how your results move."
        return f"No numbers to compare with {results.period.comparison} yet."
    top = max(moved, key=lambda r: (abs(r.delta_pct or 0), -CARD_METRICS.index(r.key)))
    direction = "up" if (top.delta_pct or 0) > 0 else "down" if top.delta_pct else "flat"
    cur = format_value(top.metric, top.value, results.currency)
    before = format_value(top.metric, top.prior_value, results.currency)
    sentence = (
        f"{top.metric.label} is {direction} {abs(top.delta_pct or 0):.1f}% on "
        f"{results.period.comparison} ({cur} against {before})"
    )
    tail = {
        "on_track": ", on track for its target",
        "at_risk": ", a little behind its target",
        "off_track": ", behind its target",
    }.get(top.tracking_status, "")
    return sentence + tail + "."
