"""The Results tab's HTMX partials stay small on big data (SPEC §8: <= 10 KB gzipped): the
campaigns table is paged (sort and filter kept in the paging links, totals over every
campaign), the chart sends a point per week for a year, and the work done in the period still
marks the chart."""

from __future__ import annotations

import gzip
import json
import random
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest

from portal.models.deliverable import Deliverable
from portal.models.planning import Roadmap, RoadmapItem
from portal.models.results import CampaignDaily, MetricCompanyDaily
from tests.factories.results import enable_results, make_connection

END = date(2026, 4, 20)
HX = {"HX-Request": "true"}
BUDGET = 10 * 1024
CAMPAIGNS = 120  # per connection; two connections
WORDS = (
    "spring summer brand search shopping display video retargeting lookalike running shoes "
    "jackets outlet clearance launch loyalty prospecting generic competitor"
).split()


def url(t, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/p/{t.acme.slug}/results" + (f"?{query}" if query else "")


def chart(html: str) -> dict:
    raw = re.search(r'data-results-chart="([^"]*)"', html)
    assert raw, "no chart"
    return json.loads(unescape(raw.group(1)))


def names(html: str) -> list[str]:
    return re.findall(r'<td data-label="Campaign">([^<]+)</td>', html)


def gzipped(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6))


@pytest.fixture
def big(db, tenants):
    """Acme with 240 campaigns over two ad accounts, 500 days of rollup, 25 connections and
    deliverables approved and milestones done through the year."""
    enable_results(db, tenants.acme)
    connections = [
        make_connection(db, tenants.acme, display_name=f"Ads account {n:02d}") for n in range(23)
    ]
    connections += [
        make_connection(db, tenants.acme, "shopify", display_name=f"Store {n}") for n in range(2)
    ]
    rng = random.Random(14)  # realistic, poorly compressible numbers and names
    rows = []
    tenants.campaign_names, tenants.spend_2026 = [], 0
    for a, conn in enumerate(connections[:2]):
        for n in range(CAMPAIGNS):
            # a unique number first: the order is the same under any collation
            name = f"{n:03d}{a} {' '.join(rng.sample(WORDS, 3)).capitalize()}"
            tenants.campaign_names.append(name)
            for offset in range(0, 360, 30):
                day = END - timedelta(days=offset + n % 7)
                spend = rng.randint(1_000, 900_000)
                tenants.spend_2026 += spend if day.year == 2026 else 0
                rows.append(
                    CampaignDaily(
                        company_id=tenants.acme.id,
                        connection_id=conn.id,
                        platform="google_ads",
                        campaign_ref=f"c{conn.id}-{n}",
                        campaign_name=name,
                        day=day,
                        spend=spend,
                        impressions=rng.randint(10_000, 9_000_000),
                        clicks=rng.randint(100, 90_000),
                        conversions=rng.randint(0, 3_000),
                        revenue=rng.randint(1_000, 9_000_000),
                    )
                )
    db.add_all(rows)
    for offset in range(500):
        day = END - timedelta(days=offset)
        for metric, value in (
            ("revenue", 1_234_567 + offset * 1013),
            ("ad_spend", 345_678 + offset * 7),
        ):
            db.add(
                MetricCompanyDaily(company_id=tenants.acme.id, day=day, metric=metric, value=value)
            )
    for n in range(15):
        at = datetime.combine(END - timedelta(days=20 * n + 3), datetime.min.time(), tzinfo=UTC)
        db.add(
            Deliverable(
                company_id=tenants.acme.id,
                name=f"Landing page redesign for the spring collection {n}",
                status="approved",
                current_version=1,
                visible_version=1,
                approved_at=at,
            )
        )
    roadmap = Roadmap(company_id=tenants.acme.id, project_id=tenants.acme_project.id, title="Plan")
    db.add(roadmap)
    db.flush()
    for n in range(15):
        db.add(
            RoadmapItem(
                company_id=tenants.acme.id,
                roadmap_id=roadmap.id,
                title=f"Checkout migration phase {n}",
                status="done",
                target_date=END - timedelta(days=20 * n + 10),
            )
        )
    db.flush()
    return tenants


@pytest.mark.parametrize(
    "args",
    [
        {"period_type": "year"},
        {"period_type": "year", "period_end": "2025-12-31"},  # a whole year of days
        {"period_type": "quarter"},
        {"sort_by": "roas", "sort_dir": "asc"},
        {"sort_by": "name", "sort_dir": "desc", "platform": "google_ads", "page": "3"},
    ],
)
def test_partials_stay_under_10_kb_gzipped_on_big_data(client, login, big, args) -> None:
    login(big.acme_admin)  # the biggest view: the connect form and disconnect buttons
    resp = client.get(url(big, **{"period_end": END.isoformat(), **args}), headers=HX)
    assert resp.status_code == 200
    size = gzipped(resp.get_data())
    assert size <= BUDGET, f"{size} bytes gzipped"


def test_a_year_is_charted_by_week_with_the_work_done_marked(client, login, big) -> None:
    login(big.acme_viewer)
    html = client.get(url(big, period_type="year", period_end=END.isoformat()), headers=HX)
    data = chart(html.get_data(as_text=True))
    assert data["step"] == "week" and len(data["x"]) == 16  # 5 Jan .. 20 Apr
    revenue = next(s for s in data["series"] if s["key"] == "revenue")
    # the weeks hold every day from the first whole week on (whole currency units)
    days = (END - date(2026, 1, 5)).days + 1
    expected = sum(1_234_567 + offset * 1013 for offset in range(days)) / 100
    assert abs(sum(revenue["values"]) - expected) <= len(revenue["values"])
    # the weeks start on Mondays
    firsts = [datetime.fromtimestamp(x, UTC).date() for x in data["x"]]
    assert firsts[0] == date(2026, 1, 5) and all(d.weekday() == 0 for d in firsts)
    kinds = {a["kind"] for a in data["annotations"]}
    assert kinds == {"deliverable", "milestone"} and len(data["annotations"]) == 6 + 5
    assert "Approved: Landing page redesign" in html.get_data(as_text=True)
    # a whole year: 52 weekly points from Monday 6 January 2025, the chart's data about 1 KB
    # gzipped (daily: 2.5 KB)
    html = client.get(url(big, period_type="year", period_end="2025-12-31"), headers=HX)
    raw = re.search(r'data-results-chart="([^"]*)"', html.get_data(as_text=True)).group(1)
    assert len(json.loads(unescape(raw))["x"]) == 52
    assert gzipped(raw.encode()) <= 1500
    # a quarter stays daily
    html = client.get(url(big, period_type="quarter", period_end=END.isoformat()), headers=HX)
    data = chart(html.get_data(as_text=True))
    assert data["step"] == "day" and len(data["x"]) == 20


def test_a_year_chart_does_not_dip_at_a_part_first_week(client, login, big) -> None:
    """1 January 2026 is a Thursday: a week of 1..4 January summed four days and drew a drop
    that never happened. The chart starts at the first whole week and says so; the four days
    still count in the figures above it."""
    login(big.acme_viewer)
    page = client.get(url(big, period_type="year", period_end=END.isoformat()))
    html = page.get_data(as_text=True)
    data = chart(html)
    revenue = next(s for s in data["series"] if s["key"] == "revenue")["values"]
    assert revenue[0] >= 0.95 * revenue[1], revenue[:3]  # no dip: the first point is a whole week
    assert datetime.fromtimestamp(data["x"][0], UTC).date() == date(2026, 1, 5)
    assert "Weekly from 5 Jan, the first whole week" in html
    assert "1 Jan to 4 Jan count in the figures above" in html
    # the figures above still hold the whole year so far
    days = (END - date(2026, 1, 1)).days + 1
    year_revenue = sum(1_234_567 + offset * 1013 for offset in range(days)) // 100
    assert f"${year_revenue:,}" in html
    # a year starting on a Monday (2024) has no part week and no note
    html = client.get(url(big, period_type="year", period_end="2024-12-31")).get_data(as_text=True)
    assert "first whole week" not in html


def test_the_campaigns_table_pages_and_keeps_sort_and_filter(client, login, big) -> None:
    login(big.acme_viewer)
    args = {
        "period_type": "year",
        "period_end": END.isoformat(),
        "sort_by": "name",
        "sort_dir": "desc",
        "platform": "google_ads",
    }
    first = client.get(url(big, **args), headers=HX).get_data(as_text=True)
    assert len(names(first)) == 25
    assert "1–25 of 240 campaigns" in first
    # the next page's link keeps the sort, the filter and the period
    link = unescape(re.search(r'href="([^"]*page=2[^"]*)"', first).group(1))
    for key, value in args.items():
        assert f"{key}={value}" in link
    second = client.get(link, headers=HX).get_data(as_text=True)
    assert "26–50 of 240 campaigns" in second
    every = sorted(big.campaign_names, reverse=True)
    assert names(first) + names(second) == every[:50]
    # the totals are those of every campaign, on every page
    total = re.compile(r"<tfoot>.*?</tfoot>", re.S)
    assert total.search(first).group(0) == total.search(second).group(0)
    assert f"{big.spend_2026 / 100:,.2f}" in total.search(first).group(0)
    # sorting or filtering again starts at the first page
    for href in re.findall(r'class="sort-link" href="([^"]*)"', second):
        assert "page=" not in href
    # a page past the end shows the last one
    last = client.get(url(big, page="99", **args), headers=HX).get_data(as_text=True)
    assert "226–240 of 240 campaigns" in last and len(names(last)) == 15
    assert 'href="' in last and "Next" not in last


@pytest.mark.parametrize("page", ["0", "-1", "two", "1.5"])
def test_a_bad_page_is_422(client, login, big, page) -> None:
    login(big.acme_viewer)
    assert client.get(url(big, page=page)).status_code == 422


def test_paging_costs_the_same_queries_and_the_api_still_lists_every_campaign(
    client, login, big, count_queries, service_token
) -> None:
    from tests.api.conftest import bearer

    login(big.acme_viewer)
    counts = []
    for page in ("1", "2", "10"):
        path = url(big, period_type="year", period_end=END.isoformat(), sort_by="roas", page=page)
        client.get(path, headers=HX)
        with count_queries() as q:
            assert client.get(path, headers=HX).status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1] and counts[0] <= 12, counts
    assert counts[2] <= counts[0] + 2  # past the end: the count, then the last page
    headers = bearer(service_token, **{"X-Portal-Company-Id": big.acme.id})
    body = client.get(
        f"/api/portal/results/campaigns?period_type=year&period_end={END.isoformat()}",
        headers=headers,
    ).get_json()
    assert len(body["campaigns"]) == 240 and "page" not in body
