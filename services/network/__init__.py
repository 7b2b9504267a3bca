"""Network (SPEC §5.8): linking controller sites to companies and revealing WiFi passphrases.

The read side is in ``queries``; the controller and the background sync in ``connector`` and
``sync``.
"""

from __future__ import annotations

from sqlmodel import Session, select

from portal.errors import NotFound
from portal.models import Company
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.network import NetworkSite, NetworkWlan
from portal.tenancy import Actor, get_for_actor, require_staff
from services.events.activity import record
from services.network.queries import ensure_can_reveal, get_site
from services.network.sync import wlan_secrets

LINK_NODE = "network.sites.link"
REVEAL_NODE = "network.wifi.read.passphrase"


def link_site(*, session: Session, actor: Actor, site_id: int, company_id: int) -> NetworkSite:
    """Link a site to a company (staff with ``network.sites.link``); the company's portal,
    and its parent's, then show it."""
    require_staff(actor, LINK_NODE, "Only the agency can link network sites.")
    site = get_for_actor(session, NetworkSite, site_id, actor)
    company = get_for_actor(session, Company, company_id, actor)
    site.company_id = company.id
    site.updated_at = utcnow()
    session.add(site)
    record(
        session,
        actor=actor,
        company_id=company.id,
        action=Action.network_site_linked,
        object_type="network_site",
        object_id=site.id,
        object_label=site.name,
        description=f"{actor.label} linked the network site {site.name} to {company.name}",
    )
    session.flush()
    return site


def unlink_site(*, session: Session, actor: Actor, site_id: int) -> NetworkSite:
    """Unlink a site from its company (staff with ``network.sites.link``)."""
    require_staff(actor, LINK_NODE, "Only the agency can unlink network sites.")
    site = get_for_actor(session, NetworkSite, site_id, actor)
    previous = site.company_id
    site.company_id = None
    site.updated_at = utcnow()
    session.add(site)
    if previous is not None:
        record(
            session,
            actor=actor,
            company_id=previous,
            action=Action.network_site_unlinked,
            object_type="network_site",
            object_id=site.id,
            object_label=site.name,
            description=f"{actor.label} unlinked the network site {site.name}",
        )
    session.flush()
    return site


def reveal_passphrase(
    *, session: Session, actor: Actor, site_id: int, wlan_id: int
) -> tuple[NetworkWlan, str]:
    """A WiFi network's passphrase, for an actor holding ``network.wifi.read.passphrase``;
    each reveal writes an audit row (who, when, which network)."""
    site = get_site(session=session, actor=actor, site_id=site_id)
    wlan = session.exec(
        select(NetworkWlan).where(NetworkWlan.id == wlan_id, NetworkWlan.site_id == site.id)
    ).first()
    if wlan is None:
        raise NotFound()
    ensure_can_reveal(actor)
    passphrase = str(wlan_secrets(wlan).get("passphrase") or "")
    record(
        session,
        actor=actor,
        company_id=site.company_id,
        action=Action.wifi_passphrase_revealed,
        object_type="network_wlan",
        object_id=wlan.id,
        object_label=f"{wlan.name} ({site.name})",
        description=f"{actor.label} revealed the passphrase of {wlan.name} at {site.name}",
    )
    return wlan, passphrase
