"""Read side of the Network tab and API: sites, their snapshot, devices and WiFi networks.

Everything is read from the last snapshot (services/network/sync.py), in a fixed number of
queries; a site the actor may not see is a NotFound. Secret WLAN fields leave this module only
through field gating (``network.wifi.read.<field>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, or_
from sqlmodel import Session, col, select

from portal.errors import Forbidden, NotFound
from portal.models import Company, Role, User
from portal.models.base import utcnow
from portal.models.network import (
    SUBSYSTEMS,
    DeviceState,
    DeviceType,
    NetworkDevice,
    NetworkSite,
    NetworkWlan,
)
from portal.tenancy import (
    Actor,
    gate_fields,
    get_for_actor,
    has_node,
    readable_fields,
    require_staff,
    scoped,
    staff_can,
    with_company_grants,
)
from portal.web.pagination import Page, count, paginate
from services.network.sync import wlan_secrets

WIFI_SCOPE = "network.wifi.read"
STALE_AFTER = timedelta(minutes=30)
PER_PAGE = 25
MAX_SITES = 50
STATES = [s.value for s in DeviceState]
TYPES = [t.value for t in DeviceType]
TYPE_LABELS = {
    "gateway": "Gateway",
    "switch": "Switch",
    "access_point": "Access point",
    "other": "Other",
}
TYPE_PLURALS = {
    "gateway": "Gateways",
    "switch": "Switches",
    "access_point": "Access points",
    "other": "Other devices",
}
# Problems first (offline, then updating), the backbone before the edge, then by name.
DEVICE_ORDER = (
    case({"offline": 0, "pending": 1}, value=NetworkDevice.state, else_=2),
    case({"gateway": 0, "switch": 1, "access_point": 2}, value=NetworkDevice.type, else_=3),
    col(NetworkDevice.name),
    col(NetworkDevice.id),
)


def require_network_read(actor: Actor) -> None:
    """Clients read their own sites; staff need ``network.read``."""
    if actor.is_staff:
        require_staff(actor, "network.read", "You may not see network sites.")


@dataclass(frozen=True)
class SiteView:
    site: NetworkSite
    subsystems: list[dict[str, Any]]  # wan, lan, wlan, vpn in that order, "unknown" if absent
    stale: bool
    never_synced: bool
    company_name: str = ""

    @property
    def status(self) -> str:
        """The worst subsystem status: ok, warning or error."""
        states = {s["status"] for s in self.subsystems}
        if "error" in states:
            return "error"
        if "warning" in states or self.site.devices_offline:
            return "warning"
        return "ok"


def site_view(site: NetworkSite, now: datetime | None = None, company_name: str = "") -> SiteView:
    now = now or utcnow()
    by_name = {h.get("subsystem"): h for h in site.health or []}
    subsystems = [
        {
            **by_name.get(name, {}),
            "subsystem": name,
            "status": by_name.get(name, {}).get("status", "unknown"),
        }
        for name in SUBSYSTEMS
    ]
    synced = site.last_synced_at
    stale = synced is not None and (bool(site.sync_error) or now - synced > STALE_AFTER)
    return SiteView(
        site=site,
        subsystems=subsystems,
        stale=stale,
        never_synced=synced is None,
        company_name=company_name,
    )


def _granted(session: Session, actor: Actor) -> Actor:
    """A client principal with what staff granted its role in its company (one lookup)."""
    if actor.is_staff or actor.company_id is None:
        return actor
    return with_company_grants(actor, session.get(Company, actor.company_id))


def get_site(*, session: Session, actor: Actor, site_id: Any) -> NetworkSite:
    """One site the actor may see, or NotFound."""
    require_network_read(actor)
    return get_for_actor(session, NetworkSite, site_id, actor)


# The tab ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkTab:
    sites: list[SiteView]
    current: SiteView | None
    devices: Page[NetworkDevice]
    state_counts: dict[str, int]
    type_counts: dict[str, int]
    wlans: list[NetworkWlan]
    state: str
    type: str
    q: str
    can_reveal: bool
    link_choices: list[NetworkSite] | None  # staff who may link sites: the unlinked ones
    admins_may_reveal: bool = False  # the company's client admins hold the reveal node
    # for staff managing the company: who may see its passphrases (staff roles, client admins)
    reveal_roles: list[str] | None = None
    reveal_admins: list[str] | None = None

    @property
    def can_link(self) -> bool:
        return self.link_choices is not None


def _device_filters(stmt: Any, *, state: str, type_: str, q: str) -> Any:
    if state:
        stmt = stmt.where(NetworkDevice.state == state)
    if type_:
        stmt = stmt.where(NetworkDevice.type == type_)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(NetworkDevice.name).like(like),
                func.lower(NetworkDevice.model).like(like),
                func.lower(NetworkDevice.ip).like(like),
                func.lower(NetworkDevice.mac).like(like),
            )
        )
    return stmt


def network_tab(
    *,
    session: Session,
    actor: Actor,
    company: Company,
    site_id: int | None,
    state: str = "",
    type: str = "",  # noqa: A002 (the filter's name in the URL)
    q: str = "",
    page: int = 1,
) -> NetworkTab:
    """The Network tab for ``actor`` (narrowed to a portal): every site's health, and the
    devices and WiFi networks of the chosen site (the first one when none is chosen)."""
    require_network_read(actor)
    now = utcnow()
    rows = session.exec(
        scoped(select(NetworkSite, Company.name), actor, NetworkSite)
        .outerjoin(Company, col(Company.id) == col(NetworkSite.company_id))
        .order_by(col(NetworkSite.name), col(NetworkSite.id))
        .limit(MAX_SITES)
    ).all()
    sites = [site_view(s, now, name or "") for s, name in rows]
    state = state if state in STATES else ""
    type = type if type in TYPES else ""
    q = q.strip()[:100]
    current = next((v for v in sites if v.site.id == site_id), sites[0] if sites else None)
    empty: Page[NetworkDevice] = Page([], 0, 1, PER_PAGE)
    link_choices = _link_choices(session, actor)
    admins_reveal = "network.wifi.read.passphrase" in (company.client_nodes or {}).get("admin", [])
    roles, admins = (
        _reveal_audience(session, company, admins_reveal)
        if link_choices is not None
        else (None, None)
    )
    if current is None:
        return NetworkTab(
            sites,
            None,
            empty,
            {},
            {},
            [],
            state,
            type,
            q,
            False,
            link_choices,
            admins_reveal,
            roles,
            admins,
        )
    sid = current.site.id
    counts = session.exec(
        select(NetworkDevice.state, NetworkDevice.type, func.count())
        .where(NetworkDevice.site_id == sid)
        .group_by(NetworkDevice.state, NetworkDevice.type)
    ).all()
    state_counts: dict[str, int] = {}
    type_counts: dict[str, int] = {}
    for st, ty, n in counts:
        state_counts[st] = state_counts.get(st, 0) + n
        type_counts[ty] = type_counts.get(ty, 0) + n
    stmt = _device_filters(
        select(NetworkDevice).where(NetworkDevice.site_id == sid), state=state, type_=type, q=q
    ).order_by(*DEVICE_ORDER)
    total = sum(state_counts.values()) if not (state or type or q) else None
    devices = paginate(session, stmt, page=page, per_page=PER_PAGE, total=total)
    wlans = list(
        session.exec(
            select(NetworkWlan)
            .where(NetworkWlan.site_id == sid)
            .order_by(col(NetworkWlan.name), col(NetworkWlan.id))
        ).all()
    )
    return NetworkTab(
        sites=sites,
        current=current,
        devices=devices,
        state_counts=state_counts,
        type_counts=type_counts,
        wlans=wlans,
        state=state,
        type=type,
        q=q,
        can_reveal="passphrase" in readable_fields(actor, WIFI_SCOPE),
        link_choices=link_choices,
        admins_may_reveal=admins_reveal,
        reveal_roles=roles,
        reveal_admins=admins,
    )


# The API ---------------------------------------------------------------------------------------


def list_sites(
    *,
    session: Session,
    actor: Actor,
    limit: int,
    offset: int,
    company_id: int | None = None,
) -> tuple[list[tuple[NetworkSite, Company | None]], int]:
    """Sites the actor may see (optionally of one company), with their company."""
    require_network_read(actor)
    stmt = scoped(select(NetworkSite, Company), actor, NetworkSite).outerjoin(
        Company, col(Company.id) == col(NetworkSite.company_id)
    )
    if company_id is not None:
        stmt = stmt.where(NetworkSite.company_id == company_id)
    total = count(session, stmt)
    rows = session.exec(
        stmt.order_by(col(NetworkSite.name), col(NetworkSite.id)).limit(limit).offset(offset)
    ).all()
    return [(site, company) for site, company in rows], total


def company_sites(
    *, session: Session, actor: Actor, company_id: int, limit: int, offset: int
) -> tuple[list[tuple[NetworkSite, Company | None]], int]:
    """The sites linked to one company the actor may see (a foreign company is NotFound)."""
    get_for_actor(session, Company, company_id, actor)
    return list_sites(
        session=session, actor=actor, limit=limit, offset=offset, company_id=company_id
    )


def site_devices(
    *,
    session: Session,
    actor: Actor,
    site_id: int,
    limit: int,
    offset: int,
    state: str = "",
    type: str = "",  # noqa: A002
) -> tuple[list[NetworkDevice], int]:
    site = get_site(session=session, actor=actor, site_id=site_id)
    stmt = _device_filters(
        select(NetworkDevice).where(NetworkDevice.site_id == site.id), state=state, type_=type, q=""
    )
    total = count(session, stmt)
    rows = session.exec(stmt.order_by(*DEVICE_ORDER).limit(limit).offset(offset)).all()
    return list(rows), total


def site_access_points(*, session: Session, actor: Actor, site_id: int) -> list[NetworkDevice]:
    rows, _ = site_devices(
        session=session,
        actor=actor,
        site_id=site_id,
        limit=1000,
        offset=0,
        type=DeviceType.access_point.value,
    )
    return rows


def site_wifi(*, session: Session, actor: Actor, site_id: int) -> list[dict[str, Any]]:
    """The site's WLANs as reference 004's objects, each gated per ``network.wifi.read.<field>``.

    Secrets are decrypted only for an actor who may read one of them.
    """
    site = get_site(session=session, actor=actor, site_id=site_id)
    actor = _granted(session, actor)
    allowed = readable_fields(actor, WIFI_SCOPE)
    wlans = session.exec(
        select(NetworkWlan)
        .where(NetworkWlan.site_id == site.id)
        .order_by(col(NetworkWlan.name), col(NetworkWlan.id))
    ).all()
    return [_wlan_object(site, wlan, actor, allowed) for wlan in wlans]


def _wlan_object(
    site: NetworkSite, wlan: NetworkWlan, actor: Actor, allowed: frozenset[str]
) -> dict[str, Any]:
    data: dict[str, Any] = dict(wlan.config)
    data["siteId"] = data.get("siteId") or site.controller_site
    if allowed & {"passphrase", "privatePreSharedKeys", "saePsk"}:
        data.update(wlan_secrets(wlan))
    return gate_fields(data, actor, WIFI_SCOPE)


def wlan_object(*, session: Session, actor: Actor, wlan: NetworkWlan) -> dict[str, Any]:
    """One WLAN as reference 004's object, field-gated like :func:`site_wifi`."""
    site = get_site(session=session, actor=actor, site_id=wlan.site_id)
    return _wlan_object(site, wlan, actor, readable_fields(actor, WIFI_SCOPE))


def site_overview(*, session: Session, actor: Actor, site_id: int) -> dict[str, Any]:
    """Reference 004's overview (health, sysInfo, siteInfo) from the snapshot, plus its age."""
    site = get_site(session=session, actor=actor, site_id=site_id)
    view = site_view(site)
    return {
        "health": view.subsystems,
        "sysInfo": site.sysinfo or {},
        "siteInfo": {"description": site.name, "name": site.controller_site},
        "devicesOnline": site.devices_online,
        "devicesOffline": site.devices_offline,
        "clients": site.clients,
        "lastSyncedAt": site.last_synced_at,
        "stale": view.stale,
        "syncError": site.sync_error if actor.is_staff or view.stale else None,
    }


def site_networks(*, session: Session, actor: Actor, site_id: int) -> list[dict[str, Any]]:
    site = get_site(session=session, actor=actor, site_id=site_id)
    return list(site.networks or [])


def visible_site_count(*, session: Session, actor: Actor) -> int:
    return count(session, scoped(select(NetworkSite), actor, NetworkSite))


def _link_choices(session: Session, actor: Actor) -> list[NetworkSite] | None:
    """Sites linked to no company, for staff who may link them (None for everyone else).

    Unlinked sites belong to no tenant, so the portal-narrowed actor could never see them;
    the permission node is the whole check."""
    if not staff_can(actor, "network.sites.link"):
        return None
    stmt = select(NetworkSite).where(col(NetworkSite.company_id).is_(None))
    return list(session.exec(stmt.order_by(col(NetworkSite.name)).limit(MAX_SITES)).all())


def _reveal_audience(
    session: Session, company: Company, admins_granted: bool
) -> tuple[list[str], list[str]]:
    """Who may see the company's WiFi passphrases: the staff roles holding the node (through
    a wildcard too) and, when staff granted it, the company's active client admins."""
    node = f"{WIFI_SCOPE}.passphrase"
    roles = [
        name
        for name, perms in session.exec(select(Role.name, Role.permissions).order_by(Role.name))
        if has_node(perms or [], node)
    ]
    admins: list[str] = []
    if admins_granted:
        rows = session.exec(
            select(User)
            .where(
                User.company_id == company.id,
                User.client_role == "admin",
                col(User.is_active).is_(True),
            )
            .order_by(col(User.email))
            .limit(20)
        ).all()
        admins = [u.display_name for u in rows]
    return roles, admins


def ensure_can_reveal(actor: Actor) -> None:
    if "passphrase" not in readable_fields(actor, WIFI_SCOPE):
        raise Forbidden("You may not see WiFi passphrases.")


def site_with_company(
    *, session: Session, actor: Actor, site_id: int
) -> tuple[NetworkSite, Company | None]:
    """One visible site and the company it is linked to."""
    site = get_site(session=session, actor=actor, site_id=site_id)
    company = session.get(Company, site.company_id) if site.company_id else None
    return site, company


def site_groups(*, session: Session, actor: Actor, site_id: int, kind: str) -> list[dict[str, Any]]:
    """The site's ``wlanGroups``, ``apGroups`` or ``speedProfiles`` from the snapshot."""
    site = get_site(session=session, actor=actor, site_id=site_id)
    return list((site.groups or {}).get(kind, []))


RADIOS = (("ng", "2g"), ("na", "5g"))
SSIDS_PER_RADIO = 8


def _wlan_bands(wlan: NetworkWlan) -> set[str]:
    bands = wlan.config.get("bands")
    if bands:
        return set(bands)
    return {"2g", "5g"} if wlan.band == "both" else {wlan.band}


def site_wifi_limits(*, session: Session, actor: Actor, site_id: int) -> list[dict[str, Any]]:
    """Per access point and radio: the SSIDs it broadcasts, of the 8 a radio can carry."""
    site = get_site(session=session, actor=actor, site_id=site_id)
    aps = session.exec(
        select(NetworkDevice)
        .where(NetworkDevice.site_id == site.id, NetworkDevice.type == DeviceType.access_point)
        .order_by(col(NetworkDevice.name), col(NetworkDevice.id))
    ).all()
    wlans = session.exec(
        select(NetworkWlan)
        .where(NetworkWlan.site_id == site.id, col(NetworkWlan.enabled).is_(True))
        .order_by(col(NetworkWlan.name))
    ).all()
    group_macs = {
        g["id"]: {m.lower() for m in g.get("deviceMacs", [])}
        for g in (site.groups or {}).get("apGroups", [])
    }
    out = []
    for ap in aps:
        mac = ap.mac.lower()
        on_ap = [
            w
            for w in wlans
            if w.config.get("apGroupMode") != "groups"
            or any(mac in group_macs.get(g, set()) for g in w.config.get("apGroupIds") or [])
        ]
        radios = []
        for radio, band in RADIOS:
            names = [w.name for w in on_ap if band in _wlan_bands(w)]
            radios.append(
                {
                    "radio": radio,
                    "band": band,
                    "activeWlans": len(names),
                    "limit": SSIDS_PER_RADIO,
                    "remaining": max(0, SSIDS_PER_RADIO - len(names)),
                    "wlanNames": names,
                }
            )
        out.append(
            {
                "apId": ap.controller_id,
                "apName": ap.name,
                "mac": ap.mac,
                "model": ap.model,
                "radios": radios,
            }
        )
    return out


def wlan_private_keys(
    *, session: Session, actor: Actor, site_id: int, wlan_id: str
) -> list[dict[str, Any]]:
    """A WLAN's private pre-shared keys (``network.wifi.read.privatePreSharedKeys``)."""
    site = get_site(session=session, actor=actor, site_id=site_id)
    wlan = session.exec(
        select(NetworkWlan).where(
            NetworkWlan.site_id == site.id, NetworkWlan.controller_id == wlan_id
        )
    ).first()
    if wlan is None:
        raise NotFound()
    if "privatePreSharedKeys" not in readable_fields(_granted(session, actor), WIFI_SCOPE):
        raise Forbidden("You may not see private pre-shared keys.")
    raw = wlan_secrets(wlan).get("privatePreSharedKeys")
    keys = raw if isinstance(raw, list) else []
    return [
        {
            "key": k.get("key"),
            "name": k.get("name"),
            "mac": k.get("mac"),
            "vlanId": k.get("vlan_id"),
        }
        for k in keys
        if isinstance(k, dict)
    ]
