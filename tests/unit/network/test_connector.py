"""The controller connector against the local fake controller (real HTTP)."""

from __future__ import annotations

import pytest

from services.network.connector import (
    ControllerClient,
    ControllerRejected,
    ControllerUnavailable,
    fetch_snapshot,
)
from tests.fakes.network_controller import API_KEY


def test_reads_sites_health_devices_and_wlans(connector) -> None:
    sites = {s["name"]: s["desc"] for s in connector.sites()}
    assert sites["acmehq01"] == "Acme HQ — Main Street"
    assert len(sites) >= 3
    snap = fetch_snapshot(connector, "acmehq01")
    assert [h["subsystem"] for h in snap.health] == ["wan", "lan", "wlan", "vpn"]
    assert 5 <= len(snap.devices) <= 40
    assert {d.state for d in snap.devices} >= {"online", "offline"}
    assert {d.type for d in snap.devices} >= {"gateway", "switch", "access_point"}
    guest = next(w for w in snap.wlans if w.is_guest)
    hidden = next(w for w in snap.wlans if w.hidden)
    assert guest.name == "Acme-Guest" and hidden.name == "acme-iot"
    # secrets travel apart from the configuration
    assert "passphrase" not in guest.config and guest.secrets["passphrase"]
    assert snap.sysinfo["version"]


def test_server_errors_are_retried(controller, connector) -> None:
    controller.fail_next(2, status=502)
    assert connector.sites()
    assert [r for r in controller.requests if r.endswith("/sites")] == ["GET /api/self/sites"] * 3


def test_persistent_server_errors_become_a_clear_error(controller, connector) -> None:
    controller.fail_next(3, status=503)
    with pytest.raises(ControllerUnavailable, match=r"failed \(HTTP 503\)"):
        connector.sites()


def test_a_slow_controller_times_out(controller) -> None:
    controller.delay = 0.5
    client = ControllerClient(controller.url, API_KEY, timeout=(1.0, 0.1), retries=1, backoff=0)
    with pytest.raises(ControllerUnavailable, match="did not answer within 0.1 seconds"):
        client.sites()


def test_an_unreachable_controller(controller) -> None:
    url = controller.url
    controller.stop()
    client = ControllerClient(url, API_KEY, timeout=(0.5, 0.5), retries=0)
    with pytest.raises(ControllerUnavailable, match="cannot be reached"):
        client.sites()


def test_wrong_key_and_unknown_site_are_refusals_not_retried(controller) -> None:
    with pytest.raises(ControllerRejected, match="credentials"):
        ControllerClient(controller.url, "wrong", retries=2, backoff=0).sites()
    assert len(controller.requests) == 1
    client = ControllerClient(controller.url, API_KEY, retries=0)
    with pytest.raises(ControllerRejected, match="does not know"):
        client.devices("nosuchsite")


def test_update_wlan_and_create_site(connector) -> None:
    updated = connector.update_wlan("acmehq01", "acmehq01-wlan2", {"name": "Acme-Visitors"})
    assert updated["name"] == "Acme-Visitors"
    created = connector.create_site("New Branch")
    assert created["desc"] == "New Branch"
    assert "New Branch" in {s["desc"] for s in connector.sites()}
