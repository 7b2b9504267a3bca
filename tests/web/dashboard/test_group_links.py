"""A parent company's portal links its children's items into the children's portals, and its
people switch between the group's portals."""

from __future__ import annotations

import re

from services import deliverables as deliverable_service
from tests.factories.deliverables import actor, make_deliverable


def test_waiting_for_you_links_a_childs_deliverable_into_the_childs_portal(
    client, db, login, tenants
) -> None:
    own = make_deliverable(db, tenants.staff_admin, tenants.acme, name="Acme logo")
    child = make_deliverable(db, tenants.staff_admin, tenants.retail, name="Store banners")
    for d in (own, child):
        deliverable_service.submit(db, actor=actor(db, tenants.staff_admin), deliverable_id=d.id)
    login(tenants.acme_collab)
    html = client.get("/p/acme-test/dashboard").get_data(as_text=True)
    waiting = html.split('id="waiting-h"', 1)[1].split("</section>", 1)[0]
    assert f'href="/p/acme-retail-test/deliverables/{child.id}"' in waiting
    assert f'href="/p/acme-test/deliverables/{own.id}"' in waiting
    assert f"/p/acme-test/deliverables/{child.id}" not in html
    # the links work: the parent's people open the child's deliverable in its portal
    assert client.get(f"/p/acme-retail-test/deliverables/{child.id}").status_code == 200
    # activity names the child's item with a link into the child's portal too
    activity = html.split('id="activity-h"', 1)[1].split("</section>", 1)[0]
    assert f"/p/acme-retail-test/deliverables/{child.id}" in activity


def test_the_parents_people_get_a_switcher_to_the_childrens_portals(client, login, tenants) -> None:
    login(tenants.acme_viewer)
    html = client.get("/p/acme-test/dashboard").get_data(as_text=True)
    switcher = html.split('class="menu switcher"', 1)[1].split("</details>", 1)[0]
    assert re.search(r'href="/p/acme-retail-test/?[^"]*"', switcher)
    assert "Globex" not in switcher and "All portals" not in switcher
    assert client.get("/p/acme-retail-test/").status_code in {200, 302}


def test_a_child_or_a_lone_company_gets_no_switcher(client, login, tenants) -> None:
    for user, slug in (
        (tenants.retail_admin, "acme-retail-test"),
        (tenants.globex_admin, "globex-test"),
    ):
        login(user)
        html = client.get(f"/p/{slug}/dashboard").get_data(as_text=True)
        assert 'class="menu switcher"' not in html


def test_links_into_a_switched_off_tab_become_plain_names(client, db, login, tenants) -> None:
    """Deliverables switched off on Acme: the dashboard and the activity feed name Acme's
    deliverable without a link (the tab's pages are 404), the child's stays linked."""
    from sqlmodel import select

    from portal.models import Portal

    own = make_deliverable(db, tenants.staff_admin, tenants.acme, name="Acme logo")
    child = make_deliverable(db, tenants.staff_admin, tenants.retail, name="Store banners")
    for d in (own, child):
        deliverable_service.submit(db, actor=actor(db, tenants.staff_admin), deliverable_id=d.id)
    portal = db.exec(select(Portal).where(Portal.company_id == tenants.acme.id)).one()
    portal.enabled_tabs = [t for t in (portal.enabled_tabs or []) if t != "deliverables"] or [
        "dashboard",
        "tasks",
        "files",
    ]
    db.add(portal)
    db.commit()
    login(tenants.acme_collab)
    for path in ("/p/acme-test/dashboard", "/p/acme-test/activity"):
        html = client.get(path).get_data(as_text=True)
        assert "Acme logo" in html, path
        assert "/p/acme-test/deliverables/" not in html, path
        assert f"/p/acme-retail-test/deliverables/{child.id}" in html, path
    assert client.get(f"/p/acme-test/deliverables/{own.id}").status_code == 404
