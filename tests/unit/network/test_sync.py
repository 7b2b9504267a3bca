"""The background sync: one snapshot per site; failures keep the last snapshot and are recorded."""

from __future__ import annotations

from sqlmodel import select

from portal.models.network import NetworkDevice, NetworkSite, NetworkWlan
from services.network.sync import sync_controller, wlan_secrets


def _site(db, name: str) -> NetworkSite:
    return db.exec(select(NetworkSite).where(NetworkSite.controller_site == name)).one()


def test_sync_stores_a_snapshot_per_site(db, connector) -> None:
    result = sync_controller(session=db, client=connector)
    assert result.error is None and not result.failed
    hq = _site(db, "acmehq01")
    assert hq.name == "Acme HQ — Main Street" and hq.last_synced_at and hq.sync_error is None
    devices = db.exec(select(NetworkDevice).where(NetworkDevice.site_id == hq.id)).all()
    assert len(devices) == 32
    assert hq.devices_online + hq.devices_offline <= 32 and hq.devices_offline == 2
    wlans = db.exec(select(NetworkWlan).where(NetworkWlan.site_id == hq.id)).all()
    guest = next(w for w in wlans if w.is_guest)
    # the passphrase is stored encrypted, never in clear
    assert "Welcome-Guest-2026" not in (guest.secrets_encrypted or "")
    assert "Welcome-Guest-2026" not in str(guest.config)
    assert wlan_secrets(guest)["passphrase"] == "Welcome-Guest-2026"


def test_resync_keeps_wlan_ids_and_replaces_devices(db, controller, connector) -> None:
    sync_controller(session=db, client=connector)
    hq = _site(db, "acmehq01")
    ids = set(db.exec(select(NetworkWlan.id).where(NetworkWlan.site_id == hq.id)).all())
    controller.sites["acmehq01"].devices.pop()
    sync_controller(session=db, client=connector)
    assert set(db.exec(select(NetworkWlan.id).where(NetworkWlan.site_id == hq.id)).all()) == ids
    assert len(db.exec(select(NetworkDevice).where(NetworkDevice.site_id == hq.id)).all()) == 31


def test_controller_down_keeps_the_snapshot_and_records_the_error(db, controller, connector):
    sync_controller(session=db, client=connector)
    synced_at = _site(db, "acmehq01").last_synced_at
    controller.stop()
    result = sync_controller(session=db, client=connector)
    assert result.error == "The controller cannot be reached."
    hq = _site(db, "acmehq01")
    assert hq.last_synced_at == synced_at
    assert hq.sync_error == "The controller cannot be reached."
    assert hq.last_attempt_at and hq.last_attempt_at > synced_at
    assert len(db.exec(select(NetworkDevice).where(NetworkDevice.site_id == hq.id)).all()) == 32


def test_one_failing_site_does_not_stop_the_others(db, controller, connector) -> None:
    sync_controller(session=db, client=connector)
    controller.broken_sites.add("retail03")
    result = sync_controller(session=db, client=connector)
    assert "retail03" in result.failed and "acmehq01" in result.synced
    assert _site(db, "retail03").sync_error == "The controller failed (HTTP 500)."
    assert _site(db, "retail03").last_synced_at is not None  # the last snapshot stays
    assert _site(db, "acmehq01").sync_error is None


def test_the_cli_syncs_and_reports(app, db, controller, runtime, monkeypatch) -> None:
    from dataclasses import replace

    from tests.fakes.network_controller import API_KEY

    monkeypatch.setattr(
        runtime,
        "settings",
        replace(
            runtime.settings, network_controller_url=controller.url, network_controller_key=API_KEY
        ),
    )
    result = app.test_cli_runner().invoke(args=["network", "sync"])
    assert result.exit_code == 0, result.output
    assert "4 site(s) synced, 0 failed." in result.output
    assert _site(db, "acmehq01").last_synced_at is not None
    controller.stop()
    result = app.test_cli_runner().invoke(args=["network", "sync"])
    assert result.exit_code == 1 and "The controller cannot be reached." in result.output
