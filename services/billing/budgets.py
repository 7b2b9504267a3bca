"""Budgets through their life (SPEC §5.6, reference 000 Budgets).

draft --submit--> pending_approval --approve--> approved | --decline (reason)--> declined.
Staff holding ``budget.write`` draft, edit and submit; a client collaborator or admin decides
(a viewer gets 403, deciding twice 409). Every step is logged in the history; submitting
notifies the company's contacts (``budget_pending_approval``), a decision the portal's managers
and the budget's author (``budget_decided``).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from portal.errors import Conflict, Invalid
from portal.models import Company, Note, PortalManager, User
from portal.models.activity import INTERNAL_BUDGET_ACTIVITY, Action
from portal.models.base import utcnow
from portal.models.billing import format_amount, round_money, to_minor
from portal.models.budget import (
    Budget,
    BudgetCreate,
    BudgetDecline,
    BudgetLine,
    BudgetLineIn,
    BudgetStatus,
    BudgetUpdate,
)
from portal.models.note import NoteCreate
from portal.models.user import ClientRole
from portal.tenancy import Actor, get_for_actor, require_client_role, require_staff
from services import notes
from services.billing import documents
from services.billing.documents import (
    check_new_document,
    contact_ids,
    has_lines,
    lock,
    portal_path,
    replace_lines,
    stored_lines,
)
from services.events import activity
from services.events.notifications import notify

B = BudgetStatus
WRITE_NODE = "budget.write"

notes.register_resource("budget", Budget, "title")


def _require_budget_staff(actor: Actor) -> None:
    require_staff(actor, WRITE_NODE, "Only the agency's staff can prepare budgets.")


def get_budget(session: Session, *, actor: Actor, budget_id: object) -> Budget:
    """A budget the actor may see (a client never sees a draft: ``Budget.__staff_only__``)."""
    return get_for_actor(session, Budget, budget_id, actor)


def _set_lines(session: Session, budget: Budget, lines: list[BudgetLineIn]) -> None:
    """Replace the budget's lines and recompute its total (each line rounded half-up)."""
    assert budget.id is not None
    total, rows = 0, []
    for position, line in enumerate(lines):
        amount = to_minor(
            round_money(line.quantity * line.unit_price, budget.currency), budget.currency
        )
        total += amount
        rows.append(
            BudgetLine(
                budget_id=budget.id,
                company_id=budget.company_id,
                position=position,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount_minor=amount,
            )
        )
    replace_lines(session, BudgetLine.budget_id, budget.id, rows)
    budget.total_minor = total


def _current_lines(session: Session, budget: Budget) -> list[BudgetLineIn]:
    assert budget.id is not None
    return [
        BudgetLineIn(description=r.description, quantity=r.quantity, unit_price=r.unit_price)
        for r in stored_lines(session, BudgetLine.budget_id, budget.id)
    ]


def _log(session: Session, actor: Actor, budget: Budget, action: Action, text: str) -> None:
    """History of a budget; steps on a draft stay staff-only."""
    activity.record(
        session,
        actor=actor,
        company_id=budget.company_id,
        action=action,
        object_type=INTERNAL_BUDGET_ACTIVITY if budget.status == B.draft else "budget",
        object_id=budget.id,
        object_label=budget.title,
        description=text,
    )


def create_budget(session: Session, *, actor: Actor, company_id: int, data: BudgetCreate) -> Budget:
    """A new draft for ``company_id`` (staff with ``budget.write``)."""
    _require_budget_staff(actor)
    check_new_document(session, actor=actor, company_id=company_id, project_id=data.project_id)
    budget = Budget(
        company_id=company_id,
        project_id=data.project_id,
        title=data.title or "",
        description=data.description or "",
        currency=data.currency or "USD",
        created_by_id=actor.user_id,
    )
    session.add(budget)
    session.flush()
    _set_lines(session, budget, data.lines or [])
    session.add(budget)
    session.flush()
    _log(session, actor, budget, Action.budget_created, f"{actor.label} drafted {budget.title}")
    return budget


def update_budget(session: Session, *, actor: Actor, budget_id: int, data: BudgetUpdate) -> Budget:
    """Change a draft (only the fields sent; ``lines`` replaces every line)."""
    budget = get_budget(session, actor=actor, budget_id=budget_id)
    _require_budget_staff(actor)
    lock(session, budget)
    if budget.status != B.draft:
        raise Conflict("Only a draft budget can be edited.", code="budget_not_draft")
    documents.edit_draft(
        session,
        budget,
        data,
        text_fields=("title", "description"),
        current_lines=lambda: _current_lines(session, budget),
        set_lines=lambda lines: _set_lines(session, budget, lines),
    )
    _log(session, actor, budget, Action.budget_updated, f"{actor.label} edited {budget.title}")
    return budget


def portal_url(session: Session, budget: Budget) -> str | None:
    return portal_path(session, budget.company_id, f"invoices/budgets/{budget.id}")


def submit_budget(session: Session, *, actor: Actor, budget_id: int) -> Budget:
    """draft -> pending_approval: the client sees it and its contacts are asked to approve."""
    budget = get_budget(session, actor=actor, budget_id=budget_id)
    _require_budget_staff(actor)
    lock(session, budget)
    if budget.status != B.draft:
        raise Conflict("This budget was already submitted.", code="invalid_transition")
    assert budget.id is not None
    if not has_lines(session, BudgetLine.budget_id, budget.id):
        raise Conflict("Add at least one line before submitting.", code="budget_empty")
    budget.status = B.pending_approval
    budget.submitted_at = budget.updated_at = utcnow()
    session.add(budget)
    session.flush()
    total = format_amount(budget.total, budget.currency)
    _log(
        session,
        actor,
        budget,
        Action.budget_submitted,
        f"{actor.label} submitted the budget {budget.title} ({total}) for approval",
    )
    notify(
        session,
        user_ids=contact_ids(session, budget.company_id),
        type="budget_pending_approval",
        title=f"Budget {budget.title} ({total}) awaits your approval",
        company_id=budget.company_id,
        actor=actor,
        url=portal_url(session, budget),
    )
    return budget


def _manager_ids(session: Session, budget: Budget) -> list[int]:
    parent = session.exec(select(Company.parent_id).where(Company.id == budget.company_id)).first()
    companies = [budget.company_id, *([parent] if parent else [])]
    rows = session.exec(
        select(PortalManager.user_id).where(col(PortalManager.company_id).in_(companies))
    ).all()
    return sorted({*rows, *([budget.created_by_id] if budget.created_by_id else [])})


def _decide(session: Session, actor: Actor, budget_id: int) -> Budget:
    budget = get_budget(session, actor=actor, budget_id=budget_id)
    require_client_role(
        actor, ClientRole.collaborator, "Only collaborators and admins can decide on a budget."
    )
    lock(session, budget)
    if budget.status != B.pending_approval:
        raise Conflict(
            f"This budget is already {budget.status_label.lower()}.", code="invalid_transition"
        )
    budget.decided_at = budget.updated_at = utcnow()
    budget.decided_by_id = actor.user_id
    name = None
    if actor.user_id is not None:
        name = session.exec(select(User.name).where(User.id == actor.user_id)).first()
    budget.decided_by_name = (name or actor.label)[:200]
    return budget


def approve_budget(session: Session, *, actor: Actor, budget_id: int) -> Budget:
    """pending_approval -> approved by a client collaborator or admin (viewer 403, twice 409)."""
    budget = _decide(session, actor, budget_id)
    budget.status = B.approved
    session.add(budget)
    session.flush()
    total = format_amount(budget.total, budget.currency)
    _log(
        session,
        actor,
        budget,
        Action.budget_approved,
        f"{actor.label} approved the budget {budget.title} ({total})",
    )
    notify(
        session,
        user_ids=_manager_ids(session, budget),
        type="budget_decided",
        title=f"Budget {budget.title} was approved",
        company_id=budget.company_id,
        actor=actor,
        url=portal_url(session, budget),
    )
    return budget


def decline_budget(
    session: Session, *, actor: Actor, budget_id: int, data: BudgetDecline
) -> Budget:
    """pending_approval -> declined, with the client's reason."""
    if not data.reason:
        raise Invalid(errors={"reason": ["Tell the team why you decline this budget."]})
    budget = _decide(session, actor, budget_id)
    budget.status = B.declined
    budget.decline_reason = data.reason
    session.add(budget)
    session.flush()
    _log(
        session,
        actor,
        budget,
        Action.budget_declined,
        f"{actor.label} declined the budget {budget.title}: {data.reason}",
    )
    notify(
        session,
        user_ids=_manager_ids(session, budget),
        type="budget_decided",
        title=f"Budget {budget.title} was declined",
        body=data.reason,
        company_id=budget.company_id,
        actor=actor,
        url=portal_url(session, budget),
    )
    return budget


def add_note(session: Session, *, actor: Actor, budget_id: int, data: NoteCreate) -> Note:
    """Start a thread on a budget; on a draft only internal notes."""
    budget = get_budget(session, actor=actor, budget_id=budget_id)
    return documents.add_note(
        session,
        actor=actor,
        resource_type="budget",
        document=budget,
        shown=budget.status != B.draft,
        data=data,
        refusal="This budget has not been submitted: notes on it can only be internal for now.",
        code="budget_not_submitted",
    )
