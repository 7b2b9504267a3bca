"""Network tab: site health, devices and WiFi networks from the last controller snapshot;
the passphrase reveal (audited); staff link and unlink sites to the portal's company."""

from __future__ import annotations

from flask import Response, flash, request, url_for

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.principal import current_actor
from portal.web.args import arg_int, page_arg
from portal.web.htmx import hx_redirect, render_fragment, render_page
from services import network as service
from services.network.queries import (
    STATES,
    TYPE_LABELS,
    TYPE_PLURALS,
    TYPES,
    network_tab,
)
from services.portals.grants import set_client_grant

bp = portal_blueprint("network", __name__)
TEMPLATE = "network/index.html"


@bp.get("/network")
def index() -> Response:
    ctx = portal_ctx()
    # The group's actor: a parent company's portal shows its children's sites too.
    tab = network_tab(
        session=get_session(),
        actor=ctx.actor,
        company=ctx.company,
        site_id=arg_int(request.args, "site", minimum=1),
        state=request.args.get("state", ""),
        type=request.args.get("type", ""),
        q=request.args.get("q", ""),
        page=page_arg(request.args),
    )
    return render_page(
        TEMPLATE,
        ctx=ctx,
        tab=tab,
        states=STATES,
        types=TYPES,
        type_labels=TYPE_LABELS,
        type_plurals=TYPE_PLURALS,
        active_tab="network",
        page_title="Network",
    )


@bp.post("/network/sites/<int:site_id>/wifi/<int:wlan_id>/passphrase")
def reveal(site_id: int, wlan_id: int) -> Response:
    wlan, passphrase = service.reveal_passphrase(
        session=get_session(), actor=portal_ctx().actor, site_id=site_id, wlan_id=wlan_id
    )
    return render_fragment(TEMPLATE, "passphrase", wlan=wlan, passphrase=passphrase)


@bp.post("/network/link")
def link() -> Response:
    ctx = portal_ctx()
    site = service.link_site(
        session=get_session(),
        actor=current_actor(),
        site_id=arg_int(request.form, "site_id", minimum=1) or 0,
        company_id=ctx.portal.company_id,
    )
    flash(f"{site.name} is now linked to {ctx.company.name}.", "success")
    return hx_redirect(url_for("network.index", site=site.id))


@bp.post("/network/sites/<int:site_id>/unlink")
def unlink(site_id: int) -> Response:
    ctx = portal_ctx()
    site = service.unlink_site(session=get_session(), actor=ctx.actor, site_id=site_id)
    flash(f"{site.name} is no longer linked to {ctx.company.name}.", "success")
    return hx_redirect(url_for("network.index"))


@bp.post("/network/client-access")
def client_access() -> Response:
    """Staff let the company's client admins reveal WiFi passphrases (or stop them)."""
    ctx = portal_ctx()
    granted = request.form.get("reveal") == "on"
    set_client_grant(
        session=get_session(),
        actor=current_actor(),
        company_id=ctx.portal.company_id,
        role="admin",
        node=service.REVEAL_NODE,
        granted=granted,
    )
    flash(
        f"{ctx.company.name}'s admins {'may now' if granted else 'can no longer'} reveal "
        "WiFi passphrases.",
        "success",
    )
    return hx_redirect(url_for("network.index"))
