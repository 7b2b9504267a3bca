from __future__ import annotations

from sqlmodel import func, select

from portal.models import Budget, Company, User
from portal.tenancy import actor_for_user
from services.billing.budget_queries import api_budgets


def test_demo_budgets_pending_for_acme_and_globex_approved_for_retail(app, db) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    count = db.exec(select(func.count()).select_from(Budget)).one()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert db.exec(select(func.count()).select_from(Budget)).one() == count == 3
    slugs = {c.id: c.slug for c in db.exec(select(Company)).all()}
    by_company = {slugs[b.company_id]: b for b in db.exec(select(Budget)).all()}
    assert by_company["acme"].status == "pending_approval"
    assert by_company["acme"].project_id is not None
    assert by_company["acme-retail"].status == "approved"
    assert by_company["acme-retail"].decided_by_name == "Bruno Buyer"
    assert by_company["globex"].status == "pending_approval"
    assert by_company["globex"].currency == "EUR"
    owner = db.exec(select(User).where(User.email == "owner@acme.test")).one()
    rows, total = api_budgets(db, actor=actor_for_user(db, owner))
    assert total == 2  # the group view shows both
