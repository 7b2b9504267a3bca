"""/api/v1/network: controller sites, their snapshot, devices and field-gated WiFi (reference
004's UniFi routes, answered from the last sync; changes are queued as operations and answer
202: no request waits on the controller)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from pydantic import BaseModel
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
    OperationEnvelope,
    OperationListEnvelope,
    OperationPath,
    OverviewEnvelope,
    OverviewOut,
    PrivateKeyListEnvelope,
    SiteEnvelope,
    SiteListEnvelope,
    SiteListQuery,
    SitePath,
    SpeedProfileListEnvelope,
    SyncOut,
    WifiLimitListEnvelope,
    WifiListEnvelope,
    WlanGroupListEnvelope,
    WlanPath,
    device_out,
    ok,
    operation_out,
    site_out,
)
from portal.db import get_session
from portal.models.network import (
    NetworkOperation,
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


# Changes on the controller: checked here, made by a job. Each answers 202 with the operation
# (``pending``) and a Location to poll; no request waits on the controller.

CHANGE_ERRORS: dict[str | int, type[BaseModel] | dict[Any, Any] | None] = {
    409: ErrorEnvelope,
    422: ErrorEnvelope,
}


def _accepted(message: str, op: NetworkOperation):  # noqa: ANN202
    location = url_for("api_network.get_network_operation", operation_id=op.id)
    return ok(message, operation_out(op), 202), 202, {"Location": location}


@bp.post(
    "/network/sites",
    summary="Create a site on the controller (202: queued)",
    responses={202: OperationEnvelope, **CHANGE_ERRORS},
)
def create_network_site(body: SiteCreate):
    """Staff with network.sites.create or an agency key; scope network:write. Answers 202 with
    the operation at once (Location: the operation); the job creates the site on the
    controller, tracks it (not linked to a company) and reads its snapshot."""
    actor = require_staff("network:write")
    op = changes.create_site(session=get_session(), actor=actor, data=body)
    return _accepted("Network Site Creation Queued", op)


@bp.patch(
    "/network/sites/<int:site_id>/wifi/<string:wlan_id>",
    summary="Change a WiFi network (202: queued)",
    responses={202: OperationEnvelope, **CHANGE_ERRORS},
)
def update_network_wifi(path: WlanPath, body: WlanUpdate):
    """Staff with network.wifi.update or an agency key. Answers 202 with the operation; the job
    sends the change (retried when the controller fails: it is idempotent) and the snapshot
    follows."""
    actor = require_staff("network:write")
    op = changes.update_wlan(
        session=get_session(), actor=actor, site_id=path.site_id, wlan_id=path.wlan_id, data=body
    )
    return _accepted("Network WiFi Network Update Queued", op)


@bp.post(
    "/network/sites/<int:site_id>/wlan-groups",
    summary="Create a WLAN group (202: queued)",
    responses={202: OperationEnvelope, **CHANGE_ERRORS},
)
def create_network_wlan_group(path: SitePath, body: WlanGroupCreate):
    """Staff with network.wlan-groups.create or an agency key. Answers 202 with the operation;
    the job creates the group (sent once, never repeated)."""
    actor = require_staff("network:write")
    op = changes.create_wlan_group(
        session=get_session(), actor=actor, site_id=path.site_id, data=body
    )
    return _accepted("Network WLAN Group Creation Queued", op)


@bp.post(
    "/network/sites/<int:site_id>/speed-profiles",
    summary="Create a speed profile (202: queued)",
    responses={202: OperationEnvelope, **CHANGE_ERRORS},
)
def create_network_speed_profile(path: SitePath, body: SpeedProfileCreate):
    """Staff with network.speed-profiles.create or an agency key. Answers 202 with the
    operation; the job creates the profile (sent once, never repeated)."""
    actor = require_staff("network:write")
    op = changes.create_speed_profile(
        session=get_session(), actor=actor, site_id=path.site_id, data=body
    )
    return _accepted("Network Speed Profile Creation Queued", op)


@bp.post(
    "/network/sites/<int:site_id>/wifi/<string:wlan_id>/ppsk",
    summary="Add a private pre-shared key to a WiFi network (202: queued)",
    responses={202: OperationEnvelope, **CHANGE_ERRORS},
)
def create_network_wifi_private_key(path: WlanPath, body: PrivateKeyCreate):
    """Staff with network.wifi.ppsk.create or an agency key. Answers 202 with the operation
    (never the key); once it succeeded, GET .../ppsk lists every key."""
    actor = require_staff("network:write")
    op = changes.create_private_key(
        session=get_session(), actor=actor, site_id=path.site_id, wlan_id=path.wlan_id, data=body
    )
    return _accepted("Network Private PSK Creation Queued", op)


@bp.get(
    "/network/operations/<int:operation_id>",
    summary="A queued change and how it ended",
    responses={200: OperationEnvelope},
)
def get_network_operation(path: OperationPath):
    """``pending``, then ``succeeded``, ``rejected`` (the controller's refusal in ``error``) or
    ``failed``. Staff holding the node of that change, or an agency key; another tenant's
    operation is a 404."""
    actor = require_staff("network:write")
    op = changes.get_operation(session=get_session(), actor=actor, operation_id=path.operation_id)
    return ok("Network Operation Fetched Successfully!", operation_out(op))


@bp.get(
    "/network/sites/<int:site_id>/operations",
    summary="A site's queued changes, newest first",
    responses={200: OperationListEnvelope},
)
def list_network_site_operations(path: SitePath, query: PageQuery):
    actor = require_staff("network:write")
    rows, total = changes.site_operations(
        session=get_session(),
        actor=actor,
        site_id=path.site_id,
        limit=query.clamped_limit,
        offset=query.offset,
    )
    return ok(
        "Network Operations Fetched Successfully!",
        [operation_out(op) for op in rows],
        limit=query.clamped_limit,
        offset=query.offset,
        total=total,
    )
