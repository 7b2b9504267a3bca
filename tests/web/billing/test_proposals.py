from __future__ import annotations

import json

from sqlmodel import select

from portal.models import Invoice, Proposal
from tests.conftest import assert_both_ways
from tests.factories.billing import make_proposal

BASE = "/p/acme-test/invoices/proposals"


def _accept_form(user, version: int = 1, **extra) -> dict:
    return {"version": str(version), "typed_name": user.name, "consent": "on", **extra}


def test_list_and_detail_render_both_ways(client, login, db, tenants) -> None:
    proposal = make_proposal(db, tenants.pm, tenants.acme, terms="Net 30, prices exclude tax")
    login(tenants.acme_admin)
    _, part = assert_both_ways(client, BASE)
    assert "HQ network" in part and "$1,117.00" in part and "Awaiting decision" in part
    invoices = client.get("/p/acme-test/invoices").get_data(as_text=True)
    assert f'href="{BASE}"' in invoices  # the Invoices tab's sub-nav
    _, part = assert_both_ways(client, f"{BASE}/{proposal.id}")
    assert "Router" in part and "$738.00" in part and "$1,117.00" in part
    assert "Net 30, prices exclude tax" in part and "Accept proposal" in part
    assert "Decline proposal" in part and "Share new version" not in part
    activity = client.get("/p/acme-test/activity").get_data(as_text=True)
    assert f'href="{BASE}/{proposal.id}"' in activity  # the feed links to the proposal
    login(tenants.pm)
    _, part = assert_both_ways(client, f"{BASE}/{proposal.id}")
    assert "Share new version" in part and "Accept proposal" not in part


def test_client_admin_accepts_and_staff_find_the_invoice_draft(client, login, db, tenants) -> None:
    proposal = make_proposal(db, tenants.pm, tenants.acme)
    login(tenants.acme_admin)
    wrong = client.post(
        f"{BASE}/{proposal.id}/accept", data=_accept_form(tenants.acme_admin, consent="")
    )
    assert wrong.status_code == 422 and "Tick the box" in wrong.get_data(as_text=True)
    resp = client.post(f"{BASE}/{proposal.id}/accept", data=_accept_form(tenants.acme_admin))
    assert resp.status_code in (302, 303)
    page = client.get(f"{BASE}/{proposal.id}").get_data(as_text=True)
    assert "Accepted" in page and "Receipt" in page and "Accept proposal" not in page
    receipt = client.get(f"{BASE}/{proposal.id}/receipt")
    data = json.loads(receipt.get_data(as_text=True))
    assert data["accepted_by_name"] == tenants.acme_admin.name and len(data["sha256"]) == 64
    again = client.post(f"{BASE}/{proposal.id}/accept", data=_accept_form(tenants.acme_admin))
    assert again.status_code == 409
    db.refresh(proposal)
    assert proposal.invoice_id is None  # accepting records the decision only
    assert "Create invoice draft" not in page
    # the client cannot take the staff step
    assert client.post(f"{BASE}/{proposal.id}/invoice").status_code == 403
    login(tenants.staff_admin)
    page = client.get(f"{BASE}/{proposal.id}").get_data(as_text=True)
    assert "Create invoice draft" in page and 'id="proposal-invoice"' not in page
    resp = client.post(f"{BASE}/{proposal.id}/invoice")
    assert resp.status_code in (302, 303)
    db.refresh(proposal)
    invoice = db.get(Invoice, proposal.invoice_id)
    assert invoice is not None and invoice.status == "draft"
    page = client.get(f"{BASE}/{proposal.id}").get_data(as_text=True)
    assert invoice.number in page and "Create invoice draft" not in page
    twice = client.post(f"{BASE}/{proposal.id}/invoice")
    assert twice.status_code == 409 and "already has its invoice draft" in twice.get_data(
        as_text=True
    )
    # the client never sees the draft
    login(tenants.acme_admin)
    assert invoice.number not in client.get("/p/acme-test/invoices").get_data(as_text=True)
    assert invoice.number not in client.get(f"{BASE}/{proposal.id}").get_data(as_text=True)


def test_staff_cannot_draft_before_acceptance(client, login, db, tenants) -> None:
    proposal = make_proposal(db, tenants.pm, tenants.acme)
    login(tenants.staff_admin)
    assert "Create invoice draft" not in client.get(f"{BASE}/{proposal.id}").get_data(as_text=True)
    resp = client.post(f"{BASE}/{proposal.id}/invoice")
    assert resp.status_code == 409 and "Only an accepted proposal" in resp.get_data(as_text=True)
    db.refresh(proposal)
    assert proposal.invoice_id is None


def test_viewer_and_collaborator_cannot_decide(client, login, db, tenants) -> None:
    proposal = make_proposal(db, tenants.pm, tenants.acme)
    login(tenants.acme_viewer)
    page = client.get(f"{BASE}/{proposal.id}").get_data(as_text=True)
    assert "Accept proposal" not in page and "An admin of" in page
    resp = client.post(f"{BASE}/{proposal.id}/accept", data=_accept_form(tenants.acme_viewer))
    assert resp.status_code == 403
    login(tenants.acme_collab)
    resp = client.post(f"{BASE}/{proposal.id}/accept", data=_accept_form(tenants.acme_collab))
    assert resp.status_code == 403
    db.refresh(proposal)
    assert proposal.status == "awaiting"


def test_another_tenant_gets_404(client, login, db, tenants) -> None:
    proposal = make_proposal(db, tenants.pm, tenants.acme)
    login(tenants.globex_admin)
    for url in (f"/p/globex-test/invoices/proposals/{proposal.id}", f"{BASE}/{proposal.id}"):
        assert client.get(url).status_code == 404
    resp = client.post(
        f"/p/globex-test/invoices/proposals/{proposal.id}/accept",
        data=_accept_form(tenants.globex_admin),
    )
    assert resp.status_code == 404
    resp = client.post(f"/p/globex-test/invoices/proposals/{proposal.id}/invoice")
    assert resp.status_code == 404
    assert "HQ network" not in client.get("/p/globex-test/invoices/proposals").get_data(
        as_text=True
    )


def test_revising_makes_a_new_version_and_the_old_form_is_refused(
    client, login, db, tenants
) -> None:
    proposal = make_proposal(db, tenants.pm, tenants.acme)
    login(tenants.pm)
    resp = client.post(
        f"{BASE}/{proposal.id}",
        data={
            "title": "HQ network",
            "terms": "",
            "line_description": ["Router"],
            "line_quantity": ["2"],
            "line_unit_price": ["379"],
        },
    )
    assert resp.status_code in (302, 303)
    db.refresh(proposal)
    assert proposal.version == 2
    login(tenants.acme_admin)
    page = client.get(f"{BASE}/{proposal.id}").get_data(as_text=True)
    assert "version 2" in page and "$758.00" in page
    stale = client.post(f"{BASE}/{proposal.id}/accept", data=_accept_form(tenants.acme_admin))
    assert stale.status_code == 409 and "changed since you opened it" in stale.get_data(
        as_text=True
    )
    ok = client.post(f"{BASE}/{proposal.id}/accept", data=_accept_form(tenants.acme_admin, 2))
    assert ok.status_code in (302, 303)


def test_decline_with_a_reason(client, login, db, tenants) -> None:
    proposal = make_proposal(db, tenants.pm, tenants.acme)
    login(tenants.acme_admin)
    empty = client.post(f"{BASE}/{proposal.id}/decline", data={"version": "1", "reason": ""})
    assert empty.status_code == 422
    resp = client.post(
        f"{BASE}/{proposal.id}/decline", data={"version": "1", "reason": "Over budget"}
    )
    assert resp.status_code in (302, 303)
    page = client.get(f"{BASE}/{proposal.id}").get_data(as_text=True)
    assert "Declined" in page and "Over budget" in page
    assert db.exec(select(Proposal.status).where(Proposal.id == proposal.id)).one() == "declined"


def test_list_queries_stay_bounded(client, login, db, tenants, count_queries) -> None:
    for i in range(2):
        make_proposal(db, tenants.pm, tenants.acme, name=f"Deal {i}")
    login(tenants.acme_admin)
    with count_queries() as few:
        assert client.get(BASE).status_code == 200
    for i in range(8):
        make_proposal(db, tenants.pm, tenants.acme, name=f"More {i}")
    with count_queries() as many:
        assert client.get(BASE).status_code == 200
    assert many.count == few.count


def test_resubmitting_the_same_content_is_not_a_new_version(client, login, db, tenants) -> None:
    proposal = make_proposal(db, tenants.pm, tenants.acme)
    login(tenants.pm)
    same = client.post(
        f"{BASE}/{proposal.id}",
        data={
            "title": "HQ network",
            "terms": "",
            "line_description": ["Router", "Access point"],
            "line_quantity": ["1.000", "3"],
            "line_unit_price": ["379", "246.0"],
        },
    )
    assert same.status_code == 422 and "Nothing changed" in same.get_data(as_text=True)
    db.refresh(proposal)
    assert proposal.version == 1


def test_a_proposal_awaiting_a_decision_waits_on_the_deciders_dashboard(
    client, login, db, tenants
) -> None:
    """The dashboard's "Waiting for you" lists a proposal to those who may decide on it (client
    admins), with its total, and leaves it out once decided; viewers and collaborators, who
    cannot decide, are not asked."""
    proposal = make_proposal(db, tenants.pm, tenants.acme)
    login(tenants.acme_admin)
    page = client.get("/p/acme-test/dashboard").get_data(as_text=True)
    waiting = page.split('id="waiting-h"', 1)[1].split("</section>", 1)[0]
    assert "HQ network" in waiting and "Proposal awaiting your decision" in waiting
    assert f'href="{BASE}/{proposal.id}"' in waiting and "$1,117.00" in waiting
    for user in (tenants.acme_viewer, tenants.acme_collab):
        login(user)
        page = client.get("/p/acme-test/dashboard").get_data(as_text=True)
        assert "Proposal awaiting your decision" not in page
    login(tenants.acme_admin)
    client.post(f"{BASE}/{proposal.id}/accept", data=_accept_form(tenants.acme_admin))
    page = client.get("/p/acme-test/dashboard").get_data(as_text=True)
    assert "Proposal awaiting your decision" not in page
