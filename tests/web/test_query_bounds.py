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
