"""/api/v1/network: controller sites, their snapshot, devices and field-gated WiFi (reference
004's UniFi routes, answered from the last sync: no request waits on the controller)."""

from __future__ import annotations

from sqlmodel import Session

from blueprints.api import api_blueprint, path_object
from blueprints.api.auth import require_scope, require_staff
from blueprints.api.schemas import ErrorEnvelope, PageQuery
from blueprints.api.v1.network_schemas import (
    AccessPointListEnvelope,
    ApGroupListEnvelope,
    CompanySitesPath,
    DeviceListEnvelope,
    DeviceListQuery,
    LinkBody,
    NetworkListEnvelope,
    OverviewEnvelope,
    OverviewOut,
    PrivateKeyListEnvelope,
    SiteEnvelope,
    SiteListEnvelope,
    SiteListQuery,
    SitePath,
    SpeedProfileEnvelope,
    SpeedProfileListEnvelope,
    SyncOut,
    WifiEnvelope,
    WifiLimitListEnvelope,
    WifiListEnvelope,
    WlanGroupEnvelope,
    WlanGroupListEnvelope,
    WlanPath,
    device_out,
    ok,
    site_out,
)
from portal.db import get_session
from portal.models.network import (
    NetworkSite,
    PrivateKeyCreate,
    SiteCreate,
    SpeedProfileCreate,
    WlanGroupCreate,
    WlanUpdate,
)
from portal.tenancy import Actor
from services import network as service
from services.network import changes, queries
from services.network.sync import request_sync

bp = api_blueprint(
    "api_network",
    __name__,
    url_prefix="/api/v1",
    tag="Network",
    description="Controller sites linked to companies, their health, devices and WiFi networks "
    "(reference 004's UniFi routes, from the last background sync).",
)


@path_object("site_id")
def _load_site(session: Session, actor: Actor, site_id: int) -> NetworkSite:
    return queries.get_site(session=session, actor=actor, site_id=site_id)


@bp.get("/network/sites", summary="List network sites", responses={200: SiteListEnvelope})
def list_network_sites(query: SiteListQuery):
    """A company key sees its company's (and its children's) sites; an agency key all.
    Scope network:read; staff need network.read."""
    actor = require_scope("network:read")
    rows, total = queries.list_sites(
        session=get_session(),
        actor=actor,
        limit=query.clamped_limit,
        offset=query.offset,
        company_id=int(query.companyId) if query.companyId else None,
    )
    return ok(
        "Network Sites Fetched Successfully!",
        [site_out(s, c, actor) for s, c in rows],
        limit=query.clamped_limit,
        offset=query.offset,
        total=total,
    )


@bp.post("/network/sites/sync", summary="Sync sites from the controller", responses={202: SyncOut})
def sync_network_sites():
    """Queue a sync of every site (202 at once; the job records failures on the sites).
    Staff with network.sites.sync or an agency key; scope network:write."""
    actor = require_staff("network:write")
    request_sync(session=get_session(), actor=actor)
    return ok("Network Sync Queued", {"state": "queued"}, status=202), 202


@bp.get("/network/sites/<int:site_id>", summary="Get a network site", responses={200: SiteEnvelope})
def get_network_site(path: SitePath):
    actor = require_scope("network:read")
    site, company = queries.site_with_company(
        session=get_session(), actor=actor, site_id=path.site_id
    )
    return ok("Network Site Fetched Successfully!", site_out(site, company, actor))


@bp.get(
    "/network/sites/<int:site_id>/overview",
    summary="Site health and controller facts",
    responses={200: OverviewEnvelope},
)
def get_network_site_overview(path: SitePath):
    """Health per subsystem (wan, lan, wlan, vpn), sysInfo, siteInfo, and the snapshot's age."""
    actor = require_scope("network:read")
    data = queries.site_overview(session=get_session(), actor=actor, site_id=path.site_id)
    return ok(
        "Network Site Overview Fetched Successfully!",
        OverviewOut.model_validate(data).model_dump(mode="json"),
    )


@bp.get(
    "/network/sites/<int:site_id>/devices",
    summary="List a site's devices",
    responses={200: DeviceListEnvelope},
)
def list_network_site_devices(path: SitePath, query: DeviceListQuery):
    actor = require_scope("network:read")
    rows, total = queries.site_devices(
        session=get_session(),
        actor=actor,
        site_id=path.site_id,
        limit=query.clamped_limit,
        offset=query.offset,
        state=query.state or "",
        type=query.type or "",
    )
    return ok(
        "Network Devices Fetched Successfully!",
        [device_out(d) for d in rows],
        limit=query.clamped_limit,
        offset=query.offset,
        total=total,
    )


@bp.get(
    "/network/sites/<int:site_id>/access-points",
    summary="List a site's access points",
    responses={200: AccessPointListEnvelope},
)
def list_network_site_access_points(path: SitePath):
    actor = require_scope("network:read")
    rows = queries.site_access_points(session=get_session(), actor=actor, site_id=path.site_id)
    return ok("Network Access Points Fetched Successfully!", [device_out(d) for d in rows])


@bp.get(
    "/network/sites/<int:site_id>/wifi",
    summary="List a site's WiFi networks (field-gated)",
    responses={200: WifiListEnvelope},
)
def list_network_site_wifi(path: SitePath):
    """Each WLAN holds only the fields whose ``network.wifi.read.<field>`` node the caller
    holds (``network.wifi.read.*``: all). Clients and company keys read every field but the
    secrets (passphrase, private PSKs, SAE PSKs)."""
    actor = require_scope("network:read")
    data = queries.site_wifi(session=get_session(), actor=actor, site_id=path.site_id)
    return ok("Network WiFi Networks Fetched Successfully!", data)


@bp.get(
    "/network/sites/<int:site_id>/networks",
    summary="List a site's networks (LANs, VLANs)",
    responses={200: NetworkListEnvelope},
)
def list_network_site_networks(path: SitePath):
    actor = require_scope("network:read")
    data = queries.site_networks(session=get_session(), actor=actor, site_id=path.site_id)
    return ok("Network Networks Fetched Successfully!", data)


@bp.post(
    "/network/sites/<int:site_id>/link",
    summary="Link a site to a company",
    responses={200: SiteEnvelope},
)
def link_network_site(path: SitePath, body: LinkBody):
    """Staff with network.sites.link or an agency key; scope network:write."""
    actor = require_staff("network:write")
    site = service.link_site(
        session=get_session(), actor=actor, site_id=path.site_id, company_id=int(body.companyId)
    )
    site, company = queries.site_with_company(session=get_session(), actor=actor, site_id=site.id)
    return ok("Network Site Linked to Company Successfully!", site_out(site, company, actor))


@bp.post(
    "/network/sites/<int:site_id>/unlink",
    summary="Unlink a site from its company",
    responses={200: SiteEnvelope},
)
def unlink_network_site(path: SitePath):
    """Staff with network.sites.link or an agency key; scope network:write."""
    actor = require_staff("network:write")
    site = service.unlink_site(session=get_session(), actor=actor, site_id=path.site_id)
    return ok("Network Site Unlinked from Company Successfully!", site_out(site, None, actor))


@bp.get(
    "/companies/<int:company_id>/network/sites",
    summary="List a company's network sites",
    responses={200: SiteListEnvelope},
)
def list_company_network_sites(path: CompanySitesPath, query: PageQuery):
    """The sites linked to one company; another tenant's company is a 404."""
    actor = require_scope("network:read")
    rows, total = queries.company_sites(
        session=get_session(),
        actor=actor,
        company_id=path.company_id,
        limit=query.clamped_limit,
        offset=query.offset,
    )
    return ok(
        "Company Network Sites Fetched Successfully!",
        [site_out(s, c, actor) for s, c in rows],
        limit=query.clamped_limit,
        offset=query.offset,
        total=total,
    )


def _groups(site_id: int, kind: str) -> list[dict]:
    actor = require_scope("network:read")
    return queries.site_groups(session=get_session(), actor=actor, site_id=site_id, kind=kind)


@bp.get(
    "/network/sites/<int:site_id>/wlan-groups",
    summary="List a site's WLAN groups",
    responses={200: WlanGroupListEnvelope},
)
def list_network_site_wlan_groups(path: SitePath):
    return ok("Network WLAN Groups Fetched Successfully!", _groups(path.site_id, "wlanGroups"))


@bp.get(
    "/network/sites/<int:site_id>/ap-groups",
    summary="List a site's AP groups",
    responses={200: ApGroupListEnvelope},
)
def list_network_site_ap_groups(path: SitePath):
    return ok("Network AP Groups Fetched Successfully!", _groups(path.site_id, "apGroups"))


@bp.get(
    "/network/sites/<int:site_id>/speed-profiles",
    summary="List a site's speed profiles",
    responses={200: SpeedProfileListEnvelope},
)
def list_network_site_speed_profiles(path: SitePath):
    return ok(
        "Network Speed Profiles Fetched Successfully!", _groups(path.site_id, "speedProfiles")
    )


@bp.get(
    "/network/sites/<int:site_id>/wifi-limits",
    summary="SSIDs per access point radio (8 at most)",
    responses={200: WifiLimitListEnvelope},
)
def list_network_site_wifi_limits(path: SitePath):
    actor = require_scope("network:read")
    data = queries.site_wifi_limits(session=get_session(), actor=actor, site_id=path.site_id)
    return ok("Network WiFi Limits Fetched Successfully!", data)


@bp.get(
    "/network/sites/<int:site_id>/wifi/<string:wlan_id>/ppsk",
    summary="List a WiFi network's private pre-shared keys",
    responses={200: PrivateKeyListEnvelope},
)
def list_network_wifi_private_keys(path: WlanPath):
    """Needs network.wifi.read.privatePreSharedKeys (agency keys hold it; company keys and
    client users do not)."""
    actor = require_scope("network:read")
    data = queries.wlan_private_keys(
        session=get_session(), actor=actor, site_id=path.site_id, wlan_id=path.wlan_id
    )
    return ok("Network Private PSKs Fetched Successfully!", data)


# Changes on the controller: the only requests that wait for it (503 when it cannot answer).

CHANGE_ERRORS = {503: ErrorEnvelope}


@bp.post(
    "/network/sites",
    summary="Create a site on the controller",
    responses={201: SiteEnvelope, **CHANGE_ERRORS},
)
def create_network_site(body: SiteCreate):
    """Staff with network.sites.create or an agency key; scope network:write. The new site is
    not linked to a company; the next sync fills in its snapshot."""
    actor = require_staff("network:write")
    site = changes.create_site(session=get_session(), actor=actor, data=body)
    return ok("Network Site Created Successfully!", site_out(site, None, actor), 201), 201


@bp.patch(
    "/network/sites/<int:site_id>/wifi/<string:wlan_id>",
    summary="Change a WiFi network",
    responses={200: WifiEnvelope, **CHANGE_ERRORS},
)
def update_network_wifi(path: WlanPath, body: WlanUpdate):
    """Staff with network.wifi.update or an agency key; the answer is field-gated like /wifi."""
    actor = require_staff("network:write")
    data = changes.update_wlan(
        session=get_session(), actor=actor, site_id=path.site_id, wlan_id=path.wlan_id, data=body
    )
    return ok("Network WiFi Network Updated Successfully!", data)


@bp.post(
    "/network/sites/<int:site_id>/wlan-groups",
    summary="Create a WLAN group",
    responses={201: WlanGroupEnvelope, **CHANGE_ERRORS},
)
def create_network_wlan_group(path: SitePath, body: WlanGroupCreate):
    actor = require_staff("network:write")
    group = changes.create_wlan_group(
        session=get_session(), actor=actor, site_id=path.site_id, data=body
    )
    return ok("Network WLAN Group Created Successfully!", group, 201), 201


@bp.post(
    "/network/sites/<int:site_id>/speed-profiles",
    summary="Create a speed profile",
    responses={201: SpeedProfileEnvelope, **CHANGE_ERRORS},
)
def create_network_speed_profile(path: SitePath, body: SpeedProfileCreate):
    actor = require_staff("network:write")
    profile = changes.create_speed_profile(
        session=get_session(), actor=actor, site_id=path.site_id, data=body
    )
    return ok("Network Speed Profile Created Successfully!", profile, 201), 201


@bp.post(
    "/network/sites/<int:site_id>/wifi/<string:wlan_id>/ppsk",
    summary="Add a private pre-shared key to a WiFi network",
    responses={201: PrivateKeyListEnvelope, **CHANGE_ERRORS},
)
def create_network_wifi_private_key(path: WlanPath, body: PrivateKeyCreate):
    """Answers with every key of the network after the addition (reference 004)."""
    actor = require_staff("network:write")
    keys = changes.create_private_key(
        session=get_session(), actor=actor, site_id=path.site_id, wlan_id=path.wlan_id, data=body
    )
    return ok("Network Private PSK Created Successfully!", keys, 201), 201
