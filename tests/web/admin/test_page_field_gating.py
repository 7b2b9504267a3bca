"""Field gating on staff pages: a role granted only some ``obj.<type>.<field>`` nodes sees only
those fields on the pages (the same registry as the API's ``gated()`` step)."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from portal.models import Portal, Role, UserRole
from tests.factories.catalog import add_line, make_item, make_opportunity
from tests.factories.network import make_site
from tests.factories.vault import make_credential, make_type

HIDDEN = 'class="withheld"'
PAGES = [
    "obj.company.*",
    "obj.user.*",
    "obj.catalogItem.*",
    "obj.credential.*",
    "obj.networkSite.*",
]
BASE = [
    "portal.all",
    "procurement.catalog.fetch.many",
    "credential.fetch",
    "credential.fetch.many",
    "network.read",
]


def _staff_with(db, make_user, *nodes: str):
    user = make_user(staff="custom", name="Rita Restricted")
    role = Role(name=f"r-{user.id}", permissions=list(nodes))
    db.add(role)
    db.flush()
    db.add(UserRole(user_id=user.id, role_id=role.id))
    db.flush()
    return user


def _get(client, path: str) -> str:
    resp = client.get(path)
    assert resp.status_code == 200, path
    return resp.get_data(as_text=True)


def test_a_name_only_role_sees_only_names(db, client, login, tenants, make_user) -> None:
    make_item(db, "Gateway X1", price="120.00", cost="77.00", vendor_sku="SKU-GATE-X1")
    router = make_type(db, tenants.staff_admin)
    make_credential(db, tenants.staff_admin, tenants.acme, router, name="Acme gateway")
    make_site(db, tenants.acme, name="Acme HQ site")
    names = [
        "obj.company.name",
        "obj.user.name",
        "obj.catalogItem.name",
        "obj.credential.name",
        "obj.networkSite.name",
    ]
    login(_staff_with(db, make_user, *BASE, *names))

    companies = _get(client, "/admin/companies/?q=Acme+Test")
    assert "Acme Test" in companies and "/p/acme-test" not in companies and HIDDEN in companies

    catalog = _get(client, "/admin/catalog/?q=Gateway+X1")
    assert "Gateway X1" in catalog
    assert "77.00" not in catalog and "120.00" not in catalog and "SKU-GATE-X1" not in catalog
    assert HIDDEN in catalog

    vault = _get(client, f"/admin/vault?company={tenants.acme.id}")
    assert "Acme gateway" in vault
    assert "192.168.1.1" not in vault and "Management IP" not in vault and HIDDEN in vault

    people = _get(client, f"/admin/people/?q={tenants.acme_admin.email}")
    assert tenants.acme_admin.display_name in people
    assert tenants.acme_admin.email.split("@")[0] + "@" not in people.replace(
        f'value="{tenants.acme_admin.email}"', ""
    )
    assert HIDDEN in people

    network = _get(client, f"/p/{tenants.acme.slug}/network")
    assert "Acme HQ site" in network and f"Synced <span {HIDDEN}" in network


def test_every_field_granted_shows_everything(db, client, login, tenants, make_user) -> None:
    make_item(db, "Gateway X1", price="120.00", cost="77.00", vendor_sku="SKU-GATE-X1")
    router = make_type(db, tenants.staff_admin)
    make_credential(db, tenants.staff_admin, tenants.acme, router, name="Acme gateway")
    login(_staff_with(db, make_user, *BASE, *PAGES))
    companies = _get(client, "/admin/companies/?q=Acme+Test")
    assert "/p/acme-test" in companies and HIDDEN not in companies
    catalog = _get(client, "/admin/catalog/?q=Gateway+X1")
    assert "77.00" in catalog and "SKU-GATE-X1" in catalog and HIDDEN not in catalog
    vault = _get(client, f"/admin/vault?company={tenants.acme.id}")
    assert "192.168.1.1" in vault and HIDDEN not in vault
    people = _get(client, f"/admin/people/?q={tenants.acme_admin.email}")
    assert HIDDEN not in people
    make_site(db, tenants.acme, name="Acme HQ site")
    network = _get(client, f"/p/{tenants.acme.slug}/network")
    assert "Acme HQ site" in network and HIDDEN not in network


# --- detail pages: company, role/person, portal settings, opportunities ------------------


def test_company_detail_shows_only_granted_fields(db, client, login, tenants, make_user) -> None:
    login(_staff_with(db, make_user, "portal.all", "obj.company.name"))
    page = _get(client, f"/admin/companies/{tenants.acme.id}")
    assert "Acme Test" in page and HIDDEN in page
    # the group (parent_id: its child Acme Retail) and the portal (portal_id) are withheld
    assert "Acme Retail Test" not in page and "/p/acme-test" not in page
    # the assigned PM is a user object: without obj.user.* neither name nor email shows
    assert tenants.pm.email not in page and tenants.pm.display_name not in page

    login(_staff_with(db, make_user, "portal.all", "obj.company.*", "obj.user.*"))
    page = _get(client, f"/admin/companies/{tenants.acme.id}")
    assert "Acme Retail Test" in page and "/p/acme-test" in page and HIDDEN not in page
    assert tenants.pm.display_name in page


def test_person_roles_page_gates_user_and_role_fields(
    db, client, login, tenants, make_user
) -> None:
    clerk = Role(name="Billing clerk", description="Sends the monthly invoices", permissions=[])
    db.add(clerk)
    db.flush()
    nodes = ("portal.all", "role.read", "obj.user.name", "obj.role.title")
    viewer = _staff_with(db, make_user, *nodes)
    login(viewer)
    page = _get(client, f"/admin/roles/people/{tenants.pm.id}")
    assert tenants.pm.display_name in page and HIDDEN in page
    assert tenants.pm.email not in page
    assert "Billing clerk" in page  # a role's title
    assert clerk.description not in page
    assert "sales.*" not in page  # effective nodes are roles' permissions

    roles = _get(client, "/admin/roles/")
    assert "Billing clerk" in roles and clerk.description not in roles
    assert tenants.pm.email not in roles and HIDDEN in roles and "sales.*" not in roles

    login(_staff_with(db, make_user, "portal.all", "role.read", "obj.user.*", "obj.role.*"))
    page = _get(client, f"/admin/roles/people/{tenants.pm.id}")
    assert tenants.pm.email in page and clerk.description in page and HIDDEN not in page
    assert "sales.*" in page


def test_portal_settings_gate_company_fields(db, client, login, tenants, make_user) -> None:
    portal = db.exec(select(Portal).where(Portal.company_id == tenants.globex.id)).one()
    portal.title = "Globex Client Space"
    db.add(portal)
    db.flush()
    login(_staff_with(db, make_user, "portal.all", "portal.create", "obj.company.id"))
    page = _get(client, f"/admin/portals/{portal.id}")
    assert "Globex Client Space" in page  # the portal's own title
    assert "Globex Test" not in page and HIDDEN in page  # its company's name

    new = _get(client, "/admin/portals/new")
    assert "Globex Test" not in new and "Acme Test" not in new

    login(_staff_with(db, make_user, "portal.all", "portal.create", "obj.company.*"))
    page = _get(client, f"/admin/portals/{portal.id}")
    assert "Globex Test" in page and HIDDEN not in page


def test_opportunities_page_gates_opportunity_fields(db, client, login, tenants, make_user) -> None:
    item = make_item(db, "Switch 48", price="1234.00")
    opp = make_opportunity(
        db,
        tenants.acme,
        "Branch rollout",
        stage="Quoted",
        expected_close_date=date(2031, 3, 14),
        sales_rep_id=tenants.pm.id,
    )
    add_line(db, opp, item, quantity="2")
    nodes = ["sales.opportunity.fetch", "sales.opportunity.fetch.many", "portal.all"]
    login(_staff_with(db, make_user, *nodes, "obj.opportunity.name", "obj.company.name"))
    listing = _get(client, "/admin/opportunities/")
    assert "Branch rollout" in listing and "Acme Test" in listing and HIDDEN in listing
    assert "2,468" not in listing and "14 Mar 2031" not in listing
    assert tenants.pm.display_name not in listing

    detail = _get(client, f"/admin/opportunities/{opp.id}")
    assert "Branch rollout" in detail and HIDDEN in detail
    assert "14 Mar 2031" not in detail and tenants.pm.display_name not in detail
    assert "2,468.00" not in detail.split('id="opportunity-total"')[1][:200]

    login(_staff_with(db, make_user, *nodes, "obj.opportunity.*", "obj.company.*", "obj.user.*"))
    listing = _get(client, "/admin/opportunities/")
    assert "14 Mar 2031" in listing and "2,468" in listing and HIDDEN not in listing
    detail = _get(client, f"/admin/opportunities/{opp.id}")
    assert "14 Mar 2031" in detail and tenants.pm.display_name in detail and HIDDEN not in detail


def test_opportunity_lines_and_proposal_totals_follow_the_total_field(
    db, client, login, tenants, make_user
) -> None:
    """Without ``obj.opportunity.total`` the lines' prices and amounts and the proposal
    versions' totals are hidden too (they add up to the total); names and quantities stay."""
    from portal.models.proposal import ProposalShare
    from portal.tenancy import actor_for_user
    from services.billing import proposals as proposal_service

    item = make_item(db, "Switch 48", price="1234.00")
    opp = make_opportunity(db, tenants.acme, "Branch rollout", stage="Quoted")
    add_line(db, opp, item, quantity="2")
    proposal_service.share_opportunity(
        db,
        actor=actor_for_user(db, tenants.staff_admin),
        opportunity_id=opp.id,
        data=ProposalShare(terms="Net 30"),
    )
    nodes = ["sales.opportunity.fetch", "sales.opportunity.fetch.many", "portal.all"]
    login(_staff_with(db, make_user, *nodes, "obj.opportunity.name", "obj.company.name"))
    for path in ("/admin/opportunities/", f"/admin/opportunities/{opp.id}"):
        page = _get(client, path)
        assert "1,234" not in page and "2,468" not in page, path
    detail = _get(client, f"/admin/opportunities/{opp.id}")
    assert "Switch 48" in detail and ">2<" in detail  # the line's name and quantity
    assert "Version 1" in detail and HIDDEN in detail

    login(_staff_with(db, make_user, *nodes, "obj.opportunity.*", "obj.company.*", "obj.user.*"))
    detail = _get(client, f"/admin/opportunities/{opp.id}")
    products = detail.split('id="products-h"', 1)[1].split("</section>", 1)[0]
    assert "1,234.00" in products and "2,468.00" in products and HIDDEN not in products
    proposals = detail.split('id="props-h"', 1)[1].split("</section>", 1)[0]
    assert "2,468.00" in proposals and HIDDEN not in proposals


def test_the_client_portals_proposal_page_gates_prices_for_staff_only(
    db, client, login, tenants, make_user
) -> None:
    """The proposal a client reads in their portal shows a staff viewer without
    ``obj.opportunity.total`` its lines and totals as "Hidden" (as the opportunities page
    does), and no revise form (it would show the prices); the client sees it whole."""
    from portal.models import Proposal
    from portal.models.proposal import ProposalAccept, ProposalShare
    from portal.tenancy import actor_for_user
    from services.billing import proposals as proposal_service

    item = make_item(db, "Switch 48", price="1234.00")
    opp = make_opportunity(db, tenants.acme, "Branch rollout", stage="Quoted")
    add_line(db, opp, item, quantity="2")
    proposal_service.share_opportunity(
        db,
        actor=actor_for_user(db, tenants.staff_admin),
        opportunity_id=opp.id,
        data=ProposalShare(terms="Net 30"),
    )
    proposal = db.exec(select(Proposal).where(Proposal.opportunity_id == opp.id)).one()
    listing, detail = (
        "/p/acme-test/invoices/proposals",
        f"/p/acme-test/invoices/proposals/{proposal.id}",
    )
    nodes = ["sales.opportunity.fetch", "sales.opportunity.fetch.many", "sales.proposal.share"]
    restricted = _staff_with(db, make_user, "portal.all", *nodes, "obj.opportunity.name")
    login(restricted)
    for path in (listing, detail):
        page = _get(client, path)
        assert "1,234" not in page and "2,468" not in page, path
        assert HIDDEN in page and "Branch rollout" in page, path
    page = _get(client, detail)
    assert "Switch 48" in page and 'id="revise-btn"' not in page
    login(_staff_with(db, make_user, "portal.all", *nodes, "obj.opportunity.total"))
    assert 'id="revise-btn"' in _get(client, detail)  # prices shown: revisable
    login(restricted)
    revised = client.post(
        detail,
        data={
            "title": "Cheaper",
            "line_description": "X",
            "line_quantity": "1",
            "line_unit_price": "1",
        },
    )
    assert revised.status_code == 403  # a revision sets prices it would not show
    proposal_service.accept_proposal(
        db,
        actor=actor_for_user(db, tenants.acme_admin),
        proposal_id=proposal.id,
        data=ProposalAccept(version=1, typed_name=tenants.acme_admin.name, consent=True),
    )
    page = _get(client, detail)
    assert 'id="accepted-callout"' in page and "receipt-link" not in page
    assert HIDDEN in page and "2,468" not in page  # the history names no amount either
    assert client.get(f"{detail}/receipt").status_code == 403  # it repeats the prices

    login(_staff_with(db, make_user, "portal.all", *nodes, "obj.opportunity.*"))
    page = _get(client, detail)
    assert "1,234.00" in page and "2,468.00" in page and HIDDEN not in page
    assert "receipt-link" in page and client.get(f"{detail}/receipt").status_code == 200
    assert "2,468.00" in _get(client, listing)

    login(tenants.acme_admin)  # field gating is a staff mechanism: the client reads it whole
    for path in (listing, detail):
        page = _get(client, path)
        assert "2,468.00" in page and HIDDEN not in page, path
    assert "1,234.00" in _get(client, detail)
