"""/api/portal connections, results, campaigns and Ask (reference 000 shapes)."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import select

from portal.models.results import MetricDaily, PlatformConnection
from services.demo.results_platforms import (
    DEMO_ADS_TOKEN,
    DEMO_CUSTOMER,
    DEMO_DEVELOPER_TOKEN,
    DEMO_SHOP,
    DEMO_SHOP_TOKEN,
)
from tests.api.conftest import assert_envelope, bearer
from tests.factories.results import enable_results, make_connection, set_target

END = "2026-04-20"


def worker(token: str, company, role: str = "admin") -> dict[str, str]:
    return bearer(token, **{"X-Portal-Company-Id": company.id, "X-Portal-User-Role": role})


def test_results_are_off_until_the_portal_enables_them(client, tenants, service_token) -> None:
    h = worker(service_token, tenants.globex)
    assert client.get("/api/portal/connections", headers=h).get_json() == {
        "connections": [],
        "dashboard_enabled": False,
        "limit": 50,
        "offset": 0,
        "total": 0,
    }
    body = client.get("/api/portal/results", headers=h).get_json()
    assert body["dashboard_enabled"] is False and body["metrics"] == []
    assert (
        client.get("/api/portal/results/campaigns", headers=h).get_json()["dashboard_enabled"]
        is False
    )
    resp = client.post("/api/portal/connections/sync", headers=h)
    assert resp.status_code == 404


def test_results_and_campaigns_in_reference_shapes(
    client, db, tenants, service_token, count_queries
) -> None:
    enable_results(db, tenants.acme)
    make_connection(db, tenants.acme, "shopify", days=60, end=date(2026, 4, 20))
    make_connection(db, tenants.acme, days=60, end=date(2026, 4, 20))
    set_target(db, tenants.acme, "revenue", 50_000_00)
    h = worker(service_token, tenants.acme)
    with count_queries() as q:
        resp = client.get(f"/api/portal/results?period_type=month&period_end={END}", headers=h)
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert set(body) >= {"period", "metrics", "insight", "connected_platforms", "dashboard_enabled"}
    assert body["connected_platforms"] == ["google_ads", "shopify"]
    revenue = next(m for m in body["metrics"] if m["key"] == "revenue")
    assert set(revenue) >= {"value", "prior_value", "delta_pct", "target", "tracking_status"}
    assert revenue["target"] == 50000.0 and revenue["tracking_status"] != "no_target"
    expected = (revenue["value"] - revenue["prior_value"]) / revenue["prior_value"] * 100
    assert abs(revenue["delta_pct"] - expected) < 0.01
    assert body["insight"].endswith(".")
    assert q.count <= 12, q.statements

    with count_queries() as q:
        resp = client.get(
            f"/api/portal/results/campaigns?period_end={END}&sort_by=roas&sort_dir=asc",
            headers=h,
        )
    body = resp.get_json()
    assert resp.status_code == 200 and set(body) >= {"period", "campaigns", "totals"}
    roas = [c["roas"] for c in body["campaigns"]]
    assert roas == sorted(roas) and len(roas) == 6
    assert body["totals"]["spend"] == round(sum(c["spend"] for c in body["campaigns"]), 2)
    assert q.count <= 12, q.statements
    assert (
        client.get("/api/portal/results/campaigns?platform=shopify", headers=h).get_json()[
            "campaigns"
        ]
        == []
    )


def test_bad_periods_and_sorts_are_422(client, db, tenants, service_token) -> None:
    enable_results(db, tenants.acme)
    h = worker(service_token, tenants.acme)
    for url in (
        "/api/portal/results?period_type=decade",
        "/api/portal/results?period_end=2026-02-30",
        "/api/portal/results/campaigns?sort_by=password",
        "/api/portal/results/campaigns?sort_dir=sideways",
        "/api/portal/results/campaigns?platform=myspace",
    ):
        assert_envelope(client.get(url, headers=h), 422)


def test_connections_are_listed_a_page_at_a_time(
    client, db, tenants, service_token, count_queries
) -> None:
    enable_results(db, tenants.acme)
    enable_results(db, tenants.globex)
    for i in range(3):
        make_connection(db, tenants.acme, display_name=f"Acme {i:02}")
    make_connection(db, tenants.globex, display_name="Globex only")
    h = worker(service_token, tenants.acme)
    with count_queries() as few:
        small = client.get("/api/portal/connections", headers=h).get_json()
    for i in range(3, 55):
        make_connection(db, tenants.acme, display_name=f"Acme {i:02}")
    with count_queries() as many:
        first = client.get("/api/portal/connections", headers=h).get_json()
    assert few.count == many.count, (few.statements, many.statements)
    assert (small["total"], len(small["connections"])) == (3, 3)
    assert set(first) == {"connections", "dashboard_enabled", "limit", "offset", "total"}
    assert first["dashboard_enabled"] is True
    assert (first["limit"], first["offset"], first["total"]) == (50, 0, 55)
    names = [c["display_name"] for c in first["connections"]]
    assert names == [f"Acme {i:02}" for i in range(50)]

    rest = client.get("/api/portal/connections?offset=50", headers=h).get_json()
    assert [c["display_name"] for c in rest["connections"]] == [
        f"Acme {i:02}" for i in range(50, 55)
    ]
    assert (rest["limit"], rest["offset"], rest["total"]) == (50, 50, 55)
    small_pages = [
        c["display_name"]
        for offset in (0, 20, 40)
        for c in client.get(
            f"/api/portal/connections?limit=20&offset={offset}", headers=h
        ).get_json()["connections"]
    ]
    assert small_pages == [f"Acme {i:02}" for i in range(55)]
    past = client.get("/api/portal/connections?offset=500", headers=h).get_json()
    assert (past["connections"], past["total"]) == ([], 55)
    huge = client.get("/api/portal/connections?limit=99999999999999999999", headers=h)
    assert huge.get_json()["limit"] == 100
    assert client.get("/api/portal/connections?limit=0", headers=h).get_json()["limit"] == 1

    foreign = client.get(
        "/api/portal/connections?limit=100", headers=worker(service_token, tenants.globex)
    ).get_json()
    assert [c["display_name"] for c in foreign["connections"]] == ["Globex only"]
    assert foreign["total"] == 1


@pytest.mark.parametrize(
    "qs, field",
    [
        ("offset=-1", "offset"),
        ("offset=abc", "offset"),
        ("offset=99999999999999999999", "offset"),
        ("limit=abc", "limit"),
        ("limit=1.5", "limit"),
    ],
)
def test_bad_connection_paging_is_422(client, db, tenants, service_token, qs, field) -> None:
    enable_results(db, tenants.acme)
    make_connection(db, tenants.acme)
    resp = client.get(f"/api/portal/connections?{qs}", headers=worker(service_token, tenants.acme))
    body = assert_envelope(resp, 422, "validation_error")
    assert field in body["errors"]


def test_connect_list_sync_and_disconnect(
    client, db, tenants, service_token, platform_url, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    enable_results(db, tenants.acme)
    h = worker(service_token, tenants.acme, role="collaborator")
    wrong = client.post(
        "/api/portal/connections",
        headers=h,
        json={"platform": "shopify", "credentials": {"shop": DEMO_SHOP, "access_token": "nope"}},
    )
    body = assert_envelope(wrong, 422)
    assert "refused these credentials" in body["message"]
    assert db.exec(select(PlatformConnection.id)).first() is None

    created = []
    for payload in (
        {
            "platform": "shopify",
            "credentials": {"shop": DEMO_SHOP, "access_token": DEMO_SHOP_TOKEN},
        },
        {
            "platform": "google_ads",
            "display_name": "Ads",
            "credentials": {
                "customer_id": DEMO_CUSTOMER,
                "developer_token": DEMO_DEVELOPER_TOKEN,
                "access_token": DEMO_ADS_TOKEN,
            },
        },
    ):
        resp = client.post("/api/portal/connections", headers=h, json=payload)
        assert resp.status_code == 201, resp.get_json()
        created.append(resp.get_json()["connection"])
    assert created[1]["display_name"] == "Ads" and created[1]["managed_by"] == "client"
    # the sync job ran after the commit (inline in tests): numbers are in
    assert db.exec(select(MetricDaily.id)).first() is not None
    listed = client.get("/api/portal/connections", headers=h)
    everything = listed.get_data(as_text=True)
    assert listed.get_json()["dashboard_enabled"] is True
    assert {c["status"] for c in listed.get_json()["connections"]} == {"ok"}
    raw = repr(db.execute(text("SELECT * FROM platform_connection")).all())
    for secret in (DEMO_SHOP_TOKEN, DEMO_ADS_TOKEN, DEMO_DEVELOPER_TOKEN):
        assert secret not in everything and secret not in raw and secret not in caplog.text

    sync = client.post("/api/portal/connections/sync", headers=h)
    assert sync.status_code == 202 and sync.get_json() == {"message": "Sync started"}

    viewer = worker(service_token, tenants.acme, role="viewer")
    assert (
        client.delete(f"/api/portal/connections/{created[0]['id']}", headers=viewer).status_code
        == 403
    )
    resp = client.delete(f"/api/portal/connections/{created[0]['id']}", headers=h)
    assert resp.status_code == 200 and resp.get_json() == {"ok": True}
    agency = make_connection(db, tenants.acme, managed_by="agency")
    resp = client.delete(f"/api/portal/connections/{agency.id}", headers=h)
    assert_envelope(resp, 403, "agency_managed")
    foreign = make_connection(db, tenants.globex)
    assert client.delete(f"/api/portal/connections/{foreign.id}", headers=h).status_code == 404


def test_ask_answers_with_numbers_and_refuses_empty(client, db, tenants, service_token) -> None:
    enable_results(db, tenants.acme)
    make_connection(db, tenants.acme, "shopify", days=70)
    make_connection(db, tenants.acme, days=70)
    h = worker(service_token, tenants.acme, role="collaborator")
    resp = client.post(
        "/api/portal/results/ask",
        headers=h,
        json={"question": "How did revenue change this month?"},
    )
    assert resp.status_code == 200, resp.get_json()
    reply = resp.get_json()["answer"]
    assert reply.startswith("Revenue for ") and "$" in reply and "%" in reply
    best = client.post(
        "/api/portal/results/ask", headers=h, json={"question": "Which campaign has the best ROAS?"}
    ).get_json()["answer"]
    assert "best campaign by return on ad spend" in best and "×" in best
    assert_envelope(client.post("/api/portal/results/ask", headers=h, json={"question": ""}), 422)
    assert_envelope(client.post("/api/portal/results/ask", headers=h, json={"question": "  "}), 422)


def test_a_viewer_may_ask_but_not_write(client, db, tenants, service_token) -> None:
    """Asking reads (a POST only because a question is a body): viewers ask; their writes
    on the same API stay refused."""
    enable_results(db, tenants.acme)
    make_connection(db, tenants.acme, "shopify", days=40)
    viewer = worker(service_token, tenants.acme, role="viewer")
    resp = client.post(
        "/api/portal/results/ask", headers=viewer, json={"question": "What was total revenue?"}
    )
    assert resp.status_code == 200, resp.get_json()
    assert "$" in resp.get_json()["answer"]
    assert_envelope(client.post("/api/portal/results/ask", headers=viewer, json={}), 422)
    assert_envelope(client.post("/api/portal/connections/sync", headers=viewer), 403)


def test_ask_with_a_model_names_it_and_cites_the_numbers(
    client, db, tenants, service_token, ask_llm, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    enable_results(db, tenants.acme)
    make_connection(db, tenants.acme, "shopify", days=70)
    h = worker(service_token, tenants.acme, role="viewer")
    question = {"question": "How did revenue change this month?"}
    resp = client.post("/api/portal/results/ask", headers=h, json=question)
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["written_by"] == "fake-gpt" and body["note"] is None
    assert body["answer"].startswith("From the numbers: Revenue, ")
    assert body["citations"][0]["label"].startswith("Revenue, ")
    assert "$" in body["citations"][0]["value"]
    assert ask_llm.requests[0].headers["Authorization"] == f"Bearer {ask_llm.key}"
    # the provider fails: the direct answer, a note, never a 500
    ask_llm.fail_next(status=500)
    body = client.post("/api/portal/results/ask", headers=h, json=question).get_json()
    assert body["answer"].startswith("Revenue for ") and body["written_by"] is None
    assert body["note"] and "directly from your numbers" in body["note"]
    ask_llm.hang = True
    resp = client.post("/api/portal/results/ask", headers=h, json=question)
    assert resp.status_code == 200 and resp.get_json()["answer"].startswith("Revenue for ")
    assert ask_llm.key not in caplog.text
    assert ask_llm.key not in resp.get_data(as_text=True)


def test_ask_without_a_model_is_the_direct_answer(
    client, db, tenants, service_token, chat_model
) -> None:
    enable_results(db, tenants.acme)
    make_connection(db, tenants.acme, "shopify", days=70)
    h = worker(service_token, tenants.acme)
    body = client.post(
        "/api/portal/results/ask", headers=h, json={"question": "How did revenue change?"}
    ).get_json()
    assert body["answer"].startswith("Revenue for ") and body["written_by"] is None
    assert body["note"] is None and chat_model.requests == []
