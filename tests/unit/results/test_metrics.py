"""Metrics per period: windows, deltas (a property test), targets and the tracking rule,
and campaigns sorted both ways on every column."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert

from portal.errors import Invalid
from portal.models.results import MetricDaily
from services.results.campaigns import SORT_COLUMNS, campaign_table
from services.results.metrics import (
    METRIC_BY_KEY,
    PERIOD_TYPES,
    STORED_METRICS,
    parse_period,
    period_for,
    results_for,
    tracking_status,
)
from services.results.sync import refresh_rollup
from tests.factories.results import enable_results, make_connection, set_target


def test_periods_are_calendar_periods_to_date_against_the_same_days_before() -> None:
    month = period_for("month", date(2026, 3, 31))
    assert (month.start, month.prior_start, month.prior_end) == (
        date(2026, 3, 1),
        date(2026, 2, 1),
        date(2026, 2, 28),  # clamped to February's end
    )
    week = period_for("week", date(2026, 11, 26))  # a Thursday
    assert (week.start, week.prior_start, week.prior_end) == (
        date(2026, 11, 23),
        date(2026, 11, 16),
        date(2026, 11, 19),
    )
    quarter = period_for("quarter", date(2026, 5, 10))
    assert (quarter.start, quarter.prior_start, quarter.full_days) == (
        date(2026, 4, 1),
        date(2026, 1, 1),
        91,
    )
    year = period_for("year", date(2026, 2, 1))
    assert (year.prior_start, year.prior_end) == (date(2025, 1, 1), date(2025, 2, 1))


@pytest.mark.parametrize(
    ("period_type", "period_end"),
    [("fortnight", None), ("month", "2026-13-01"), ("month", "yesterday"), ("year", "1900-01-01")],
)
def test_bad_periods_are_invalid(period_type, period_end) -> None:
    with pytest.raises(Invalid):
        parse_period(period_type, period_end, today=date(2026, 3, 1))


def test_the_tracking_status_follows_the_target_rule() -> None:
    revenue, cpa = METRIC_BY_KEY["revenue"], METRIC_BY_KEY["cpa"]
    d = Decimal
    assert tracking_status(revenue, d(100), None) == "no_target"
    assert tracking_status(revenue, d(100), d(100)) == "on_track"
    assert tracking_status(revenue, d(90), d(100)) == "at_risk"
    assert tracking_status(revenue, d("89.99"), d(100)) == "off_track"
    assert tracking_status(cpa, d(100), d(100)) == "on_track"
    assert tracking_status(cpa, d(110), d(100)) == "at_risk"
    assert tracking_status(cpa, d("110.01"), d(100)) == "off_track"


DAY = st.integers(min_value=0, max_value=5_000_000)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    period_type=st.sampled_from(PERIOD_TYPES),
    end=st.dates(min_value=date(2024, 3, 1), max_value=date(2027, 12, 31)),
    current=st.lists(DAY, min_size=1, max_size=8),
    prior=st.lists(DAY, min_size=1, max_size=8),
)
def test_delta_pct_is_value_against_prior_for_every_metric_and_period(
    db, tenants, period_type, end, current, prior
) -> None:
    connection = getattr(tenants, "_conn", None) or make_connection(db, tenants.acme)
    tenants._conn = connection
    db.execute(delete(MetricDaily).where(MetricDaily.connection_id == connection.id))
    period = period_for(period_type, end)
    rows = []
    for metric in STORED_METRICS:
        for n, v in enumerate(current):
            day = period.end - timedelta(days=n % period.elapsed_days)
            rows.append((metric, day, v))
        for n, v in enumerate(prior):
            span = (period.prior_end - period.prior_start).days + 1
            rows.append((metric, period.prior_end - timedelta(days=n % span), v))
    # one row per (metric, day): sum the generated values of the same day first
    summed: dict[tuple[str, date], int] = {}
    for metric, day, v in rows:
        summed[(metric, day)] = summed.get((metric, day), 0) + v
    db.execute(
        insert(MetricDaily),
        [
            {
                "company_id": tenants.acme.id,
                "connection_id": connection.id,
                "metric": m,
                "day": d,
                "value": v,
            }
            for (m, d), v in summed.items()
        ],
    )
    refresh_rollup(db, tenants.acme.id)  # what a sync does after storing its days
    results = results_for(
        db, company_id=tenants.acme.id, company_ids=[tenants.acme.id], period=period, connections=[]
    )
    for r in results.metrics:
        if r.metric.ratio is None:
            scale = Decimal(100) if r.key in ("revenue", "ad_spend", "ad_revenue") else Decimal(1)
            assert r.value == Decimal(sum(current)) / scale
            assert r.prior_value == Decimal(sum(prior)) / scale
        if r.value is None or r.prior_value in (None, 0):
            assert r.delta_pct is None
        else:
            expected = (r.value - r.prior_value) / r.prior_value * 100
            assert r.delta_pct is not None and abs(r.delta_pct - expected) <= Decimal("0.005")


def test_targets_scale_with_the_period_and_are_compared_pro_rata(db, tenants) -> None:
    enable_results(db, tenants.acme)
    end = date(2026, 4, 15)
    make_connection(db, tenants.acme, "shopify", days=120, end=end)
    set_target(db, tenants.acme, "revenue", 1_000_000_00)  # far beyond: off track
    set_target(db, tenants.acme, "orders", 1)  # easily met: on track
    results = results_for(
        db,
        company_id=tenants.acme.id,
        company_ids=[tenants.acme.id],
        period=period_for("quarter", end),
        connections=[],
    )
    revenue, orders = results.metric("revenue"), results.metric("orders")
    assert (
        revenue and revenue.target == Decimal(3_000_000) and revenue.tracking_status == "off_track"
    )
    assert orders and orders.target == Decimal(3) and orders.tracking_status == "on_track"
    assert results.metric("roas").tracking_status == "no_target"  # type: ignore[union-attr]
    assert "on last quarter" in results.insight


@pytest.mark.parametrize("sort_by", SORT_COLUMNS)
def test_campaigns_sort_both_ways_on_every_column(db, tenants, sort_by) -> None:
    end = date(2026, 4, 20)
    make_connection(db, tenants.acme, days=30, end=end)
    make_connection(db, tenants.acme, "shopify", days=30, end=end)
    period = period_for("month", end)
    seen = {}
    for direction in ("asc", "desc"):
        table = campaign_table(
            db, company_ids=[tenants.acme.id], period=period, sort_by=sort_by, sort_dir=direction
        )
        assert len(table.rows) == 6  # the spring campaign runs in April
        values = [
            (r.name.lower() if sort_by == "name" else getattr(r, sort_by)) for r in table.rows
        ]
        present = [v for v in values if v is not None]
        assert present == sorted(present, reverse=direction == "desc")
        assert values[len(present) :] == [None] * (len(values) - len(present))  # nulls last
        seen[direction] = [r.ref for r in table.rows]
    if sort_by != "platform":  # one platform: every row ties
        assert seen["asc"] != seen["desc"]
    filtered = campaign_table(db, company_ids=[tenants.acme.id], period=period, platform="shopify")
    assert filtered.rows == []
    with pytest.raises(Invalid):
        campaign_table(db, company_ids=[tenants.acme.id], period=period, sort_by="id; drop")
