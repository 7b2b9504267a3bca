from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.models import ActivityLog, Notification
from portal.models.budget import BudgetDecline, BudgetUpdate
from portal.tenancy import actor_for_user
from portal.validation import validated
from services.billing import budgets as service
from services.billing.budget_queries import api_budgets, budget_detail
from tests.factories.billing import make_budget


def _types(db, user) -> list[str]:
    return [
        n.type for n in db.exec(select(Notification).where(Notification.user_id == user.id)).all()
    ]


def test_lines_total_in_minor_units_rounded_half_up(db, tenants) -> None:
    budget = make_budget(db, tenants.staff_admin, tenants.acme, submit=False)
    # 2 x 1500.005 = 3000.01 (half-up), 12.5 x 80 = 1000.00
    assert budget.total_minor == 400001 and budget.total == Decimal("4000.01")
    jpy = make_budget(
        db,
        tenants.staff_admin,
        tenants.acme,
        submit=False,
        currency="JPY",
        lines=[{"description": "Shoot", "quantity": "1", "unit_price": "999.5"}],
    )
    assert jpy.total == Decimal(1000) and jpy.fmt(jpy.total) == "¥1,000"


def test_submit_then_approve_logs_history_and_notifies(db, tenants) -> None:
    budget = make_budget(db, tenants.pm, tenants.acme, submit=False)
    staff = actor_for_user(db, tenants.staff_admin)
    service.update_budget(
        db, actor=staff, budget_id=budget.id, data=BudgetUpdate(title="Spring campaign v2")
    )
    service.submit_budget(db, actor=staff, budget_id=budget.id)
    assert budget.status == "pending_approval" and budget.submitted_at is not None
    assert "budget_pending_approval" in _types(db, tenants.acme_viewer)
    with pytest.raises(Conflict):
        service.submit_budget(db, actor=staff, budget_id=budget.id)
    with pytest.raises(Conflict):
        service.update_budget(db, actor=staff, budget_id=budget.id, data=BudgetUpdate(title="x"))

    collab = actor_for_user(db, tenants.acme_collab)
    service.approve_budget(db, actor=collab, budget_id=budget.id)
    assert budget.status == "approved" and budget.decided_by_id == tenants.acme_collab.id
    assert "budget_decided" in _types(db, tenants.pm)
    with pytest.raises(Conflict):
        service.approve_budget(db, actor=collab, budget_id=budget.id)
    actions = db.exec(select(ActivityLog.action).where(ActivityLog.object_id == budget.id)).all()
    assert {"budget_created", "budget_updated", "budget_submitted", "budget_approved"} <= set(
        actions
    )


def test_viewer_is_forbidden_and_decline_needs_a_reason(db, tenants) -> None:
    budget = make_budget(db, tenants.staff_admin, tenants.acme)
    with pytest.raises(Forbidden):
        service.approve_budget(
            db, actor=actor_for_user(db, tenants.acme_viewer), budget_id=budget.id
        )
    admin = actor_for_user(db, tenants.acme_admin)
    with pytest.raises(Invalid):
        validated(BudgetDecline, {"reason": "  "})
    with pytest.raises(Invalid):
        service.decline_budget(
            db, actor=admin, budget_id=budget.id, data=BudgetDecline.model_construct(reason="")
        )
    assert budget.status == "pending_approval"
    service.decline_budget(
        db, actor=admin, budget_id=budget.id, data=BudgetDecline(reason="Too expensive")
    )
    assert (budget.status, budget.decline_reason) == ("declined", "Too expensive")
    with pytest.raises(Conflict):
        service.approve_budget(db, actor=admin, budget_id=budget.id)


def test_clients_cannot_prepare_and_never_see_drafts(db, tenants) -> None:
    draft = make_budget(db, tenants.staff_admin, tenants.acme, submit=False)
    admin = actor_for_user(db, tenants.acme_admin)
    with pytest.raises(NotFound):
        service.submit_budget(db, actor=admin, budget_id=draft.id)
    with pytest.raises(NotFound):
        budget_detail(db, actor=admin, budget_id=draft.id)
    with pytest.raises(NotFound):
        service.approve_budget(db, actor=admin, budget_id=draft.id)
    rows, total = api_budgets(db, actor=admin)
    assert rows == [] and total == 0
    submitted = make_budget(db, tenants.staff_admin, tenants.acme)
    with pytest.raises(Forbidden):
        service.update_budget(db, actor=admin, budget_id=submitted.id, data=BudgetUpdate())
    other = make_budget(db, tenants.staff_admin, tenants.globex)
    with pytest.raises(NotFound):
        service.approve_budget(db, actor=admin, budget_id=other.id)
