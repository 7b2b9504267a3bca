"""The Network tab: sites of the company's group, health, devices, WiFi, the gated passphrase."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from portal.models import ActivityLog, Role, UserRole
from portal.models.base import utcnow
from services.demo.network_controller import DEMO_PASSPHRASES
from tests.conftest import assert_both_ways
from tests.factories.network import make_site

URL = "/p/acme-test/network"


def _no_passphrase(body: str) -> None:
    leaked = [p for p in DEMO_PASSPHRASES if p in body]
    assert not leaked, leaked


def test_parent_sees_its_own_and_its_childrens_sites(client, login, sites) -> None:
    login(sites.acme_admin)
    full, part = assert_both_ways(client, URL)
    for body in (full, part):
        assert "Acme HQ" in body and "Acme Warehouse" in body and "Retail Store" in body
        assert "Unlinked Lab" not in body
    # health at a glance: subsystem badges, devices online/offline, clients
    assert "WAN" in part and "LAN" in part and "WLAN" in part and "VPN" in part
    assert "Offline" in part and "Clients" in part


def test_a_child_sees_only_its_own_sites(client, login, sites) -> None:
    login(sites.retail_admin)
    body = client.get("/p/acme-retail-test/network").get_data(as_text=True)
    assert "Retail Store" in body
    assert "Acme HQ" not in body and "Acme Warehouse" not in body


def test_a_company_without_sites_is_told_what_to_do(client, login, sites) -> None:
    login(sites.globex_admin)
    body = client.get("/p/globex-test/network").get_data(as_text=True)
    assert "No network sites yet" in body and "connect your sites" in body


def test_another_tenants_site_is_404(client, login, sites) -> None:
    login(sites.globex_admin)
    assert client.get(f"/p/acme-test/network?site={sites.hq.id}").status_code == 404
    resp = client.get(f"/p/globex-test/network?site={sites.hq.id}")
    assert resp.status_code == 200 and "Acme HQ" not in resp.get_data(as_text=True)


def test_device_table_filters_searches_and_pages(client, login, sites) -> None:
    login(sites.acme_admin)
    base = f"{URL}?site={sites.hq.id}"
    page1 = client.get(base, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Page 1 of 2" in page1  # 32 devices, 25 a page
    page2 = client.get(f"{base}&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in page2
    offline = client.get(f"{base}&state=offline").get_data(as_text=True)
    assert offline.count('class="badge net-state net-state-offline"') == 2
    assert "net-state-online" not in offline
    gateways = client.get(f"{base}&type=gateway").get_data(as_text=True)
    assert gateways.count('data-label="Type">Gateway<') == 1
    assert 'data-label="Type">Switch<' not in gateways
    search = client.get(f"{base}&q=board+room").get_data(as_text=True)
    assert "Board room" in search and "Gateway</span>" not in search
    nothing = client.get(f"{base}&q=zzzz").get_data(as_text=True)
    assert "No devices match" in nothing


def test_wifi_networks_show_security_band_guest_hidden(client, login, sites) -> None:
    login(sites.acme_admin)
    body = client.get(f"{URL}?site={sites.hq.id}").get_data(as_text=True)
    assert "Acme-Guest" in body and "acme-iot" in body
    assert "Guest</span>" in body and "Hidden</span>" in body
    assert "WPA2/WPA3 personal" in body and "Enterprise (802.1X)" in body and "2.4 GHz" in body


@pytest.mark.parametrize("who", ["acme_viewer", "acme_collab", "acme_admin"])
def test_clients_never_receive_a_passphrase(client, login, sites, hq_wlans, who) -> None:
    """No page, fragment or action answer carries a passphrase to a client by role alone."""
    login(getattr(sites, who))
    wlans = [w.id for w in hq_wlans]
    bodies = []
    for site in (sites.hq, sites.warehouse, sites.store):
        for extra in ("", "&state=offline", "&type=access_point", "&page=2", "&q=ap"):
            for headers in ({}, {"HX-Request": "true"}):
                resp = client.get(f"{URL}?site={site.id}{extra}", headers=headers)
                assert resp.status_code == 200
                bodies.append(resp.get_data(as_text=True))
    for wlan_id in wlans:
        resp = client.post(f"{URL}/sites/{sites.hq.id}/wifi/{wlan_id}/passphrase")
        assert resp.status_code == 403
        bodies.append(resp.get_data(as_text=True))
    for body in bodies:
        _no_passphrase(body)
    assert "Reveal" not in bodies[0]


@pytest.fixture
def hq_wlans(db, sites):
    from portal.models.network import NetworkWlan

    sites.hq_wlans = db.exec(select(NetworkWlan).where(NetworkWlan.site_id == sites.hq.id)).all()
    return sites.hq_wlans


def test_staff_with_the_field_node_reveal_and_each_reveal_is_audited(
    client, login, db, sites, hq_wlans
) -> None:
    login(sites.pm)  # PMs hold network.wifi.read.*
    body = client.get(f"{URL}?site={sites.hq.id}").get_data(as_text=True)
    assert "Reveal" in body
    _no_passphrase(body)  # masked until asked
    guest = next(w for w in hq_wlans if w.is_guest)
    url = f"{URL}/sites/{sites.hq.id}/wifi/{guest.id}/passphrase"
    for _ in range(2):
        resp = client.post(url, headers={"HX-Request": "true"})
        assert resp.status_code == 200
        assert "Welcome-Guest-2026" in resp.get_data(as_text=True)
    rows = db.exec(
        select(ActivityLog).where(ActivityLog.action == "wifi_passphrase_revealed")
    ).all()
    assert len(rows) == 2
    assert rows[0].actor_id == sites.pm.id and rows[0].object_id == guest.id
    assert "Acme-Guest" in rows[0].object_label and rows[0].company_id == sites.acme.id


def test_a_role_without_the_passphrase_node_cannot_reveal(
    client, login, db, make_user, sites, hq_wlans
) -> None:
    staff = make_user(staff="none")
    role = Role(
        name="NOC readers", permissions=["portal.all", "network.read", "network.wifi.read.name"]
    )
    db.add(role)
    db.flush()
    db.add(UserRole(user_id=staff.id, role_id=role.id))
    db.flush()
    login(staff)
    body = client.get(f"{URL}?site={sites.hq.id}").get_data(as_text=True)
    assert "Acme-Guest" in body and "Reveal" not in body
    resp = client.post(f"{URL}/sites/{sites.hq.id}/wifi/{hq_wlans[0].id}/passphrase")
    assert resp.status_code == 403
    _no_passphrase(body + resp.get_data(as_text=True))


def test_a_stale_snapshot_says_since_when_and_why(client, login, db, sites) -> None:
    sites.hq.last_synced_at = utcnow() - timedelta(hours=3)
    sites.hq.sync_error = "The controller cannot be reached."
    db.add(sites.hq)
    db.flush()
    login(sites.acme_admin)
    body = client.get(URL).get_data(as_text=True)
    assert "Stale since 3 hours ago" in body and "the controller could not be reached" in body
    assert "Acme-Guest" in body  # the last snapshot is still shown
    login(sites.staff_admin)
    assert "The controller cannot be reached." in client.get(URL).get_data(as_text=True)


def test_the_tab_never_asks_the_controller(client, login, sites, runtime, monkeypatch) -> None:
    from dataclasses import replace

    from tests.fakes.network_controller import API_KEY, FakeController

    with FakeController() as fake:
        fake.delay = 5
        settings = replace(
            runtime.settings, network_controller_url=fake.url, network_controller_key=API_KEY
        )
        monkeypatch.setattr(runtime, "settings", settings)
        login(sites.acme_admin)
        assert client.get(URL).status_code == 200
        assert fake.requests == []


def test_staff_link_and_unlink_a_site(client, login, db, sites) -> None:
    login(sites.staff_admin)
    body = client.get("/p/globex-test/network").get_data(as_text=True)
    assert "Link a controller site" in body and "Unlinked Lab" in body
    resp = client.post("/p/globex-test/network/link", data={"site_id": sites.lab.id})
    assert resp.status_code == 303
    login(sites.globex_admin)
    assert "Unlinked Lab" in client.get("/p/globex-test/network").get_data(as_text=True)
    login(sites.staff_admin)
    resp = client.post(f"/p/globex-test/network/sites/{sites.lab.id}/unlink")
    assert resp.status_code == 303
    login(sites.globex_admin)
    assert "Unlinked Lab" not in client.get("/p/globex-test/network").get_data(as_text=True)
    actions = db.exec(
        select(ActivityLog.action).where(ActivityLog.object_type == "network_site")
    ).all()
    assert set(actions) == {"network_site_linked", "network_site_unlinked"}


def test_only_staff_with_the_node_link_sites(client, login, sites) -> None:
    login(sites.pm)  # no network.sites.link
    body = client.get(URL).get_data(as_text=True)
    assert "Link a controller site" not in body and "Unlink" not in body
    assert client.post(f"{URL}/link", data={"site_id": sites.lab.id}).status_code == 403
    assert client.post(f"{URL}/sites/{sites.hq.id}/unlink").status_code == 403
    login(sites.acme_admin)
    assert client.post(f"{URL}/sites/{sites.hq.id}/unlink").status_code == 403


def test_the_tab_runs_the_same_queries_for_3_or_30_devices(
    client, login, db, count_queries, tenants
) -> None:
    site = make_site(db, tenants.acme, devices=3)
    login(tenants.acme_admin)

    def measure() -> int:
        client.get(URL)
        with count_queries() as q:
            assert client.get(URL).status_code == 200
        return q.count

    few = measure()
    db.delete(site)
    db.flush()
    make_site(db, tenants.acme, devices=30)
    many = measure()
    assert few == many <= 12, (few, many)


def test_staff_may_let_a_companys_admins_reveal(client, login, db, sites, hq_wlans) -> None:
    login(sites.staff_admin)
    page = client.get(URL).get_data(as_text=True)
    assert "admins may reveal WiFi passphrases" in page
    assert "none (not granted)" in page  # who may see them, before the grant
    assert client.post(f"{URL}/client-access", data={"reveal": "on"}).status_code == 303
    page = client.get(URL).get_data(as_text=True)
    assert sites.acme_admin.display_name in page.split("Client admins:")[1]
    guest = next(w for w in hq_wlans if w.is_guest)
    reveal = f"{URL}/sites/{sites.hq.id}/wifi/{guest.id}/passphrase"
    login(sites.acme_admin)
    assert "Reveal" in client.get(f"{URL}?site={sites.hq.id}").get_data(as_text=True)
    resp = client.post(reveal)
    assert resp.status_code == 200 and "Welcome-Guest-2026" in resp.get_data(as_text=True)
    row = db.exec(select(ActivityLog).where(ActivityLog.action == "wifi_passphrase_revealed")).one()
    assert row.actor_id == sites.acme_admin.id
    # only the admins of that company: not its collaborators, viewers, or a child's admins
    for who in ("acme_collab", "acme_viewer"):
        login(getattr(sites, who))
        body = client.get(f"{URL}?site={sites.hq.id}").get_data(as_text=True)
        assert "Reveal" not in body
        assert client.post(reveal).status_code == 403
    login(sites.retail_admin)
    store = client.get("/p/acme-retail-test/network").get_data(as_text=True)
    assert "Reveal" not in store
    _no_passphrase(store)
    # and taken back
    login(sites.staff_admin)
    assert client.post(f"{URL}/client-access", data={}).status_code == 303
    login(sites.acme_admin)
    assert client.post(reveal).status_code == 403


def test_clients_cannot_grant_themselves(client, login, sites) -> None:
    login(sites.acme_admin)
    assert client.post(f"{URL}/client-access", data={"reveal": "on"}).status_code == 403
    login(sites.pm)  # PMs do not hold company.permissions.update
    assert client.post(f"{URL}/client-access", data={"reveal": "on"}).status_code == 403


def test_a_companys_admins_see_its_passphrase_reveals_in_the_activity_feed(
    client, login, sites, hq_wlans
) -> None:
    """Who revealed a passphrase is the company admins' business: they see it in the feed;
    collaborators and viewers do not."""
    login(sites.pm)
    guest = next(w for w in hq_wlans if w.is_guest)
    assert client.post(f"{URL}/sites/{sites.hq.id}/wifi/{guest.id}/passphrase").status_code == 200
    feed = "/p/acme-test/activity"
    assert "revealed the passphrase of Acme-Guest" in client.get(feed).get_data(as_text=True)
    login(sites.acme_admin)
    assert "revealed the passphrase of Acme-Guest" in client.get(feed).get_data(as_text=True)
    for who in ("acme_collab", "acme_viewer"):
        login(getattr(sites, who))
        body = client.get(feed).get_data(as_text=True)
        assert client.get(feed).status_code == 200
        assert "revealed the passphrase" not in body, who


def _staff_with(db, make_user, *nodes: str):
    user = make_user(staff="custom")
    role = Role(name=f"r-{user.id}", permissions=["portal.all", "network.read", *nodes])
    db.add(role)
    db.flush()
    db.add(UserRole(user_id=user.id, role_id=role.id))
    db.flush()
    return user


def test_the_site_panel_is_gated_per_field(client, db, login, make_user, sites) -> None:
    """The page shows a site's fields as the API does (``obj.networkSite.<field>``): a field
    the role lacks reads "Hidden" and its value is nowhere in the HTML."""
    sites.hq.last_synced_at = utcnow() - timedelta(days=3)
    sites.hq.sync_error = "Gateway vanished at 03:14"
    db.add(sites.hq)
    db.flush()
    url = f"{URL}?site={sites.hq.id}"
    hidden = 'class="withheld"'

    login(_staff_with(db, make_user, "obj.networkSite.name"))
    for body in assert_both_ways(client, url):
        assert "Acme HQ" in body and hidden in body
        assert "Gateway vanished at 03:14" not in body and "3 days ago" not in body

    login(_staff_with(db, make_user, "obj.networkSite.syncError", "obj.networkSite.lastSyncedAt"))
    for body in assert_both_ways(client, url):
        assert "Gateway vanished at 03:14" in body and "3 days" in body and hidden in body
        assert "Acme HQ" not in body and "Acme Warehouse" not in body
        assert 'aria-label="Health of Hidden"' in body  # plain text inside attributes

    login(_staff_with(db, make_user, "obj.networkSite.*"))
    body = client.get(url).get_data(as_text=True)
    assert "Acme HQ" in body and "Gateway vanished at 03:14" in body and hidden not in body
