"""Demo budgets: one awaiting Acme's approval, one Acme Retail approved (so the group view shows
both), one awaiting Globex's approval (in euros), built through the budgets service so totals,
history and notifications are real."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from portal.models import ActivityLog, Budget, Company, Project, User
from portal.models.base import utcnow
from portal.models.budget import BudgetCreate
from portal.tenancy import actor_for_user
from portal.validation import validated
from services.billing import budgets

# company slug -> (title, currency, project name or None, lines, approver email or None)
BUDGETS: dict[str, list[tuple[Any, ...]]] = {
    "acme": [
        (
            "Website phase 2: e-commerce",
            "USD",
            "Website redesign",
            [
                ("Product catalogue and checkout design", "1", "6800"),
                ("Shop integration (development days)", "14", "650"),
                ("Payment provider setup", "1", "1200"),
            ],
            None,
        ),
    ],
    "acme-retail": [
        (
            "Store launch: paid social",
            "USD",
            "Store launch campaign",
            [
                ("Campaign set-up and creative", "1", "2400"),
                ("Media management (weeks)", "6", "450"),
            ],
            "buyer@acme-retail.test",
        ),
    ],
    "globex": [
        (
            "Intranet migration: phase 3",
            "EUR",
            "Intranet migration",
            [
                ("Document library migration (days)", "8", "720"),
                ("Staff training sessions", "3", "450"),
            ],
            None,
        ),
    ],
}


def _backdate(session: Session, budget: Budget, *, after_id: int, approved: bool) -> None:
    """Demo history happens over days, not "just now": drafted 6 days ago, submitted 5 days
    ago, approved (where it is) 2 days ago."""
    now = utcnow()
    budget.created_at = now - timedelta(days=6)
    budget.submitted_at = now - timedelta(days=5)
    if approved:
        budget.decided_at = now - timedelta(days=2)
    session.add(budget)
    when = {"budget_created": 6, "budget_submitted": 5}
    rows = session.exec(
        select(ActivityLog).where(col(ActivityLog.id) > after_id).order_by(col(ActivityLog.id))
    ).all()
    for row in rows:
        row.created_at = now - timedelta(days=when.get(row.action, 2))
        session.add(row)
    session.flush()


def load_demo_budgets(session: Session, *, companies: dict[str, Company], staff: User) -> bool:
    """Create the demo budgets that are missing (by title per company)."""
    actor = actor_for_user(session, staff)
    created = False
    for slug, specs in BUDGETS.items():
        company = companies.get(slug)
        if company is None or company.id is None:
            continue
        titles = set(session.exec(select(Budget.title).where(Budget.company_id == company.id)))
        for title, currency, project_name, lines, approver in specs:
            if title in titles:
                continue
            project_id = session.exec(
                select(Project.id).where(
                    Project.company_id == company.id, Project.name == project_name
                )
            ).first()
            data = validated(
                BudgetCreate,
                {
                    "title": title,
                    "currency": currency,
                    "project_id": project_id,
                    "lines": [
                        {"description": d, "quantity": q, "unit_price": p} for d, q, p in lines
                    ],
                },
            )
            first_row = session.exec(select(func.max(ActivityLog.id))).one() or 0
            budget = budgets.create_budget(session, actor=actor, company_id=company.id, data=data)
            assert budget.id is not None
            budgets.submit_budget(session, actor=actor, budget_id=budget.id)
            person = (
                session.exec(select(User).where(User.email == approver)).first()
                if approver
                else None
            )
            if person is not None:
                budgets.approve_budget(
                    session, actor=actor_for_user(session, person), budget_id=budget.id
                )
            _backdate(session, budget, after_id=first_row, approved=person is not None)
            created = True
    return created
