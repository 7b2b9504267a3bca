"""The staff home: portals with counts, searchable, paged by the one pager."""

from __future__ import annotations

import pytest

from services.portals.staff_overview import PAGE_SIZE


def test_overview_pages_with_the_pager(client, login, tenants, make_company) -> None:
    for i in range(PAGE_SIZE + 2):
        make_company(f"Zeta {i:02}")
    login(tenants.staff_admin)
    first = client.get("/admin/").get_data(as_text=True)
    total = PAGE_SIZE + 5
    assert f"{total} portals you can open." in first
    assert "Page 1 of 2" in first and 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get("/admin/?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and "Zeta 26" in second and 'rel="prev"' in second
    searched = client.get("/admin/?q=zeta&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in searched and "/admin/?q=zeta&amp;page=1" in searched


@pytest.mark.parametrize("page", ["abc", "-1", "0", "²", "99999999999999", "7"])
def test_bad_or_past_the_end_page_is_a_page_not_an_error(client, login, tenants, page) -> None:
    login(tenants.staff_admin)
    resp = client.get(f"/admin/?page={page}")
    assert resp.status_code == 200
    assert "Acme Test" in resp.get_data(as_text=True)


@pytest.mark.parametrize("n", [3, 30])
def test_overview_query_count_does_not_grow(
    client, login, tenants, make_company, count_queries, n
) -> None:
    for _ in range(n):
        make_company()
    login(tenants.staff_admin)
    with count_queries() as q:
        assert client.get("/admin/").status_code == 200
    assert q.count <= 10, q.statements
