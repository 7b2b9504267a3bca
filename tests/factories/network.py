"""Network sites with a snapshot, built the way a sync stores them (no controller needed)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session

from portal.models import Company
from portal.models.network import NetworkSite
from services.demo.network import snapshot_of
from services.demo.network_controller import DEMO_PASSPHRASES, demo_controller_sites
from services.network.sync import apply_snapshot


def make_site(
    db: Session,
    company: Company | None,
    *,
    name: str | None = None,
    devices: int | None = None,
    template: str = "acmehq01",
    **fields: Any,
) -> NetworkSite:
    """A site with the demo controller's data of ``template`` (``devices`` trims or repeats it)."""
    fake = next(s for s in demo_controller_sites() if s.name == template)
    raw_devices = list(fake.devices)
    if devices is not None:
        raw_devices = [
            {
                **raw_devices[i % len(raw_devices)],
                "mac": f"02:00:00:00:{i // 256:02x}:{i % 256:02x}",
            }
            for i in range(devices)
        ]
    site = NetworkSite(
        controller_site=f"s{uuid.uuid4().hex[:10]}",
        name=name or fake.desc,
        company_id=company.id if company else None,
        **fields,
    )
    db.add(site)
    db.flush()
    apply_snapshot(session=db, site=site, snapshot=snapshot_of(fake, raw_devices))
    return site


__all__ = ["DEMO_PASSPHRASES", "make_site"]
