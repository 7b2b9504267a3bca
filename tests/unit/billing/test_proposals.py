from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import func, select

from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.models import ActivityLog, Invoice, InvoiceLine, Notification
from portal.models.budget import BudgetLineIn
from portal.models.proposal import (
    ProposalAccept,
    ProposalDecline,
    ProposalDocument,
    ProposalRevise,
    ProposalShare,
)
from portal.tenancy import Actor, actor_for_user
from services.billing import proposals as service
from tests.factories.catalog import add_line, make_item, make_opportunity


def _shared(db, tenants, *, valid_until=None, terms="Net 30"):
    opp = make_opportunity(db, tenants.acme, "HQ network")
    add_line(db, opp, make_item(db, "Router", price="379.00"), quantity="1")
    add_line(db, opp, make_item(db, "Access point"), quantity="3", unit_price="159.995")
    add_line(db, opp, make_item(db, "Cable"), quantity="7", unit_price="0.333")
    staff = actor_for_user(db, tenants.pm)
    proposal = service.share_opportunity(
        db,
        actor=staff,
        opportunity_id=opp.id,
        data=ProposalShare(terms=terms, valid_until=valid_until),
    )
    return opp, proposal


def _accept(db, user, proposal, version=None, name=None):
    return service.accept_proposal(
        db,
        actor=actor_for_user(db, user),
        proposal_id=proposal.id,
        data=ProposalAccept(
            version=version or proposal.version, typed_name=name or user.name, consent=True
        ),
        ip_address="198.51.100.4",
        user_agent="pytest",
    )


def _types(db, user) -> list[str]:
    return list(db.exec(select(Notification.type).where(Notification.user_id == user.id)).all())


def test_totals_are_the_exact_sum_of_the_lines(db, tenants) -> None:
    _, proposal = _shared(db, tenants)
    version = service.latest_version(db, proposal)
    doc = version.document
    # 379.00 + 3 x 159.995 (=479.985 -> 479.99) + 7 x 0.333 (=2.331 -> 2.33)
    assert [line.total for line in doc.lines] == [
        Decimal("379.00"),
        Decimal("479.99"),
        Decimal("2.33"),
    ]
    assert doc.total == sum(line.total for line in doc.lines) == Decimal("861.32")
    assert version.total == Decimal("861.32")
    assert version.sha256 == ProposalDocument.hash_of(version.content)
    assert json.loads(version.content)["total"] == "861.32"


def test_share_notifies_the_client_and_logs(db, tenants) -> None:
    _, proposal = _shared(db, tenants)
    assert "proposal_shared" in _types(db, tenants.acme_admin)
    assert "proposal_shared" in _types(db, tenants.acme_viewer)
    assert "proposal_shared" not in _types(db, tenants.globex_admin)
    actions = db.exec(select(ActivityLog.action).where(ActivityLog.object_id == proposal.id)).all()
    assert "proposal_shared" in actions


def _draft(db, user, proposal):
    return service.draft_invoice_from_proposal(
        session=db, actor=actor_for_user(db, user), proposal_id=proposal.id
    )


def test_accept_makes_a_receipt_and_no_invoice_yet(db, tenants) -> None:
    _, proposal = _shared(db, tenants)
    before = db.exec(select(func.count()).select_from(Invoice)).one()
    receipt = _accept(db, tenants.acme_admin, proposal)
    version = service.latest_version(db, proposal)
    assert proposal.status == "accepted"
    assert receipt.sha256 == version.sha256 and receipt.version_number == 1
    assert receipt.typed_name == tenants.acme_admin.name and receipt.total == "861.32"
    assert proposal.invoice_id is None
    assert db.exec(select(func.count()).select_from(Invoice)).one() == before
    assert "proposal_accepted" in _types(db, tenants.pm)
    doc = service.acceptance_document(receipt)
    assert doc["sha256"] == version.sha256 and doc["accepted_by_email"] == tenants.acme_admin.email


def test_staff_draft_the_invoice_from_the_accepted_version(db, tenants) -> None:
    _, proposal = _shared(db, tenants)
    _accept(db, tenants.acme_admin, proposal)
    invoice = _draft(db, tenants.staff_admin, proposal)
    assert proposal.invoice_id == invoice.id
    assert invoice.status == "draft" and invoice.company_id == tenants.acme.id
    assert invoice.total == Decimal("861.32")
    lines = db.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)).all()
    assert [line.description for line in lines] == ["Router", "Access point", "Cable"]
    assert tenants.acme_admin.name in invoice.notes
    logged = db.exec(
        select(ActivityLog.description).where(ActivityLog.object_id == invoice.id)
    ).all()
    assert any("from the accepted proposal" in text for text in logged)
    # the client's own view of the proposal never reveals the draft
    detail = service.proposal_detail(
        db, actor=actor_for_user(db, tenants.acme_admin), proposal_id=proposal.id
    )
    assert detail.invoice is None and not detail.can_draft_invoice


def test_drafting_twice_is_409(db, tenants) -> None:
    _, proposal = _shared(db, tenants)
    _accept(db, tenants.acme_admin, proposal)
    first = _draft(db, tenants.staff_admin, proposal)
    with pytest.raises(Conflict) as exc:
        _draft(db, tenants.staff_admin, proposal)
    assert exc.value.code == "proposal_already_invoiced"
    assert proposal.invoice_id == first.id


def test_drafting_before_acceptance_is_409(db, tenants) -> None:
    _, proposal = _shared(db, tenants)
    with pytest.raises(Conflict) as exc:
        _draft(db, tenants.staff_admin, proposal)
    assert exc.value.code == "proposal_not_accepted"
    assert proposal.invoice_id is None


def test_a_client_cannot_draft_the_invoice(db, tenants) -> None:
    _, proposal = _shared(db, tenants)
    _accept(db, tenants.acme_admin, proposal)
    with pytest.raises(Forbidden):
        _draft(db, tenants.acme_admin, proposal)
    with pytest.raises(NotFound):
        _draft(db, tenants.globex_admin, proposal)
    no_billing = Actor(kind="staff", company_ids=None, nodes=frozenset(), label="Sales only")
    with pytest.raises(Forbidden):
        service.draft_invoice_from_proposal(session=db, actor=no_billing, proposal_id=proposal.id)
    assert proposal.invoice_id is None


def test_accepting_twice_is_409(db, tenants) -> None:
    _, proposal = _shared(db, tenants)
    _accept(db, tenants.acme_admin, proposal)
    with pytest.raises(Conflict) as exc:
        _accept(db, tenants.acme_admin, proposal)
    assert exc.value.code == "already_accepted"


def test_only_a_client_admin_decides(db, tenants) -> None:
    _, proposal = _shared(db, tenants)
    for user in (tenants.acme_viewer, tenants.acme_collab, tenants.staff_admin):
        with pytest.raises(Forbidden):
            _accept(db, user, proposal)
        with pytest.raises(Forbidden):
            service.decline_proposal(
                db,
                actor=actor_for_user(db, user),
                proposal_id=proposal.id,
                data=ProposalDecline(version=1, reason="No"),
            )
    assert proposal.status == "awaiting"


def test_another_tenant_gets_404(db, tenants) -> None:
    _, proposal = _shared(db, tenants)
    with pytest.raises(NotFound):
        _accept(db, tenants.globex_admin, proposal)
    with pytest.raises(NotFound):
        service.proposal_detail(
            db, actor=actor_for_user(db, tenants.globex_admin), proposal_id=proposal.id
        )
    with pytest.raises(NotFound):
        service.receipt_file(
            db, actor=actor_for_user(db, tenants.globex_admin), proposal_id=proposal.id
        )


def test_a_change_makes_a_new_version_and_the_old_one_cannot_be_accepted(db, tenants) -> None:
    _, proposal = _shared(db, tenants)
    first = service.latest_version(db, proposal)
    service.revise_proposal(
        db,
        actor=actor_for_user(db, tenants.pm),
        proposal_id=proposal.id,
        data=ProposalRevise(
            lines=[BudgetLineIn(description="Router", quantity=Decimal(2), unit_price=Decimal(379))]
        ),
    )
    second = service.latest_version(db, proposal)
    assert proposal.version == 2 and second.sha256 != first.sha256
    assert second.total == Decimal("758.00")
    with pytest.raises(Conflict) as exc:
        _accept(db, tenants.acme_admin, proposal, version=1)
    assert exc.value.code == "proposal_changed"
    receipt = _accept(db, tenants.acme_admin, proposal, version=2)
    assert receipt.sha256 == second.sha256
    # an accepted proposal is frozen
    with pytest.raises(Conflict):
        service.revise_proposal(
            db,
            actor=actor_for_user(db, tenants.pm),
            proposal_id=proposal.id,
            data=ProposalRevise(terms="Changed"),
        )


def test_decline_needs_a_reason_and_a_new_version_reopens(db, tenants) -> None:
    opp, proposal = _shared(db, tenants)
    admin = actor_for_user(db, tenants.acme_admin)
    with pytest.raises(Invalid):
        service.decline_proposal(
            db, actor=admin, proposal_id=proposal.id, data=ProposalDecline(version=1, reason=" ")
        )
    service.decline_proposal(
        db, actor=admin, proposal_id=proposal.id, data=ProposalDecline(version=1, reason="Pricey")
    )
    assert proposal.status == "declined"
    assert "proposal_declined" in _types(db, tenants.pm)
    with pytest.raises(Conflict):
        _accept(db, tenants.acme_admin, proposal)
    # sharing the opportunity again is version 2, awaiting a decision again
    again = service.share_opportunity(
        db, actor=actor_for_user(db, tenants.pm), opportunity_id=opp.id, data=ProposalShare()
    )
    assert again.id == proposal.id and again.version == 2 and again.status == "awaiting"
    _accept(db, tenants.acme_admin, again)


def test_an_expired_proposal_cannot_be_accepted(db, tenants) -> None:
    _, proposal = _shared(db, tenants, valid_until=date.today())
    version = service.latest_version(db, proposal)
    version.valid_until = date.today() - timedelta(days=1)
    db.add(version)
    db.flush()
    with pytest.raises(Conflict) as exc:
        _accept(db, tenants.acme_admin, proposal)
    assert exc.value.code == "proposal_expired"
    assert proposal.invoice_id is None


def test_typed_name_and_consent_are_required(db, tenants) -> None:
    _, proposal = _shared(db, tenants)
    with pytest.raises(Invalid) as exc:
        service.accept_proposal(
            db,
            actor=actor_for_user(db, tenants.acme_admin),
            proposal_id=proposal.id,
            data=ProposalAccept(version=1, typed_name="Someone Else", consent=False),
        )
    assert set(exc.value.errors) == {"typed_name", "consent"}


def test_staff_without_the_node_cannot_share(db, tenants, make_user) -> None:
    opp = make_opportunity(db, tenants.acme)
    add_line(db, opp, make_item(db))
    with pytest.raises(Forbidden):
        service.share_opportunity(
            db,
            actor=actor_for_user(db, tenants.acme_admin),
            opportunity_id=opp.id,
            data=ProposalShare(),
        )
    empty = make_opportunity(db, tenants.acme, "Empty")
    with pytest.raises(Conflict):
        service.share_opportunity(
            db, actor=actor_for_user(db, tenants.pm), opportunity_id=empty.id, data=ProposalShare()
        )
    foreign = make_opportunity(db, tenants.globex, "Globex deal")
    add_line(db, foreign, make_item(db))
    with pytest.raises(NotFound):
        service.share_opportunity(
            db,
            actor=actor_for_user(db, tenants.pm),
            opportunity_id=foreign.id,
            data=ProposalShare(),
        )


def test_decisions_reach_webhooks(db, tenants) -> None:
    from portal.models import WebhookDelivery, WebhookSubscription

    sub = WebhookSubscription(
        url="https://hooks.example.test/crm",
        events=["proposal_shared", "proposal_accepted"],
        company_id=tenants.acme.id,
        secret_encrypted="x",
    )
    db.add(sub)
    db.flush()
    _, proposal = _shared(db, tenants)
    _accept(db, tenants.acme_admin, proposal)
    events = db.exec(
        select(WebhookDelivery.event).where(WebhookDelivery.subscription_id == sub.id)
    ).all()
    assert sorted(events) == ["proposal_accepted", "proposal_shared"]
