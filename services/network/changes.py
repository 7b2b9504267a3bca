"""Changes made on the controller: create a site, update a WiFi network, create WLAN groups,
speed profiles and private pre-shared keys.

These are the only requests that talk to the controller: a change has happened only once the
controller says so. They run with short write timeouts (``WRITE_TIMEOUT``) and are never
retried inside the request, so a slow controller holds a request for seconds, not minutes; an
unreachable, failing or slow controller is a 503 with nothing changed in Stoa (the snapshot and
the activity log stay as they were), no controller configured a 409. Each
change updates the snapshot at once and writes its activity row (secrets never go into it).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from portal.errors import Conflict, NotFound, Unavailable
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.network import (
    NetworkSite,
    NetworkWlan,
    PrivateKeyCreate,
    SiteCreate,
    SpeedProfileCreate,
    WlanGroupCreate,
    WlanUpdate,
)
from portal.tenancy import Actor, require_staff
from services.events.activity import record
from services.network.connector import (
    ControllerClient,
    ControllerError,
    parse_groups,
    parse_wlan,
)
from services.network.queries import get_site, wlan_object
from services.network.sync import controller_from_settings, store_wlan, wlan_secrets

WRITE_TIMEOUT = (2.0, 5.0)  # (connect, read) seconds for a change made inside a request


def _controller() -> ControllerClient:
    client = controller_from_settings()
    if client is None:
        # a state of this installation, not a passing outage: retrying will not help
        raise Conflict(
            "No network controller is configured (NETWORK_CONTROLLER_URL).",
            code="controller_not_configured",
        )
    client.timeout = WRITE_TIMEOUT
    client.retries = 0  # the person retries (the 503 says when), not the request
    return client


def _unavailable(exc: ControllerError) -> Unavailable:
    message = f"{exc.message} Nothing was changed."
    if getattr(exc, "timed_out", False):
        message = (
            f"{exc.message} Nothing was changed in Stoa; the next sync shows whether the "
            "controller applied it."
        )
    return Unavailable(message, code="controller_unavailable", retry_after=30)


def _record(
    session: Session, actor: Actor, site: NetworkSite, action: Action, label: str, text: str
) -> None:
    record(
        session,
        actor=actor,
        company_id=site.company_id,
        action=action,
        object_type="network_site",
        object_id=site.id,
        object_label=label,
        description=text,
    )


def create_site(*, session: Session, actor: Actor, data: SiteCreate) -> NetworkSite:
    """Create a site on the controller and track it (not linked yet); the next sync
    (``POST /network/sites/sync``) fills in its snapshot."""
    require_staff(actor, "network.sites.create", "Only the agency can create network sites.")
    try:
        created = _controller().create_site(data.description)
    except ControllerError as exc:
        raise _unavailable(exc) from exc
    name = str(created.get("name") or "")[:64]
    site = NetworkSite(controller_site=name, name=str(created.get("desc") or data.description))
    session.add(site)
    session.flush()
    _record(
        session,
        actor,
        site,
        Action.network_site_created,
        site.name,
        f"{actor.label} created the network site {site.name}",
    )
    return site


def _wlan(session: Session, site: NetworkSite, wlan_id: str) -> NetworkWlan:
    wlan = session.exec(
        select(NetworkWlan).where(
            NetworkWlan.site_id == site.id, NetworkWlan.controller_id == wlan_id
        )
    ).first()
    if wlan is None:
        raise NotFound()
    return wlan


def update_wlan(
    *, session: Session, actor: Actor, site_id: int, wlan_id: str, data: WlanUpdate
) -> dict[str, Any]:
    """Change a WiFi network on the controller (``network.wifi.update``); the snapshot follows.
    Returns the network as reference 004's object, field-gated like the WiFi list."""
    site = get_site(session=session, actor=actor, site_id=site_id)
    wlan = _wlan(session, site, wlan_id)
    require_staff(actor, "network.wifi.update", "Only the agency can change WiFi networks.")
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    if "band" in changes:
        changes["wlan_band"] = changes.pop("band")
    try:
        raw = _controller().update_wlan(site.controller_site, wlan.controller_id, changes)
    except ControllerError as exc:
        raise _unavailable(exc) from exc
    wlan = store_wlan(session, site, parse_wlan(raw), existing=wlan)
    what = ", ".join(
        sorted("passphrase" if k == "x_passphrase" else k for k in data.model_fields_set)
    )
    _record(
        session,
        actor,
        site,
        Action.wifi_network_updated,
        f"{wlan.name} ({site.name})",
        f"{actor.label} changed {what} of {wlan.name}",
    )
    return wlan_object(session=session, actor=actor, wlan=wlan)


def create_wlan_group(
    *, session: Session, actor: Actor, site_id: int, data: WlanGroupCreate
) -> dict[str, Any]:
    site = get_site(session=session, actor=actor, site_id=site_id)
    require_staff(actor, "network.wlan-groups.create", "Only the agency can create WLAN groups.")
    try:
        raw = _controller().create_wlan_group(site.controller_site, data.name)
    except ControllerError as exc:
        raise _unavailable(exc) from exc
    group = parse_groups([raw], [], [])["wlanGroups"][0]
    site.groups = {
        **(site.groups or {}),
        "wlanGroups": [*(site.groups or {}).get("wlanGroups", []), group],
    }
    site.updated_at = utcnow()
    session.add(site)
    _record(
        session,
        actor,
        site,
        Action.wlan_group_created,
        data.name,
        f"{actor.label} created the WLAN group {data.name} at {site.name}",
    )
    session.flush()
    return group


def create_speed_profile(
    *, session: Session, actor: Actor, site_id: int, data: SpeedProfileCreate
) -> dict[str, Any]:
    site = get_site(session=session, actor=actor, site_id=site_id)
    require_staff(
        actor, "network.speed-profiles.create", "Only the agency can create speed profiles."
    )
    try:
        raw = _controller().create_speed_profile(
            site.controller_site, data.name, data.downloadLimitKbps, data.uploadLimitKbps
        )
    except ControllerError as exc:
        raise _unavailable(exc) from exc
    profile = parse_groups([], [], [raw])["speedProfiles"][0]
    groups = site.groups or {}
    site.groups = {**groups, "speedProfiles": [*groups.get("speedProfiles", []), profile]}
    site.updated_at = utcnow()
    session.add(site)
    _record(
        session,
        actor,
        site,
        Action.speed_profile_created,
        data.name,
        f"{actor.label} created the speed profile {data.name} at {site.name}",
    )
    session.flush()
    return profile


def create_private_key(
    *, session: Session, actor: Actor, site_id: int, wlan_id: str, data: PrivateKeyCreate
) -> list[dict[str, Any]]:
    """Add a private pre-shared key to a WiFi network (turning PPSK on); returns every key."""
    site = get_site(session=session, actor=actor, site_id=site_id)
    wlan = _wlan(session, site, wlan_id)
    require_staff(actor, "network.wifi.ppsk.create", "Only the agency can create WiFi keys.")
    current = wlan_secrets(wlan).get("privatePreSharedKeys")
    keys = [k for k in (current if isinstance(current, list) else []) if isinstance(k, dict)]
    keys.append({"key": data.key, "name": data.name, "mac": data.mac, "vlan_id": data.vlanId})
    try:
        raw = _controller().update_wlan(
            site.controller_site,
            wlan.controller_id,
            {"private_preshared_keys_enabled": True, "private_preshared_keys": keys},
        )
    except ControllerError as exc:
        raise _unavailable(exc) from exc
    wlan = store_wlan(session, site, parse_wlan(raw), existing=wlan)
    _record(
        session,
        actor,
        site,
        Action.private_psk_created,
        f"{wlan.name} ({site.name})",
        f"{actor.label} added the WiFi key {data.name} to {wlan.name}",
    )
    saved = wlan_secrets(wlan).get("privatePreSharedKeys")
    return [
        {
            "key": k.get("key"),
            "name": k.get("name"),
            "mac": k.get("mac"),
            "vlanId": k.get("vlan_id"),
        }
        for k in (saved if isinstance(saved, list) else [])
        if isinstance(k, dict)
    ]
