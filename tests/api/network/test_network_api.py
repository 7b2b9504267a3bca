"""/api/v1/network: tenancy of keys, field-gated WiFi, link/unlink, sync without waiting."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import select

from portal.jobs import wait_for_delayed_jobs
from portal.models import Role, UserRole
from portal.models.network import WLAN_FIELDS, NetworkSite
from services.demo.network_controller import DEMO_PASSPHRASES
from tests.api.conftest import bearer
from tests.factories.network import make_site
from tests.fakes.network_controller import API_KEY, FakeController

API = "/api/v1/network/sites"


@pytest.fixture
def sites(db, tenants):
    tenants.hq = make_site(db, tenants.acme, name="Acme HQ")
    tenants.store = make_site(db, tenants.retail, name="Retail Store", template="retail03")
    tenants.gx = make_site(db, tenants.globex, name="Globex Office", template="nwlab04")
    tenants.lab = make_site(db, None, name="Unlinked Lab", template="nwlab04")
    return tenants


def _names(resp) -> set[str]:
    assert resp.status_code == 200, resp.get_json()
    return {s["name"] for s in resp.get_json()["data"]}


def test_a_company_key_lists_only_its_sites(client, make_key, sites) -> None:
    agency = _names(client.get(API, headers=bearer(make_key())))
    acme = _names(client.get(API, headers=bearer(make_key(sites.acme))))
    retail = _names(client.get(API, headers=bearer(make_key(sites.retail))))
    assert agency >= {"Acme HQ", "Retail Store", "Globex Office", "Unlinked Lab"}
    assert acme == {"Acme HQ", "Retail Store"}  # the group: Acme and its child
    assert retail == {"Retail Store"}
    body = client.get(API, headers=bearer(make_key(sites.acme))).get_json()
    assert body["successful"] is True and body["total"] == 2 and body["limit"] == 50
    first = body["data"][0]
    assert isinstance(first["id"], str) and first["companyId"] == str(sites.acme.id)


def test_a_foreign_site_is_404_on_every_route(client, make_key, sites) -> None:
    key = bearer(make_key(sites.globex))
    for suffix in ("", "/overview", "/devices", "/wifi", "/networks", "/access-points"):
        resp = client.get(f"{API}/{sites.hq.id}{suffix}", headers=key)
        assert resp.status_code == 404, suffix
        assert resp.get_json()["code"] == "not_found"
    assert (
        client.get(f"/api/v1/companies/{sites.acme.id}/network/sites", headers=key).status_code
        == 404
    )
    assert client.get(f"{API}/{sites.gx.id}", headers=key).status_code == 200


def test_site_overview_devices_networks(client, make_key, sites) -> None:
    key = bearer(make_key(sites.acme))
    site = client.get(f"{API}/{sites.hq.id}", headers=key).get_json()["data"]
    assert site["name"] == "Acme HQ" and site["company"]["id"] == str(sites.acme.id)
    overview = client.get(f"{API}/{sites.hq.id}/overview", headers=key).get_json()["data"]
    assert [h["subsystem"] for h in overview["health"]] == ["wan", "lan", "wlan", "vpn"]
    assert overview["siteInfo"]["description"] == "Acme HQ" and overview["stale"] is False
    devices = client.get(f"{API}/{sites.hq.id}/devices?limit=10", headers=key).get_json()
    assert devices["total"] == 32 and len(devices["data"]) == 10
    offline = client.get(f"{API}/{sites.hq.id}/devices?state=offline", headers=key).get_json()
    assert offline["total"] == 2 and {d["state"] for d in offline["data"]} == {"offline"}
    aps = client.get(f"{API}/{sites.hq.id}/access-points", headers=key).get_json()["data"]
    assert aps and {d["type"] for d in aps} == {"access_point"}
    nets = client.get(f"{API}/{sites.hq.id}/networks", headers=key).get_json()["data"]
    assert {n["name"] for n in nets} == {"LAN", "Guests"}


def test_company_keys_get_every_wifi_field_but_the_secrets(client, make_key, sites) -> None:
    resp = client.get(f"{API}/{sites.hq.id}/wifi", headers=bearer(make_key(sites.acme)))
    wlans = resp.get_json()["data"]
    assert {w["name"] for w in wlans} == {"Acme-Corp", "Acme-Guest", "acme-iot", "Acme-Radius"}
    guest = next(w for w in wlans if w["name"] == "Acme-Guest")
    assert guest["isGuest"] is True and guest["security"] == "wpapsk"
    assert "passphrase" not in guest and "privatePreSharedKeys" not in guest
    assert next(w for w in wlans if w["name"] == "acme-iot")["hideSSID"] is True
    assert not [p for p in DEMO_PASSPHRASES if p in resp.get_data(as_text=True)]


def test_the_agency_key_reads_every_field(client, make_key, sites) -> None:
    wlans = client.get(f"{API}/{sites.hq.id}/wifi", headers=bearer(make_key())).get_json()["data"]
    guest = next(w for w in wlans if w["name"] == "Acme-Guest")
    assert set(guest) == set(WLAN_FIELDS)
    assert guest["passphrase"] == "Welcome-Guest-2026"


def _staff_with(db, make_user, *nodes: str):
    user = make_user(staff="custom")
    role = Role(name=f"r-{user.id}", permissions=["portal.all", *nodes])
    db.add(role)
    db.flush()
    db.add(UserRole(user_id=user.id, role_id=role.id))
    db.flush()
    return user


def test_field_gating_per_node_exactly_as_reference_004(
    client, login, db, make_user, sites
) -> None:
    url = f"{API}/{sites.hq.id}/wifi"
    login(_staff_with(db, make_user, "network.read", "network.wifi.read.name"))
    wlans = client.get(url).get_json()["data"]
    assert wlans and all(set(w) == {"name"} for w in wlans)
    login(
        _staff_with(
            db, make_user, "network.read", "network.wifi.read.name", "network.wifi.read.enabled"
        )
    )
    assert all(set(w) == {"name", "enabled"} for w in client.get(url).get_json()["data"])
    login(_staff_with(db, make_user, "network.read", "network.wifi.read.*"))
    resp = client.get(url)
    assert "Falcon-Harbor-7731" in resp.get_data(as_text=True)
    assert all(set(w) == set(WLAN_FIELDS) for w in resp.get_json()["data"])
    login(_staff_with(db, make_user, "network.wifi.read.*"))  # no network.read: no network at all
    assert client.get(url).status_code == 403


def test_site_objects_are_gated_per_field(client, login, db, make_user, sites) -> None:
    """Reference 004's obj.unifiSite: a role with only obj.networkSite.name gets site objects
    holding only ``name``; client principals get every field of the sites they reach."""
    login(_staff_with(db, make_user, "network.read", "obj.networkSite.name"))
    listed = client.get(API).get_json()["data"]
    assert listed and all(set(s) == {"name"} for s in listed)
    assert set(client.get(f"{API}/{sites.hq.id}").get_json()["data"]) == {"name"}
    login(_staff_with(db, make_user, "network.read", "obj.networkSite.*"))
    assert {"id", "name", "siteId", "companyId"} <= set(client.get(API).get_json()["data"][0])
    login(sites.acme_viewer)
    assert {"id", "name", "siteId", "company"} <= set(client.get(API).get_json()["data"][0])


def test_viewer_session_never_gets_a_passphrase(client, login, sites) -> None:
    login(sites.acme_viewer)
    bodies = [client.get(API).get_data(as_text=True)]
    for suffix in ("", "/overview", "/devices", "/wifi", "/networks", "/access-points"):
        resp = client.get(f"{API}/{sites.hq.id}{suffix}")
        assert resp.status_code == 200
        bodies.append(resp.get_data(as_text=True))
    assert not [p for p in DEMO_PASSPHRASES for b in bodies if p in b]


def test_link_and_unlink_need_staff(client, db, make_key, sites) -> None:
    company_key = bearer(make_key(sites.acme))
    resp = client.post(f"{API}/{sites.hq.id}/unlink", headers=company_key)
    assert resp.status_code == 403
    agency = bearer(make_key())
    resp = client.post(
        f"{API}/{sites.lab.id}/link", headers=agency, json={"companyId": str(sites.globex.id)}
    )
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["data"]["companyId"] == str(sites.globex.id)
    globex = bearer(make_key(sites.globex))
    assert "Unlinked Lab" in _names(
        client.get(f"/api/v1/companies/{sites.globex.id}/network/sites", headers=globex)
    )
    resp = client.post(f"{API}/{sites.lab.id}/unlink", headers=agency)
    assert resp.status_code == 200 and resp.get_json()["data"]["companyId"] is None
    assert "Unlinked Lab" not in _names(client.get(API, headers=globex))
    bad = client.post(f"{API}/{sites.lab.id}/link", headers=agency, json={"companyId": "999999"})
    assert bad.status_code == 404


def test_sync_answers_202_at_once_and_the_job_records_the_snapshot(
    client, db, make_key, runtime, monkeypatch, settle_jobs
) -> None:
    with FakeController() as fake:
        monkeypatch.setattr(
            runtime,
            "settings",
            replace(
                runtime.settings, network_controller_url=fake.url, network_controller_key=API_KEY
            ),
        )
        resp = client.post(f"{API}/sync", headers=bearer(make_key()))
        assert resp.status_code == 202 and resp.get_json()["data"] == {"state": "queued"}
        assert wait_for_delayed_jobs(30)
        names = set(db.exec(select(NetworkSite.controller_site)).all())
        assert {"acmehq01", "acmewh02", "retail03", "nwlab04"} <= names


def test_sync_with_the_controller_down_records_the_error(
    client, db, make_key, runtime, monkeypatch, sites, settle_jobs
) -> None:
    fake = FakeController()
    url = fake.url
    fake.server.server_close()  # nobody listens there
    monkeypatch.setattr(runtime, "settings", replace(runtime.settings, network_controller_url=url))
    assert client.post(f"{API}/sync", headers=bearer(make_key())).status_code == 202
    assert wait_for_delayed_jobs(30)
    db.refresh(sites.hq)
    assert sites.hq.sync_error == "The controller cannot be reached."
    overview = client.get(f"{API}/{sites.hq.id}/overview", headers=bearer(make_key(sites.acme)))
    assert overview.get_json()["data"]["stale"] is True


def test_a_company_key_cannot_sync(client, make_key, sites) -> None:
    assert client.post(f"{API}/sync", headers=bearer(make_key(sites.acme))).status_code == 403


def test_groups_profiles_and_wifi_limits(client, make_key, sites) -> None:
    key = bearer(make_key(sites.acme))
    base = f"{API}/{sites.hq.id}"
    wg = client.get(f"{base}/wlan-groups", headers=key).get_json()["data"]
    assert wg[0]["name"] == "Default" and wg[0]["noDelete"] is True
    apg = client.get(f"{base}/ap-groups", headers=key).get_json()["data"]
    assert {g["name"] for g in apg} == {"All APs", "Front of house"}
    assert len(next(g for g in apg if g["name"] == "All APs")["deviceMacs"]) == 25
    sp = client.get(f"{base}/speed-profiles", headers=key).get_json()["data"]
    guest = next(p for p in sp if p["name"] == "Guest 10Mbps")
    assert guest["downloadLimitKbps"] == 10000 and guest["uploadLimitKbps"] == 5000
    limits = client.get(f"{base}/wifi-limits", headers=key).get_json()["data"]
    assert len(limits) == 25
    front = {g["name"]: g for g in apg}["Front of house"]["deviceMacs"]
    for ap in limits:
        ng = next(r for r in ap["radios"] if r["radio"] == "ng")
        na = next(r for r in ap["radios"] if r["radio"] == "na")
        # acme-iot (2.4 GHz, hidden) is broadcast by the "Front of house" APs only;
        # Acme-Radius is switched off and counts nowhere
        expected_ng = {"Acme-Corp", "Acme-Guest"} | ({"acme-iot"} if ap["mac"] in front else set())
        assert set(ng["wlanNames"]) == expected_ng
        assert set(na["wlanNames"]) == {"Acme-Corp", "Acme-Guest"}
        assert ng["remaining"] == 8 - len(expected_ng)


def test_private_keys_need_their_field_node(client, make_key, sites) -> None:
    url = f"{API}/{sites.hq.id}/wifi/acmehq01-wlan3/ppsk"
    company = client.get(url, headers=bearer(make_key(sites.acme)))
    assert company.status_code == 403
    assert "Sensor-Key-8841" not in company.get_data(as_text=True)
    agency = client.get(url, headers=bearer(make_key())).get_json()["data"]
    assert agency[1] == {
        "key": "Camera-Key-2290",
        "name": "Cameras",
        "mac": "AA:BB:CC:DD:EE:FF",
        "vlanId": 100,
    }
    missing = client.get(f"{API}/{sites.hq.id}/wifi/nope/ppsk", headers=bearer(make_key()))
    assert missing.status_code == 404
    foreign = client.get(url, headers=bearer(make_key(sites.globex)))
    assert foreign.status_code == 404


def test_without_a_controller_changes_are_refused_plainly(client, make_key, sites) -> None:
    resp = client.post(API, headers=bearer(make_key()), json={"description": "New Branch"})
    assert resp.status_code == 409 and resp.get_json()["code"] == "controller_not_configured"


def test_a_granted_company_key_reads_passphrases(client, db, make_key, sites) -> None:
    from services.portals.grants import set_client_grant
    from tests.factories import actor_of

    url = f"{API}/{sites.hq.id}/wifi"
    key = bearer(make_key(sites.acme))
    assert "Falcon-Harbor-7731" not in client.get(url, headers=key).get_data(as_text=True)
    set_client_grant(
        session=db,
        actor=actor_of(db, sites.staff_admin),
        company_id=sites.acme.id,
        role="admin",
        node="network.wifi.read.passphrase",
        granted=True,
    )
    assert "Falcon-Harbor-7731" in client.get(url, headers=key).get_data(as_text=True)
