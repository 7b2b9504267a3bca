"""Reference 004's UniFi shapes for /api/v1/network (camelCase, string ids, its envelope).

Successful answers wrap their data as reference 004 does: ``{"status", "message", "data",
"successful"}``; lists add ``limit``, ``offset`` and ``total`` (SPEC §7). Errors keep Stoa's
error envelope.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from blueprints.api.schemas import ApiModel, GatedModel, IdString, PageQuery, gated
from portal.models import Company
from portal.models.network import (
    DeviceState,
    DeviceType,
    NetworkDevice,
    NetworkOperation,
    NetworkSite,
)
from portal.tenancy import Actor

SITE_SCOPE = "obj.networkSite"


class Envelope(BaseModel):
    status: int = Field(examples=[200])
    message: str
    successful: bool = True


class CompanyRef(BaseModel):
    id: str
    name: str


class SiteOut(
    GatedModel,
    scope=SITE_SCOPE,
    label="network site",
    attributes={"company_name": "company", "controller_site": "siteId"},  # the Network tab's
):
    """A site record (reference 004's UniFi site; gated per ``obj.networkSite.<field>``)."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    name: str | None = None
    siteId: str | None = Field(default=None, description="The controller's site name")
    companyId: str | None = None
    company: CompanyRef | None = None
    lastSyncedAt: datetime | None = None
    syncError: str | None = None
    createdAt: datetime | None = None
    updatedAt: datetime | None = None


class SiteEnvelope(Envelope):
    data: SiteOut


class SiteListEnvelope(Envelope):
    data: list[SiteOut]
    limit: int
    offset: int
    total: int


class HealthOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    subsystem: Literal["wan", "lan", "wlan", "vpn"]
    status: str


class OverviewOut(BaseModel):
    health: list[HealthOut]
    sysInfo: dict[str, Any]
    siteInfo: dict[str, Any]
    devicesOnline: int
    devicesOffline: int
    clients: int
    lastSyncedAt: datetime | None
    stale: bool = Field(description="The snapshot is old or the last sync failed")
    syncError: str | None


class OverviewEnvelope(Envelope):
    data: OverviewOut


class DeviceOut(BaseModel):
    id: str = Field(description="The controller's device id")
    mac: str
    model: str
    name: str
    type: Literal["gateway", "switch", "access_point", "other"]
    state: Literal["online", "offline", "pending"]
    ip: str
    version: str = Field(description="Firmware")
    uptime: int = Field(description="Seconds")
    clients: int


class DeviceListEnvelope(Envelope):
    data: list[DeviceOut]
    limit: int
    offset: int
    total: int


class AccessPointListEnvelope(Envelope):
    data: list[DeviceOut]


class WifiListEnvelope(Envelope):
    data: list[dict[str, Any]] = Field(
        description="WLAN objects holding only the fields of network.wifi.read.<field> the "
        "caller holds (reference 004's unifi.site.wifi.read table)."
    )


class NetworkOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    name: str


class NetworkListEnvelope(Envelope):
    data: list[NetworkOut]


class SyncOut(Envelope):
    data: dict[str, str]


class SitePath(ApiModel):
    site_id: int = Field(ge=1, le=2**31 - 1)


class CompanySitesPath(ApiModel):
    company_id: int = Field(ge=1, le=2**31 - 1)


class SiteListQuery(PageQuery):
    companyId: IdString | None = Field(default=None, pattern=r"^\d{1,10}$")


class DeviceListQuery(PageQuery):
    state: Literal["online", "offline", "pending"] | None = None
    type: Literal["gateway", "switch", "access_point", "other"] | None = None


class LinkBody(ApiModel):
    companyId: IdString = Field(pattern=r"^\d{1,10}$", description="The company to link to")


def _sid(value: int | None) -> str | None:
    return None if value is None else str(value)


def site_out(site: NetworkSite, company: Company | None, actor: Actor) -> dict[str, Any]:
    data = SiteOut(
        id=_sid(site.id),
        name=site.name,
        siteId=site.controller_site,
        companyId=_sid(site.company_id),
        company=CompanyRef(id=str(company.id), name=company.name) if company else None,
        lastSyncedAt=site.last_synced_at,
        syncError=site.sync_error,
        createdAt=site.created_at,
        updatedAt=site.updated_at,
    )
    return gated(data, actor)


def device_out(d: NetworkDevice) -> dict[str, Any]:
    return DeviceOut(
        id=d.controller_id,
        mac=d.mac,
        model=d.model,
        name=d.name,
        type=DeviceType(d.type).value,  # type: ignore[arg-type]
        state=DeviceState(d.state).value,  # type: ignore[arg-type]
        ip=d.ip,
        version=d.firmware,
        uptime=d.uptime,
        clients=d.clients,
    ).model_dump(mode="json")


def ok(message: str, data: Any, status: int = 200, **extra: Any) -> dict[str, Any]:
    return {"status": status, "message": message, "data": data, "successful": True, **extra}


class WlanGroupOut(BaseModel):
    id: str
    name: str
    siteId: str | None
    noDelete: bool
    noEdit: bool
    hidden: bool


class WlanGroupListEnvelope(Envelope):
    data: list[WlanGroupOut]


class ApGroupOut(BaseModel):
    id: str
    name: str
    deviceMacs: list[str]
    noDelete: bool


class ApGroupListEnvelope(Envelope):
    data: list[ApGroupOut]


class SpeedProfileOut(BaseModel):
    id: str
    name: str
    siteId: str | None
    noDelete: bool
    downloadLimitKbps: int = Field(description="-1: unlimited")
    uploadLimitKbps: int = Field(description="-1: unlimited")


class SpeedProfileListEnvelope(Envelope):
    data: list[SpeedProfileOut]


class RadioLimitOut(BaseModel):
    radio: Literal["ng", "na"]
    band: Literal["2g", "5g"]
    activeWlans: int
    limit: int
    remaining: int
    wlanNames: list[str]


class WifiLimitOut(BaseModel):
    apId: str
    apName: str
    mac: str
    model: str
    radios: list[RadioLimitOut]


class WifiLimitListEnvelope(Envelope):
    data: list[WifiLimitOut]


class PrivateKeyOut(BaseModel):
    key: str | None
    name: str | None
    mac: str | None
    vlanId: int | None


class PrivateKeyListEnvelope(Envelope):
    data: list[PrivateKeyOut]


class WlanPath(ApiModel):
    site_id: int = Field(ge=1, le=2**31 - 1)
    wlan_id: str = Field(min_length=1, max_length=64, description="The controller's WLAN id")


class WifiEnvelope(Envelope):
    data: dict[str, Any]


class WlanGroupEnvelope(Envelope):
    data: WlanGroupOut


class SpeedProfileEnvelope(Envelope):
    data: SpeedProfileOut


class OperationPath(ApiModel):
    operation_id: int = Field(ge=1, le=2**31 - 1)


class OperationOut(BaseModel):
    """A change asked of the controller: 202 at once, ``pending``; then ``succeeded``,
    ``rejected`` (the controller refused it: ``error`` is its message) or ``failed`` (the
    controller could not be reached, was too slow, or failed)."""

    id: str
    kind: Literal[
        "site.create", "wifi.update", "wlanGroup.create", "speedProfile.create", "ppsk.create"
    ]
    siteId: str | None = Field(description="The site changed (a new site's, once created)")
    wlanId: str | None = Field(description="The controller's WLAN id, for WiFi changes")
    status: Literal["pending", "succeeded", "rejected", "failed"]
    error: str | None
    createdAt: datetime
    finishedAt: datetime | None


class OperationEnvelope(Envelope):
    data: OperationOut


class OperationListEnvelope(Envelope):
    data: list[OperationOut]
    limit: int
    offset: int
    total: int


def operation_out(op: NetworkOperation) -> dict[str, Any]:
    return OperationOut(
        id=str(op.id),
        kind=op.kind,
        siteId=str(op.site_id) if op.site_id else None,
        wlanId=op.wlan_id,
        status=op.status,
        error=op.error,
        createdAt=op.created_at,
        finishedAt=op.finished_at,
    ).model_dump(mode="json")
