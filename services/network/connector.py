"""The controller connector: a client for a UniFi-style controller API.

It speaks the classic controller paths (``/api/self/sites``, ``/api/s/<site>/stat/health``,
``/stat/device``, ``/rest/wlanconf`` …) with the ``{"meta": {"rc": "ok"}, "data": [...]}``
envelope, authenticated by an ``X-API-KEY`` header. The transport (session, connect and read
timeouts, retries of idempotent calls with back-off, one error per failure) is the shared
:class:`portal.connectors.HttpConnector`; what fails is a :class:`ControllerError` whose
message says what happened in words a person reads.

The ``parse_*`` functions turn the controller's records into Stoa's snapshot shapes; the sync
and the demo loader share them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests

from portal.connectors import HttpConnector, UpstreamRejected, UpstreamUnavailable
from portal.models.network import WLAN_SECRET_FIELDS, DeviceState, DeviceType

log = logging.getLogger(__name__)


class ControllerError(Exception):
    """The controller could not answer; ``message`` is fit to show staff.

    Every instance is also a :class:`portal.connectors.UpstreamError` (through one of the two
    classes below)."""

    message: str
    status: int | None
    timed_out: bool


class ControllerUnavailable(UpstreamUnavailable, ControllerError):
    """Unreachable, too slow, or failing (5xx) even after retries."""


class ControllerRejected(UpstreamRejected, ControllerError):
    """The controller refused the request (4xx, or an error in its envelope)."""


class ControllerClient(HttpConnector):
    """One controller. Methods return the controller's records (``data`` of its envelope)."""

    label = "The controller"
    unavailable_error = ControllerUnavailable
    rejected_error = ControllerRejected

    # Reads ------------------------------------------------------------------------------------

    def sites(self) -> list[dict[str, Any]]:
        return self._call("GET", "/api/self/sites")

    def health(self, site: str) -> list[dict[str, Any]]:
        return self._call("GET", f"{self._site(site)}/stat/health")

    def sysinfo(self, site: str) -> dict[str, Any]:
        rows = self._call("GET", f"{self._site(site)}/stat/sysinfo")
        return rows[0] if rows else {}

    def devices(self, site: str) -> list[dict[str, Any]]:
        return self._call("GET", f"{self._site(site)}/stat/device")

    def wlans(self, site: str) -> list[dict[str, Any]]:
        return self._call("GET", f"{self._site(site)}/rest/wlanconf")

    def networks(self, site: str) -> list[dict[str, Any]]:
        return self._call("GET", f"{self._site(site)}/rest/networkconf")

    def wlan_groups(self, site: str) -> list[dict[str, Any]]:
        return self._call("GET", f"{self._site(site)}/rest/wlangroup")

    def speed_profiles(self, site: str) -> list[dict[str, Any]]:
        return self._call("GET", f"{self._site(site)}/rest/usergroup")

    def ap_groups(self, site: str) -> list[dict[str, Any]]:
        # the newer v2 API: a bare JSON list, no envelope
        return self._call("GET", f"/v2/api/site/{quote(site, safe='')}/apgroups")

    # Writes (POSTs create things: the base never repeats one) ---------------------------------

    def update_wlan(self, site: str, wlan_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        rows = self._call(
            "PUT", f"{self._site(site)}/rest/wlanconf/{quote(wlan_id, safe='')}", json=changes
        )
        return rows[0] if rows else {}

    def create_wlan_group(self, site: str, name: str) -> dict[str, Any]:
        rows = self._call("POST", f"{self._site(site)}/rest/wlangroup", json={"name": name})
        return rows[0] if rows else {}

    def create_speed_profile(self, site: str, name: str, down: int, up: int) -> dict[str, Any]:
        body = {"name": name, "qos_rate_max_down": down, "qos_rate_max_up": up}
        rows = self._call("POST", f"{self._site(site)}/rest/usergroup", json=body)
        return rows[0] if rows else {}

    def create_site(self, description: str) -> dict[str, Any]:
        rows = self._call(
            "POST", "/api/s/default/cmd/sitemgr", json={"cmd": "add-site", "desc": description}
        )
        return rows[0] if rows else {}

    # Envelope ---------------------------------------------------------------------------------

    @staticmethod
    def _site(site: str) -> str:
        return f"/api/s/{quote(site, safe='')}"

    def rejection(self, resp: requests.Response) -> UpstreamRejected:
        status = resp.status_code
        if status in {401, 403}:
            return ControllerRejected(
                "The controller refused our credentials (check the API key).", status=status
            )
        if status == 404:
            return ControllerRejected(
                "The controller does not know that site or object.", status=404
            )
        try:
            body = resp.json()
        except ValueError:
            body = None
        meta = body.get("meta", {}) if isinstance(body, dict) else {}
        detail = (meta.get("msg") if isinstance(meta, dict) else None) or f"HTTP {status}"
        return ControllerRejected(f"The controller refused the request ({detail}).", status=status)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        resp = self.request(method, path, **kwargs)
        body = self.json(resp)
        meta = body.get("meta", {}) if isinstance(body, dict) else {}
        if isinstance(meta, dict) and meta.get("rc") not in (None, "ok"):
            detail = meta.get("msg") or f"HTTP {resp.status_code}"
            raise ControllerRejected(
                f"The controller refused the request ({detail}).", status=resp.status_code
            )
        data = body.get("data", []) if isinstance(body, dict) else body
        return data if isinstance(data, list) else [data]


# The controller's records → Stoa's snapshot ------------------------------------------------------

DEVICE_TYPES = {
    "ugw": DeviceType.gateway,
    "udm": DeviceType.gateway,
    "uxg": DeviceType.gateway,
    "usw": DeviceType.switch,
    "uap": DeviceType.access_point,
}
# The controller's numeric device states: 1 connected, 0 disconnected, the rest in between.
ONLINE_STATES = {1}
OFFLINE_STATES = {0, 6}  # 6: heartbeat missed


@dataclass(frozen=True)
class DeviceRecord:
    controller_id: str
    mac: str
    name: str
    model: str
    type: str
    state: str
    ip: str
    firmware: str
    uptime: int
    clients: int


@dataclass(frozen=True)
class WlanRecord:
    controller_id: str
    name: str
    security: str
    band: str
    is_guest: bool
    hidden: bool
    enabled: bool
    config: dict[str, Any]
    secrets: dict[str, Any] = field(repr=False)  # never logged


@dataclass(frozen=True)
class SiteSnapshot:
    health: list[dict[str, Any]]
    sysinfo: dict[str, Any]
    networks: list[dict[str, Any]]
    devices: list[DeviceRecord]
    wlans: list[WlanRecord]
    groups: dict[str, Any] = field(default_factory=dict)


def parse_state(raw: Any) -> str:
    if raw in ONLINE_STATES:
        return DeviceState.online.value
    if raw in OFFLINE_STATES:
        return DeviceState.offline.value
    return DeviceState.pending.value


def parse_device(raw: dict[str, Any]) -> DeviceRecord:
    mac = str(raw.get("mac", ""))[:32]
    return DeviceRecord(
        controller_id=str(raw.get("_id", mac))[:64],
        mac=mac,
        name=str(raw.get("name") or raw.get("model") or mac)[:200],
        model=str(raw.get("model", ""))[:64],
        type=DEVICE_TYPES.get(str(raw.get("type", "")), DeviceType.other).value,
        state=parse_state(raw.get("state")),
        ip=str(raw.get("ip", ""))[:64],
        firmware=str(raw.get("version", ""))[:64],
        uptime=int(raw.get("uptime") or 0),
        clients=int(raw.get("num_sta") or 0),
    )


def parse_health(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per subsystem: ``subsystem``, ``status`` and the controller's counters."""
    out = []
    for row in rows:
        out.append(
            {
                "subsystem": str(row.get("subsystem", "")),
                "status": str(row.get("status", "unknown")),
                "numAdopted": int(row.get("num_adopted") or 0),
                "numDisconnected": int(row.get("num_disconnected") or 0),
                "numUser": int(row.get("num_user") or 0),
                "numGuest": int(row.get("num_guest") or 0),
                "numGateway": int(row.get("num_gw") or 0),
                "wanIp": row.get("wan_ip"),
            }
        )
    return out


def parse_network(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(raw.get("_id", "")),
        "name": raw.get("name", ""),
        "purpose": raw.get("purpose", ""),
        "subnet": raw.get("ip_subnet"),
        "vlanId": raw.get("vlan"),
        "dhcpEnabled": bool(raw.get("dhcpd_enabled", False)),
        "dhcpStart": raw.get("dhcpd_start"),
        "dhcpStop": raw.get("dhcpd_stop"),
        "domainName": raw.get("domain_name"),
        "isNat": bool(raw.get("is_nat", False)),
        "enabled": bool(raw.get("enabled", True)),
    }


def parse_groups(
    wlan_groups: list[dict[str, Any]],
    ap_groups: list[dict[str, Any]],
    speed_profiles: list[dict[str, Any]],
) -> dict[str, Any]:
    """WLAN groups, AP groups and speed profiles in reference 004's shapes."""
    return {
        "wlanGroups": [
            {
                "id": str(g.get("_id", "")),
                "name": g.get("name", ""),
                "siteId": g.get("site_id"),
                "noDelete": bool(g.get("attr_no_delete", False)),
                "noEdit": bool(g.get("attr_no_edit", False)),
                "hidden": bool(g.get("attr_hidden", False)),
            }
            for g in wlan_groups
        ],
        "apGroups": [
            {
                "id": str(g.get("_id", "")),
                "name": g.get("name", ""),
                "deviceMacs": list(g.get("device_macs") or []),
                "noDelete": bool(g.get("attr_no_delete", False)),
            }
            for g in ap_groups
        ],
        "speedProfiles": [
            {
                "id": str(g.get("_id", "")),
                "name": g.get("name", ""),
                "siteId": g.get("site_id"),
                "noDelete": bool(g.get("attr_no_delete", False)),
                "downloadLimitKbps": int(g.get("qos_rate_max_down", -1)),
                "uploadLimitKbps": int(g.get("qos_rate_max_up", -1)),
            }
            for g in speed_profiles
        ],
    }


# reference 004 camelCase name -> the controller's key
_WLAN_KEYS: dict[str, str] = {
    "id": "_id",
    "name": "name",
    "siteId": "site_id",
    "enabled": "enabled",
    "security": "security",
    "wpaMode": "wpa_mode",
    "wpaEnc": "wpa_enc",
    "wpa3Support": "wpa3_support",
    "wpa3Transition": "wpa3_transition",
    "wpa3FastRoaming": "wpa3_fast_roaming",
    "wpa3Enhanced192": "wpa3_enhanced_192",
    "passphrase": "x_passphrase",
    "passphraseAutogenerated": "passphrase_autogenerated",
    "hideSSID": "hide_ssid",
    "isGuest": "is_guest",
    "band": "wlan_band",
    "bands": "wlan_bands",
    "networkconfId": "networkconf_id",
    "usergroupId": "usergroup_id",
    "apGroupIds": "ap_group_ids",
    "apGroupMode": "ap_group_mode",
    "pmfMode": "pmf_mode",
    "groupRekey": "group_rekey",
    "dtimMode": "dtim_mode",
    "dtimNg": "dtim_ng",
    "dtimNa": "dtim_na",
    "dtim6e": "dtim_6e",
    "l2Isolation": "l2_isolation",
    "fastRoamingEnabled": "fast_roaming_enabled",
    "bssTransition": "bss_transition",
    "uapsdEnabled": "uapsd_enabled",
    "iappEnabled": "iapp_enabled",
    "proxyArp": "proxy_arp",
    "mcastenhanceEnabled": "mcastenhance_enabled",
    "macFilterEnabled": "mac_filter_enabled",
    "macFilterPolicy": "mac_filter_policy",
    "macFilterList": "mac_filter_list",
    "radiusDasEnabled": "radius_das_enabled",
    "radiusMacAuthEnabled": "radius_mac_auth_enabled",
    "radiusMacaclFormat": "radius_macacl_format",
    "minrateSettingPreference": "minrate_setting_preference",
    "minrateNgEnabled": "minrate_ng_enabled",
    "minrateNgDataRateKbps": "minrate_ng_data_rate_kbps",
    "minrateNgAdvertisingRates": "minrate_ng_advertising_rates",
    "minrateNaEnabled": "minrate_na_enabled",
    "minrateNaDataRateKbps": "minrate_na_data_rate_kbps",
    "minrateNaAdvertisingRates": "minrate_na_advertising_rates",
    "settingPreference": "setting_preference",
    "no2ghzOui": "no2ghz_oui",
    "privatePreSharedKeysEnabled": "private_preshared_keys_enabled",
    "privatePreSharedKeys": "private_preshared_keys",
    "saeGroups": "sae_groups",
    "saePsk": "sae_psk",
    "schedule": "schedule",
    "scheduleWithDuration": "schedule_with_duration",
    "bcFilterList": "bc_filter_list",
    "externalId": "external_id",
}


def parse_wlan(raw: dict[str, Any]) -> WlanRecord:
    values: dict[str, Any] = {name: raw.get(key) for name, key in _WLAN_KEYS.items()}
    wlan_id = str(values["id"] or "")
    values["id"] = wlan_id
    secrets = {k: values.pop(k) for k in WLAN_SECRET_FIELDS}
    band = str(raw.get("wlan_band") or "both")
    return WlanRecord(
        controller_id=wlan_id[:64],
        name=str(values["name"] or "")[:64],
        security=str(values["security"] or "open")[:16],
        band=band[:8],
        is_guest=bool(values["isGuest"]),
        hidden=bool(values["hideSSID"]),
        enabled=values["enabled"] is not False,
        config=values,
        secrets=secrets,
    )


def fetch_snapshot(client: ControllerClient, site: str) -> SiteSnapshot:
    """Everything the tab and the API show about one site, read from the controller."""
    return SiteSnapshot(
        health=parse_health(client.health(site)),
        sysinfo=client.sysinfo(site),
        networks=[parse_network(n) for n in client.networks(site)],
        devices=[parse_device(d) for d in client.devices(site)],
        wlans=[parse_wlan(w) for w in client.wlans(site)],
        groups=parse_groups(
            client.wlan_groups(site), client.ap_groups(site), client.speed_profiles(site)
        ),
    )
