"""The Results tab: cards, chart data, campaigns sorted and filtered, period picker, Ask and
connections — HTMX both ways, hidden unless the portal has results on."""

from __future__ import annotations

import json
import logging
import re
from datetime import date
from html import unescape

import pytest
from sqlmodel import select

from portal.models.results import PlatformConnection
from services.demo.results_platforms import DEMO_SHOP, DEMO_SHOP_TOKEN
from tests.factories.results import enable_results, make_connection, set_target

END = "2026-04-20"
HX = {"HX-Request": "true"}


@pytest.fixture
def acme(db, tenants):
    enable_results(db, tenants.acme)
    make_connection(db, tenants.acme, "shopify", days=60, end=date(2026, 4, 20))
    make_connection(db, tenants.acme, days=60, end=date(2026, 4, 20), managed_by="agency")
    set_target(db, tenants.acme, "revenue", 40_000_00)
    return tenants


def test_campaign_days_are_read_once_per_render(client, login, acme, count_queries) -> None:
    """The platform filter comes from the connected ad platforms, not from a scan of every
    campaign day the company ever had (60 ms at 2,000 connections x 5 years): the only
    statement over campaign days is the period's own aggregation."""
    login(acme.acme_viewer)
    client.get(url(acme, period_end=END))
    with count_queries() as q:
        html = client.get(url(acme, period_end=END)).get_data(as_text=True)
    assert len([s for s in q.statements if "campaign_daily" in s]) == 1, q.statements
    chips = re.search(r'aria-label="Filter by platform">(.*?)</nav>', html, re.S).group(1)
    # the connected ad platform is offered; the shop (no campaigns) is not
    assert "Google Ads" in chips and "Shopify" not in chips


def url(t, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/p/{t.acme.slug}/results" + (f"?{query}" if query else "")


def chart(html: str) -> dict:
    raw = re.search(r'data-results-chart="([^"]*)"', html)
    assert raw, "no chart"
    return json.loads(unescape(raw.group(1)))


def test_the_tab_shows_cards_chart_and_campaigns(client, login, acme, count_queries) -> None:
    login(acme.acme_viewer)
    with count_queries() as q:
        resp = client.get(url(acme, period_end=END))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert q.count <= 12, q.statements
    assert "vendor/uplot/uPlot.iife.min.js" in html and "js/results.js" in html
    for label in ("Revenue", "Orders", "Return on ad spend", "Cost per acquisition"):
        assert label in html
    assert "Target $40,000" in html
    data = chart(html)
    assert len(data["x"]) == 20 and {s["key"] for s in data["series"]} == {"revenue", "ad_spend"}
    assert "Brand search" in html and "Managed by" in html
    assert "Disconnect" not in html  # a viewer changes nothing
    # the tab appears in the tab bar
    assert f'href="/p/{acme.acme.slug}/results"' in html


def test_htmx_gets_the_block_and_the_url_args_stay_true(client, login, acme) -> None:
    login(acme.acme_collab)
    resp = client.get(
        url(acme, period_type="quarter", period_end=END, sort_by="clicks"), headers=HX
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in html
    assert "data-page-script" in html  # the chart library travels with the fragment
    assert "Q2 2026" in html
    # sort links keep the period and flip the direction of the active column
    assert "period_type=quarter" in html and "sort_by=clicks&amp;sort_dir=asc" in html
    full = client.get(url(acme, period_type="quarter", period_end=END, sort_by="clicks"))
    assert "<html" in full.get_data(as_text=True)


def test_campaigns_filter_by_platform_and_sort(client, login, acme) -> None:
    login(acme.acme_admin)
    html = client.get(url(acme, period_end=END, sort_by="name", sort_dir="asc")).get_data(
        as_text=True
    )
    names = re.findall(r'<td data-label="Campaign">([^<]+)</td>', html)
    assert names == sorted(names, key=str.lower) and len(names) == 6
    html = client.get(url(acme, period_end=END, platform="shopify")).get_data(as_text=True)
    assert "No campaigns in this period" in html


@pytest.mark.parametrize(
    "args",
    [
        {"period_type": "fortnight"},
        {"period_end": "2026-02-31"},
        {"sort_by": "secret"},
        {"sort_dir": "up"},
        {"platform": "myspace"},
    ],
)
def test_bad_arguments_are_422(client, login, acme, args) -> None:
    login(acme.acme_admin)
    assert client.get(url(acme, **args)).status_code == 422


def test_the_tab_is_hidden_without_results(client, login, db, tenants) -> None:
    login(tenants.globex_admin)
    assert client.get(f"/p/{tenants.globex.slug}/results").status_code == 404
    page = client.get(f"/p/{tenants.globex.slug}/dashboard").get_data(as_text=True)
    assert f"/p/{tenants.globex.slug}/results" not in page


def test_ask_answers_in_the_tab(client, login, acme) -> None:
    login(acme.acme_viewer)
    resp = client.post(
        f"/p/{acme.acme.slug}/results/ask",
        data={"question": "What were total conversions this year?"},
        headers=HX,
    )
    assert resp.status_code == 200
    assert "Conversions for 20" in resp.get_data(as_text=True)
    resp = client.post(f"/p/{acme.acme.slug}/results/ask", data={"question": ""}, headers=HX)
    assert resp.status_code == 422 and "Ask a question" in resp.get_data(as_text=True)


def test_a_model_words_the_answer_in_the_tab(client, login, acme, ask_llm) -> None:
    login(acme.acme_viewer)
    ask = f"/p/{acme.acme.slug}/results/ask"
    question = {"question": "How did revenue change this year?"}
    html = client.post(ask, data=question, headers=HX).get_data(as_text=True)
    assert "From the numbers: Revenue, " in html
    assert "Written by fake-gpt" in html and 'aria-label="Numbers used"' in html
    ask_llm.fail_next(status=503)
    resp = client.post(ask, data=question, headers=HX)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Revenue for " in html
    assert "could not answer just now" in html and "Written by" not in html
    assert ask_llm.key not in html


def test_without_a_model_the_tab_answers_as_before(client, login, acme, chat_model) -> None:
    login(acme.acme_viewer)
    html = client.post(
        f"/p/{acme.acme.slug}/results/ask",
        data={"question": "How did revenue change this year?"},
        headers=HX,
    ).get_data(as_text=True)
    assert "Revenue for " in html and "Written by" not in html
    assert "Numbers used" not in html and "could not answer" not in html
    assert chat_model.requests == []


def test_connect_from_the_tab(client, login, db, tenants, platform_url, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    enable_results(db, tenants.acme)
    login(tenants.acme_collab)
    base = f"/p/{tenants.acme.slug}/results/connections"
    wrong = client.post(
        base, data={"platform": "shopify", "shop": DEMO_SHOP, "access_token": "bad"}, headers=HX
    )
    assert wrong.status_code == 422
    assert "refused these credentials" in wrong.get_data(as_text=True)
    assert "bad" not in re.sub(r"<[^>]+>", "", wrong.get_data(as_text=True)).split()
    assert db.exec(select(PlatformConnection.id)).first() is None
    ok = client.post(
        base,
        data={"platform": "shopify", "shop": DEMO_SHOP, "access_token": DEMO_SHOP_TOKEN},
        headers=HX,
    )
    assert ok.status_code == 204 and ok.headers["HX-Redirect"].endswith("/results")
    page = client.get(f"/p/{tenants.acme.slug}/results").get_data(as_text=True)
    assert "Synced" in page and DEMO_SHOP_TOKEN not in page and DEMO_SHOP_TOKEN not in caplog.text
    connection = db.exec(select(PlatformConnection)).one()
    resp = client.post(f"{base}/{connection.id}/delete", headers=HX)
    assert resp.status_code == 204
    assert db.exec(select(PlatformConnection.id)).first() is None


def test_a_viewer_cannot_connect_or_sync(client, login, acme) -> None:
    login(acme.acme_viewer)
    slug = acme.acme.slug
    assert client.post(f"/p/{slug}/results/sync").status_code == 403
    assert (
        client.post(f"/p/{slug}/results/connections", data={"platform": "shopify"}).status_code
        == 403
    )


def test_the_page_and_api_do_not_grow_with_days_or_connections(
    client, login, db, tenants, count_queries, service_token
) -> None:
    from tests.api.conftest import bearer

    enable_results(db, tenants.acme)
    make_connection(db, tenants.acme, days=3, end=date(2026, 4, 20))
    login(tenants.acme_admin)
    page = url(tenants, period_type="year", period_end=END)
    api = f"/api/portal/results?period_type=year&period_end={END}"
    headers = bearer(service_token, **{"X-Portal-Company-Id": tenants.acme.id})

    def counts() -> tuple[int, int]:
        client.get(page)
        with count_queries() as q:
            assert client.get(page).status_code == 200
        with count_queries() as a:
            assert client.get(api, headers=headers).status_code == 200
        return q.count, a.count

    few = counts()
    make_connection(db, tenants.acme, "shopify", days=110, end=date(2026, 4, 20))
    make_connection(db, tenants.acme, days=110, end=date(2026, 4, 20))
    make_connection(db, tenants.retail, days=50, end=date(2026, 4, 20))
    many = counts()
    assert few == many and many[0] <= 12 and many[1] <= 12, (few, many)


def test_partials_and_campaigns_api_do_not_grow_with_data(
    client, login, db, tenants, count_queries, service_token
) -> None:
    """The bench's Results targets (issue 14): the period-change and campaigns-sort partials
    and the campaigns API run the same statements on one small connection as on many
    connections with months of days."""
    from tests.api.conftest import bearer

    enable_results(db, tenants.acme)
    make_connection(db, tenants.acme, days=3, end=date(2026, 4, 20))
    login(tenants.acme_admin)
    headers = bearer(service_token, **{"X-Portal-Company-Id": tenants.acme.id})
    targets = [
        (url(tenants, period_type="quarter", period_end=END), HX),
        (url(tenants, sort_by="roas", sort_dir="asc", period_end=END), HX),
        (url(tenants, sort_by="name", sort_dir="desc", platform="google_ads", period_end=END), HX),
        (f"/api/portal/results/campaigns?sort_by=roas&sort_dir=asc&period_end={END}", headers),
        (f"/api/portal/results?period_type=quarter&period_end={END}", headers),
    ]

    def counts() -> list[int]:
        out = []
        for path, h in targets:
            client.get(path, headers=h)
            with count_queries() as q:
                resp = client.get(path, headers=h)
            assert resp.status_code == 200, path
            out.append(q.count)
        return out

    few = counts()
    for _ in range(3):
        make_connection(db, tenants.acme, days=120, end=date(2026, 4, 20))
    make_connection(db, tenants.acme, "shopify", days=120, end=date(2026, 4, 20))
    many = counts()
    assert few == many and max(many) <= 12, (few, many)


def test_disconnecting_takes_the_numbers_out_of_the_totals(client, login, db, tenants) -> None:
    """The daily totals the page sums are kept at sync time and when a connection goes."""
    from services.results.metrics import period_for, results_for

    enable_results(db, tenants.acme)
    keep = make_connection(db, tenants.acme, "shopify", days=30, end=date(2026, 4, 20))
    gone = make_connection(db, tenants.acme, "shopify", days=30, end=date(2026, 4, 20))
    period = period_for("month", date(2026, 4, 20))

    def revenue():
        r = results_for(
            db,
            company_id=tenants.acme.id,
            company_ids=[tenants.acme.id],
            period=period,
            connections=[],
        )
        return r.metric("revenue").value

    both = revenue()
    login(tenants.acme_admin)
    resp = client.post(url(tenants).replace("/results", f"/results/connections/{gone.id}/delete"))
    assert resp.status_code in (204, 303)
    db.expire_all()
    alone = revenue()
    assert keep.id and alone is not None and both is not None and 0 < alone < both


def test_the_tab_lists_the_first_connections_and_counts_the_rest(
    client, login, db, tenants, monkeypatch
) -> None:
    from services.results import tab as tab_module

    monkeypatch.setattr(tab_module, "TAB_CONNECTIONS", 2)
    enable_results(db, tenants.acme)
    for _ in range(3):
        make_connection(db, tenants.acme, "shopify", days=3, end=date(2026, 4, 20))
    login(tenants.acme_admin)
    html = client.get(url(tenants, period_end=END)).get_data(as_text=True)
    assert html.count('class="list-row results-connection"') == 2
    assert "And 1 more connected accounts; the numbers above include all 3." in html
