"""Pages run a fixed number of SQL queries however many rows they show (no N+1)."""

from __future__ import annotations

import pytest

MAX_QUERIES = 12


def _queries(client, count_queries, url: str) -> int:
    client.get(url)  # warm-up: first-request work is not what we measure
    with count_queries() as q:
        assert client.get(url).status_code == 200
    return q.count


@pytest.mark.parametrize(
    "url", ["/p/acme-test/dashboard", "/p/acme-test/team", "/p/acme-test/settings"]
)
def test_portal_pages_do_not_grow_with_rows(
    client, login, count_queries, tenants, make_project, make_user, url
) -> None:
    login(tenants.acme_admin)
    for i in range(3):
        make_project(tenants.acme, f"Small {i}", status="active", lead_id=tenants.pm.id)
        make_user(tenants.acme, "viewer")
    few = _queries(client, count_queries, url)
    for i in range(27):
        make_project(tenants.acme, f"Large {i}", status="active", lead_id=tenants.pm.id)
        make_user(tenants.acme, "viewer")
    many = _queries(client, count_queries, url)
    assert few == many <= MAX_QUERIES, (url, few, many)


def test_admin_portal_list_does_not_grow(
    client, login, count_queries, tenants, make_company
) -> None:
    login(tenants.staff_admin)
    for _ in range(3):
        make_company()
    few = _queries(client, count_queries, "/admin/")
    for _ in range(27):
        make_company()
    many = _queries(client, count_queries, "/admin/")
    assert few == many <= MAX_QUERIES, (few, many)


def test_an_expiring_branding_cache_does_not_change_a_count(
    app, client, login, count_queries, tenants
) -> None:
    """The flake of issue 10: the branding cache expired between two counted requests."""
    login(tenants.acme_admin)
    url = "/p/acme-test/dashboard"
    client.get(url)
    cache = app.extensions["stoa_agency"]
    with count_queries() as second:
        assert client.get(url).status_code == 200
    cache._value = (0.0, cache._value[1])  # long expired, as if 30 s had passed
    with count_queries() as third:
        assert client.get(url).status_code == 200
    assert third.count == second.count, (third.statements, second.statements)


def test_other_connections_do_not_count(engine, count_queries, db) -> None:
    """A background thread's statements (the digest sweeper) never enter a request's count."""
    import threading

    from sqlalchemy import text

    def elsewhere() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    with count_queries() as q:
        worker = threading.Thread(target=elsewhere)
        worker.start()
        worker.join()
        db.exec(text("SELECT 2"))  # type: ignore[call-overload]
    assert [s for s in q.statements if "SELECT" in s] == ["SELECT 2"]


def test_the_group_comes_with_the_session_user(client, login, count_queries, tenants) -> None:
    """A client's group (its company's children) is read by the signed-in user's own query,
    not by one more round trip on every request; the group still sees its child's portal."""
    login(tenants.acme_admin)
    url = "/p/acme-test/dashboard"
    client.get(url)
    with count_queries() as q:
        assert client.get(url).status_code == 200
    alone = [
        s
        for s in q.statements
        if " ".join(s.split()).startswith("SELECT company.id FROM company WHERE")
    ]
    assert alone == [], alone
    assert client.get("/p/acme-retail-test/dashboard").status_code == 200
    login(tenants.retail_admin)  # children never see their parent
    assert client.get("/p/acme-test/dashboard").status_code == 404


@pytest.mark.parametrize(
    ("url", "htmx"),
    [
        ("/p/acme-test/invoices", False),
        ("/p/acme-test/invoices?status=paid&page=2", True),  # a status chip, then the pager
        ("/p/acme-test/invoices?sort=amount&q=inv", True),
    ],
)
def test_the_invoices_list_does_not_grow(
    client, login, db, count_queries, tenants, url, htmx
) -> None:
    """The bench's Invoices targets: the client's whole page and its swapped list, with one
    page of invoices and with several (paid, part paid, drafts, the group's child's)."""
    from tests.factories.billing import make_invoice

    headers = {"HX-Request": "true"} if htmx else {}

    def measure() -> int:
        client.get(url, headers=headers)
        with count_queries() as q:
            assert client.get(url, headers=headers).status_code == 200
        return q.count

    login(tenants.acme_admin)
    for _ in range(2):
        make_invoice(db, tenants.staff_admin, tenants.acme, payments=["3044.99"])
    few = measure()
    for i in range(45):
        company = tenants.retail if i % 3 == 0 else tenants.acme
        sent = i % 9 != 0
        paid = (["3044.99"] if i % 2 else ["10"]) if sent else []
        make_invoice(db, tenants.staff_admin, company, payments=paid, send=sent)
    many = measure()
    assert few == many <= MAX_QUERIES, (url, few, many)
