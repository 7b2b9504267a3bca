from __future__ import annotations

from sqlmodel import func, select

from portal.models import Company, Invoice, Proposal, ProposalAcceptance


def test_demo_proposals_awaiting_for_acme_accepted_for_globex(app, db) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert db.exec(select(func.count()).select_from(Proposal)).one() == 2
    slugs = {c.id: c.slug for c in db.exec(select(Company)).all()}
    by_company = {slugs[p.company_id]: p for p in db.exec(select(Proposal)).all()}
    assert by_company["acme"].status == "awaiting"
    globex = by_company["globex"]
    assert globex.status == "accepted"
    receipt = db.exec(
        select(ProposalAcceptance).where(ProposalAcceptance.proposal_id == globex.id)
    ).one()
    assert receipt.typed_name == "Gloria Globex"
    invoice = db.get(Invoice, globex.invoice_id)
    assert invoice is not None and invoice.status == "draft"
    assert invoice.company_id == globex.company_id
