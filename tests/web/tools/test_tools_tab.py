"""Tools & Links tab: staff edit a portal's board, clients read it; guides where assigned."""

from __future__ import annotations

from sqlmodel import select

from portal.models import Guide, GuideAssignment, Portal, ToolLink
from tests.conftest import assert_both_ways


def _slug(db, company) -> str:
    return db.exec(select(Portal.slug).where(Portal.company_id == company.id)).one()


def test_staff_add_a_link_and_the_client_reads_it(client, db, login, tenants) -> None:
    slug = _slug(db, tenants.acme)
    login(tenants.staff_admin)
    resp = client.post(
        f"/p/{slug}/tools",
        data={"title": "Brand kit", "url": "https://brand.example.test/kit", "description": ""},
    )
    assert resp.status_code == 303
    bad = client.post(f"/p/{slug}/tools", data={"title": "x", "url": "javascript:alert(1)"})
    assert bad.status_code == 422
    login(tenants.acme_viewer)
    full, part = assert_both_ways(client, f"/p/{slug}/tools")
    assert "Brand kit" in part and "Add a link" not in part
    link = db.exec(select(ToolLink).where(ToolLink.title == "Brand kit")).one()
    login(tenants.acme_admin)  # a client admin reads, never edits
    assert client.post(f"/p/{slug}/tools/{link.id}/delete").status_code == 403
    assert (
        client.post(f"/p/{slug}/tools", data={"title": "x", "url": "https://x.test"}).status_code
        == 403
    )


def test_a_global_guide_shows_only_where_assigned(client, db, login, tenants) -> None:
    guide = Guide(title="How to approve", body="Press Approve.")
    db.add(guide)
    db.flush()
    login(tenants.staff_admin)
    resp = client.post(
        f"/admin/portals/guides/{guide.id}/portals", data={"company_ids": [str(tenants.acme.id)]}
    )
    assert resp.status_code == 303
    assert db.exec(select(GuideAssignment.company_id)).all() == [tenants.acme.id]
    login(tenants.acme_viewer)
    acme = _slug(db, tenants.acme)
    assert "How to approve" in client.get(f"/p/{acme}/tools").get_data(as_text=True)
    assert client.get(f"/p/{acme}/tools/guides/{guide.id}").status_code == 200
    login(tenants.globex_admin)
    globex = _slug(db, tenants.globex)
    assert "How to approve" not in client.get(f"/p/{globex}/tools").get_data(as_text=True)
    assert client.get(f"/p/{globex}/tools/guides/{guide.id}").status_code == 404


def test_a_switched_off_tab_is_gone(client, db, login, tenants) -> None:
    portal = db.exec(select(Portal).where(Portal.company_id == tenants.acme.id)).one()
    portal.enabled_tabs = ["dashboard", "files"]
    db.add(portal)
    db.flush()
    login(tenants.acme_admin)
    assert client.get(f"/p/{portal.slug}/tools").status_code == 404


def test_board_queries_do_not_grow(client, db, login, tenants, count_queries) -> None:
    slug = _slug(db, tenants.acme)
    login(tenants.acme_viewer)
    counts = []
    for n in (3, 30):
        for i in range(n):
            db.add(ToolLink(company_id=tenants.acme.id, title=f"L{i}", url="https://x.test"))
        db.flush()
        with count_queries() as q:
            assert client.get(f"/p/{slug}/tools").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1]
