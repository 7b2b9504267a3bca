"""Demo network sites: Acme two, Acme Retail one, one site not linked yet, Globex none.

The demo loads the fake controller's data set (services/demo/network_controller.py) as a
snapshot through the connector's parsers and the sync's :func:`apply_snapshot`: the tab shows
exactly what a sync from that controller would, before any sync ran (and without a controller).
``make run`` then starts that fake controller and the periodic sync reads it; with
``NETWORK_CONTROLLER_URL`` set it syncs from that controller instead.
"""

from __future__ import annotations

from sqlmodel import Session, select

from portal.models import Company
from portal.models.network import NetworkSite
from services.demo.network_controller import FakeSite, demo_controller_sites
from services.network.connector import (
    SiteSnapshot,
    parse_device,
    parse_groups,
    parse_health,
    parse_network,
    parse_wlan,
)
from services.network.sync import apply_snapshot


def snapshot_of(fake: FakeSite, devices: list[dict] | None = None) -> SiteSnapshot:
    """What a sync from the fake controller stores for ``fake`` (``devices`` replaces its own)."""
    return SiteSnapshot(
        health=parse_health(fake.health()),
        sysinfo=fake.sysinfo(),
        networks=[parse_network(n) for n in fake.networks],
        devices=[parse_device(d) for d in (fake.devices if devices is None else devices)],
        wlans=[parse_wlan(w) for w in fake.wlans],
        groups=parse_groups(fake.wlan_groups(), fake.ap_groups(), fake.speed_profiles()),
    )


def load_demo_network(session: Session, companies: dict[str, Company]) -> bool:
    created = False
    for fake in demo_controller_sites():
        if session.exec(
            select(NetworkSite.id).where(NetworkSite.controller_site == fake.name)
        ).first():
            continue
        company = companies.get(fake.company_slug) if fake.company_slug else None
        site = NetworkSite(
            controller_site=fake.name,
            name=fake.desc,
            company_id=company.id if company else None,
        )
        session.add(site)
        session.flush()
        apply_snapshot(session=session, site=site, snapshot=snapshot_of(fake))
        created = True
    return created
