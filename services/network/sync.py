"""The background sync: read the controller, keep one snapshot per site.

Only this module talks to the controller for reads. A site whose fetch fails keeps its previous
snapshot; the failure is recorded on it (``sync_error``, ``last_attempt_at``) so pages can say
"stale since". Requests only ever enqueue a sync (:func:`request_sync`), never wait for one.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from portal import crypto
from portal.jobs import enqueue_in, job
from portal.models.base import utcnow
from portal.models.network import DeviceState, NetworkDevice, NetworkSite, NetworkWlan
from portal.runtime import get_runtime
from portal.sweeper import periodic
from portal.tenancy import Actor, require_staff
from services.network.connector import (
    ControllerClient,
    ControllerError,
    SiteSnapshot,
    WlanRecord,
    fetch_snapshot,
)

log = logging.getLogger(__name__)

SYNC_JOB = "network.sync"


@dataclass
class SyncResult:
    synced: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    error: str | None = None  # the controller as a whole could not be read


def controller_from_settings() -> ControllerClient | None:
    settings = get_runtime().settings
    if not settings.network_controller_url:
        return None
    return ControllerClient(settings.network_controller_url, settings.network_controller_key)


def request_sync(*, session: Session, actor: Actor) -> None:
    """Queue a sync of every site (staff with ``network.sites.sync``); returns at once."""
    require_staff(actor, "network.sites.sync", "Only the agency can sync network sites.")
    enqueue_in(session, 0, SYNC_JOB)


@job(SYNC_JOB)
def run_sync(session: Session) -> None:
    client = controller_from_settings()
    if client is None:
        log.info("network sync skipped: NETWORK_CONTROLLER_URL is not set")
        return
    sync_controller(session=session, client=client)


# every 5 minutes by default (a no-op without NETWORK_CONTROLLER_URL)
periodic(SYNC_JOB, setting="NETWORK_SYNC_SECONDS", default=300.0, first_after=30)


def sync_controller(*, session: Session, client: ControllerClient) -> SyncResult:
    """Read every site of the controller into its snapshot; record failures, never raise them."""
    result = SyncResult()
    now = utcnow()
    try:
        listed = client.sites()
    except ControllerError as exc:
        result.error = exc.message
        for site in session.exec(select(NetworkSite)).all():
            record_failure(session, site, exc.message, now)
        session.flush()
        return result
    known = {s.controller_site: s for s in session.exec(select(NetworkSite)).all()}
    for raw in listed:
        name = str(raw.get("name", ""))[:64]
        if not name:
            continue
        site = known.get(name) or NetworkSite(controller_site=name, name=name)
        site.name = str(raw.get("desc") or name)[:200]
        session.add(site)
        session.flush()
        try:
            snapshot = fetch_snapshot(client, name)
        except ControllerError as exc:
            record_failure(session, site, exc.message, now)
            result.failed[name] = exc.message
            continue
        apply_snapshot(session=session, site=site, snapshot=snapshot, at=now)
        result.synced.append(name)
    session.flush()
    return result


def record_failure(session: Session, site: NetworkSite, message: str, at: datetime) -> None:
    site.last_attempt_at = at
    site.sync_error = message[:500]
    session.add(site)
    log.warning("network sync of %s failed: %s", site.controller_site, message)


def apply_snapshot(
    *, session: Session, site: NetworkSite, snapshot: SiteSnapshot, at: datetime | None = None
) -> None:
    """Replace the site's snapshot (devices, WLANs, health) with ``snapshot``."""
    at = at or utcnow()
    assert site.id is not None
    site.health = snapshot.health
    site.sysinfo = snapshot.sysinfo
    site.networks = snapshot.networks
    site.groups = snapshot.groups
    site.devices_online = sum(1 for d in snapshot.devices if d.state == DeviceState.online)
    site.devices_offline = sum(1 for d in snapshot.devices if d.state == DeviceState.offline)
    site.clients = sum(d.clients for d in snapshot.devices)
    site.last_synced_at = at
    site.last_attempt_at = at
    site.sync_error = None
    site.updated_at = at
    session.add(site)
    session.execute(delete(NetworkDevice).where(col(NetworkDevice.site_id) == site.id))
    seen: set[str] = set()
    for d in snapshot.devices:
        if d.mac in seen:
            continue
        seen.add(d.mac)
        session.add(
            NetworkDevice(
                site_id=site.id,
                controller_id=d.controller_id,
                mac=d.mac,
                name=d.name,
                model=d.model,
                type=d.type,
                state=d.state,
                ip=d.ip,
                firmware=d.firmware,
                uptime=d.uptime,
                clients=d.clients,
            )
        )
    # WLANs keep their row (and id) across syncs: reveal links point at them
    existing = {
        w.controller_id: w
        for w in session.exec(select(NetworkWlan).where(NetworkWlan.site_id == site.id)).all()
    }
    for w in snapshot.wlans:
        store_wlan(session, site, w, existing=existing.pop(w.controller_id, None))
    for gone in existing.values():
        session.delete(gone)
    session.flush()


def store_wlan(
    session: Session, site: NetworkSite, w: WlanRecord, *, existing: NetworkWlan | None
) -> NetworkWlan:
    """Write one WLAN record into the snapshot (its row and id kept when it exists)."""
    row = existing or NetworkWlan(site_id=site.id, controller_id=w.controller_id, name=w.name)  # type: ignore[arg-type]
    row.name = w.name
    row.security = w.security
    row.band = w.band
    row.is_guest = w.is_guest
    row.hidden = w.hidden
    row.enabled = w.enabled
    row.config = w.config
    row.has_passphrase = bool(w.secrets.get("passphrase"))
    row.secrets_encrypted = crypto.encrypt(json.dumps(w.secrets))
    session.add(row)
    session.flush()
    return row


def wlan_secrets(wlan: NetworkWlan) -> dict[str, object]:
    """The decrypted secret fields of a WLAN (callers check the field permission first)."""
    if not wlan.secrets_encrypted:
        return {}
    data = json.loads(crypto.decrypt(wlan.secrets_encrypted))
    return data if isinstance(data, dict) else {}
