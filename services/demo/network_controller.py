"""A controller's worth of realistic records (the controller's own JSON shapes).

The demo loads them as a snapshot through the connector's parsers, and the tests' fake controller
(tests/fakes/network_controller.py) serves them over HTTP: one data set, two ways in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeSite:
    name: str  # the controller's short site name
    desc: str
    company_slug: str | None
    devices: list[dict[str, Any]] = field(default_factory=list)
    wlans: list[dict[str, Any]] = field(default_factory=list)
    networks: list[dict[str, Any]] = field(default_factory=list)
    vpn: str = "ok"
    wan: str = "ok"
    created_wlan_groups: list[dict[str, Any]] = field(default_factory=list)
    created_speed_profiles: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return "5f0c" + self.name.encode().hex()[:20]

    def health(self) -> list[dict[str, Any]]:
        def count(kind: str, state: int | None = None) -> int:
            return sum(
                1
                for d in self.devices
                if d["type"] == kind and (state is None or d["state"] == state)
            )

        clients = sum(d.get("num_sta", 0) for d in self.devices if d["type"] == "uap")
        guests = clients // 5
        wlan_down = count("uap") - count("uap", 1)
        lan_down = count("usw") - count("usw", 1)
        return [
            {
                "subsystem": "wan",
                "status": self.wan,
                "num_gw": count("ugw") + count("udm"),
                "num_adopted": count("ugw") + count("udm"),
                "num_disconnected": 0 if self.wan == "ok" else 1,
                "wan_ip": f"203.0.113.{len(self.name) * 7 % 250}",
            },
            {
                "subsystem": "lan",
                "status": "ok" if lan_down == 0 else "warning",
                "num_adopted": count("usw"),
                "num_disconnected": lan_down,
                "num_user": clients - guests,
            },
            {
                "subsystem": "wlan",
                "status": "ok" if wlan_down == 0 else "warning",
                "num_adopted": count("uap"),
                "num_disconnected": wlan_down,
                "num_user": clients - guests,
                "num_guest": guests,
            },
            {"subsystem": "vpn", "status": self.vpn},
        ]

    def wlan_groups(self) -> list[dict[str, Any]]:
        return [
            {
                "_id": f"{self.name}-wg1",
                "name": "Default",
                "site_id": self.id,
                "attr_no_delete": True,
                "attr_hidden_id": "Default",
            },
            *self.created_wlan_groups,
        ]

    def ap_groups(self) -> list[dict[str, Any]]:
        aps = [d["mac"] for d in self.devices if d["type"] == "uap"]
        groups = [
            {
                "_id": f"{self.name}-apg1",
                "name": "All APs",
                "device_macs": aps,
                "attr_no_delete": True,
            },
        ]
        if len(aps) > 4:
            groups.append(
                {"_id": f"{self.name}-apg2", "name": "Front of house", "device_macs": aps[:3]}
            )
        return groups

    def speed_profiles(self) -> list[dict[str, Any]]:
        return [
            {
                "_id": f"{self.name}-ug1",
                "name": "Default",
                "site_id": self.id,
                "attr_no_delete": True,
                "qos_rate_max_down": -1,
                "qos_rate_max_up": -1,
            },
            {
                "_id": f"{self.name}-ug2",
                "name": "Guest 10Mbps",
                "site_id": self.id,
                "qos_rate_max_down": 10000,
                "qos_rate_max_up": 5000,
            },
            *self.created_speed_profiles,
        ]

    def sysinfo(self) -> dict[str, Any]:
        return {"timezone": "Europe/Berlin", "hostname": "unifi.northwind.test", "version": "8.6.9"}


# The demo's WiFi passphrases (tests grep every viewer response for them).
DEMO_PASSPHRASES: tuple[str, ...] = (
    "Falcon-Harbor-7731",
    "Welcome-Guest-2026",
    "Iot-Quiet-Meadow-9942",
    "Retail-Till-5520",
    "Shopper-Wifi-3318",
    "Lab-Bench-4410",
    "Sensor-Key-8841",
    "Camera-Key-2290",
)

_MODELS = {
    "ugw": ["UXG-Pro", "UDM-Pro"],
    "usw": ["USW-Pro-24-PoE", "USW-Lite-16-PoE", "USW-Flex-Mini"],
    "uap": ["U6-Pro", "U6-LR", "U7-Pro", "UAP-AC-Lite"],
}
_AREAS = [
    "Lobby",
    "Reception",
    "Open office",
    "Board room",
    "Kitchen",
    "Floor 2",
    "Floor 3",
    "Warehouse bay",
    "Loading dock",
    "Server room",
    "Meeting room",
    "Shop floor",
    "Stockroom",
]


def _mac(rng: random.Random) -> str:
    return "74:ac:b9:" + ":".join(f"{rng.randrange(256):02x}" for _ in range(3))


def _devices(rng: random.Random, site: str, n_switch: int, n_ap: int, offline: int) -> list[dict]:
    devices: list[dict[str, Any]] = []
    kinds = ["ugw"] + ["usw"] * n_switch + ["uap"] * n_ap
    seen: dict[str, int] = {}
    for i, kind in enumerate(kinds):
        label = {"ugw": "Gateway", "usw": "Switch", "uap": "AP"}[kind]
        area = _AREAS[i % len(_AREAS)]
        seen[label + area] = seen.get(label + area, 0) + 1
        if seen[label + area] > 1:
            area = f"{area} {'ABCDEFGH'[seen[label + area] - 1]}"
        devices.append(
            {
                "_id": f"{site}-dev{i:03d}",
                "mac": _mac(rng),
                "model": rng.choice(_MODELS[kind]),
                "type": kind,
                "name": f"{label} {area}" if kind != "ugw" else "Gateway",
                "state": 1,
                "ip": f"10.{len(site)}.0.{10 + i}",
                "version": rng.choice(["7.1.68", "6.6.65", "7.0.66"])
                if kind == "uap"
                else "7.1.72",
                "uptime": rng.randrange(3600, 90 * 86400),
                "num_sta": rng.randrange(0, 38) if kind == "uap" else 0,
                "adopted": True,
            }
        )
    # the last ``offline`` access points/switches are down, one more is upgrading
    for d in devices[len(devices) - offline :]:
        d.update(state=0, uptime=0, num_sta=0)
    if len(devices) > offline + 2:
        devices[-offline - 1]["state"] = 4
    return devices


def _wlan(site: str, idx: int, name: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "_id": f"{site}-wlan{idx}",
        "name": name,
        "site_id": site,
        "enabled": True,
        "security": "wpapsk",
        "wpa_mode": "wpa2",
        "wpa_enc": "ccmp",
        "wpa3_support": False,
        "wpa3_transition": False,
        "passphrase_autogenerated": False,
        "hide_ssid": False,
        "is_guest": False,
        "wlan_band": "both",
        "wlan_bands": ["2g", "5g"],
        "networkconf_id": f"{site}-net1",
        "usergroup_id": f"{site}-ug1",
        "ap_group_ids": [f"{site}-apg1"],
        "ap_group_mode": "all",
        "pmf_mode": "optional",
        "group_rekey": 3600,
        "dtim_mode": "default",
        "dtim_ng": 1,
        "dtim_na": 3,
        "dtim_6e": 3,
        "l2_isolation": False,
        "fast_roaming_enabled": False,
        "bss_transition": True,
        "uapsd_enabled": False,
        "iapp_enabled": True,
        "proxy_arp": False,
        "mcastenhance_enabled": False,
        "mac_filter_enabled": False,
        "mac_filter_policy": "allow",
        "mac_filter_list": [],
        "minrate_setting_preference": "auto",
        "setting_preference": "auto",
        "no2ghz_oui": True,
        "private_preshared_keys_enabled": False,
        "private_preshared_keys": [],
        "sae_groups": [],
        "sae_psk": [],
        "schedule": [],
        "schedule_with_duration": [],
        "bc_filter_list": [],
        "external_id": f"{site}-{idx}-ext",
    }
    base.update(fields)
    return base


def _networks(site: str, guest: bool) -> list[dict[str, Any]]:
    nets = [
        {
            "_id": f"{site}-net1",
            "name": "LAN",
            "purpose": "corporate",
            "ip_subnet": "10.0.1.1/24",
            "dhcpd_enabled": True,
            "dhcpd_start": "10.0.1.100",
            "dhcpd_stop": "10.0.1.254",
            "domain_name": "office.lan",
            "is_nat": True,
            "enabled": True,
        },
    ]
    if guest:
        nets.append(
            {
                "_id": f"{site}-net2",
                "name": "Guests",
                "purpose": "guest",
                "vlan": 20,
                "ip_subnet": "10.0.20.1/24",
                "dhcpd_enabled": True,
                "dhcpd_start": "10.0.20.10",
                "dhcpd_stop": "10.0.20.250",
                "is_nat": True,
                "enabled": True,
            }
        )
    return nets


def demo_controller_sites() -> list[FakeSite]:
    """Four sites: Acme's head office (big) and warehouse, Acme Retail's store, one unlinked."""
    rng = random.Random(1504)
    hq = FakeSite("acmehq01", "Acme HQ — Main Street", "acme")
    hq.devices = _devices(rng, hq.name, n_switch=6, n_ap=25, offline=2)
    hq.wlans = [
        _wlan(
            hq.name,
            1,
            "Acme-Corp",
            x_passphrase=DEMO_PASSPHRASES[0],
            wpa_mode="wpa2wpa3",
            wpa3_support=True,
            wpa3_transition=True,
        ),
        _wlan(
            hq.name,
            2,
            "Acme-Guest",
            x_passphrase=DEMO_PASSPHRASES[1],
            is_guest=True,
            l2_isolation=True,
            networkconf_id=f"{hq.name}-net2",
        ),
        _wlan(
            hq.name,
            3,
            "acme-iot",
            x_passphrase=DEMO_PASSPHRASES[2],
            hide_ssid=True,
            wlan_band="2g",
            wlan_bands=["2g"],
            ap_group_mode="groups",
            ap_group_ids=[f"{hq.name}-apg2"],
            private_preshared_keys_enabled=True,
            private_preshared_keys=[
                {"key": "Sensor-Key-8841", "name": "Door sensors", "mac": None, "vlan_id": None},
                {
                    "key": "Camera-Key-2290",
                    "name": "Cameras",
                    "mac": "AA:BB:CC:DD:EE:FF",
                    "vlan_id": 100,
                },
            ],
        ),
        _wlan(hq.name, 4, "Acme-Radius", security="wpaeap", wpa_enc="ccmp", enabled=False),
    ]
    hq.networks = _networks(hq.name, guest=True)
    warehouse = FakeSite("acmewh02", "Acme Warehouse", "acme", vpn="warning")
    warehouse.devices = _devices(rng, warehouse.name, n_switch=3, n_ap=8, offline=3)
    warehouse.wlans = [
        _wlan(warehouse.name, 1, "Acme-Corp", x_passphrase=DEMO_PASSPHRASES[0]),
        _wlan(
            warehouse.name,
            2,
            "Scanners",
            x_passphrase=DEMO_PASSPHRASES[2],
            hide_ssid=True,
            wlan_band="2g",
            wlan_bands=["2g"],
        ),
    ]
    warehouse.networks = _networks(warehouse.name, guest=False)
    store = FakeSite("retail03", "Acme Retail — Downtown Store", "acme-retail")
    store.devices = _devices(rng, store.name, n_switch=2, n_ap=5, offline=1)
    store.wlans = [
        _wlan(
            store.name,
            1,
            "Retail-Staff",
            x_passphrase=DEMO_PASSPHRASES[3],
            wpa_mode="wpa3",
            wpa3_support=True,
        ),
        _wlan(
            store.name,
            2,
            "Shop Free WiFi",
            x_passphrase=DEMO_PASSPHRASES[4],
            is_guest=True,
            wlan_band="5g",
            wlan_bands=["5g"],
        ),
    ]
    store.networks = _networks(store.name, guest=True)
    lab = FakeSite("nwlab04", "Northwind Lab", None, wan="warning", vpn="unknown")
    lab.devices = _devices(rng, lab.name, n_switch=1, n_ap=3, offline=1)
    lab.wlans = [_wlan(lab.name, 1, "Lab", x_passphrase=DEMO_PASSPHRASES[5])]
    lab.networks = _networks(lab.name, guest=False)
    return [hq, warehouse, store, lab]
