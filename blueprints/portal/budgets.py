"""Budgets, a section of the Invoices tab (/p/<slug>/invoices/budgets): the group's budgets,
one budget with its lines, approve/decline for client collaborators; for staff the draft
editor and submitting."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Response, flash, request, url_for

from blueprints._portal import portal_blueprint, portal_ctx
from blueprints.portal.invoices import BLANK_LINES, document_form
from portal.db import get_session
from portal.errors import Invalid
from portal.models.billing import CURRENCIES
from portal.models.budget import (
    BUDGET_STATUSES,
    STATUS_LABELS,
    BudgetCreate,
    BudgetDecline,
    BudgetUpdate,
)
from portal.models.note import NoteCreate
from portal.tenancy import Actor
from portal.validation import form_data, validated
from portal.web.args import page_arg
from portal.web.htmx import hx_redirect, perform, render_page
from services.billing import budgets as service
from services.billing.budget_queries import budget_detail, budgets_page
from services.portals import PortalContext

bp = portal_blueprint("budgets", __name__, tab="invoices")

LINE_FIELDS = ("description", "quantity", "unit_price")
TEMPLATE = "invoices/budgets.html"


def _here() -> tuple[PortalContext, Actor]:
    ctx = portal_ctx()
    return ctx, ctx.actor  # group-aware like invoices


def _budget_form(form: Mapping[str, Any]) -> dict[str, Any]:
    return document_form(form, LINE_FIELDS)


def _render(status_code: int = 200, *, budget_id: int | None = None, **extra: Any) -> Response:
    """The one Budgets page: the list, or (``budget_id``) one budget."""
    ctx, actor = _here()
    session = get_session()
    context: dict[str, Any] = {
        "form": {},
        "form_lines": None,
        "errors": {},
        "open_form": False,
        "draft": "",
        "view": None,
        "detail": None,
    }
    context.update(extra)
    if budget_id is None:
        context["view"] = budgets_page(
            session,
            actor=actor,
            can_write=ctx.can_write,
            status=request.args.get("status", ""),
            page=page_arg(request.args),
        )
        title = "Budgets"
    else:
        context["detail"] = budget_detail(
            session, actor=actor, budget_id=budget_id, can_write=ctx.can_write
        )
        title = f"Budget {context['detail'].budget.title}"
    return render_page(
        TEMPLATE,
        status=status_code,
        ctx=ctx,
        actor=actor,
        statuses=BUDGET_STATUSES,
        status_labels=STATUS_LABELS,
        currencies=CURRENCIES,
        blank_lines=BLANK_LINES,
        active_tab="invoices",
        page_title=title,
        **context,
    )


@bp.get("/invoices/budgets")
def index() -> Response:
    return _render()


@bp.post("/invoices/budgets")
def create() -> Response:
    ctx, _ = _here()
    raw = _budget_form(request.form)
    try:
        budget = service.create_budget(
            get_session(),
            actor=ctx.company_actor,
            company_id=ctx.portal.company_id,
            data=validated(BudgetCreate, raw),
        )
    except Invalid as exc:
        return _render(
            422, form=request.form, form_lines=raw["lines"], errors=exc.errors, open_form=True
        )
    flash("Draft budget created. Only your team can see it until you submit it.")
    return hx_redirect(url_for("budgets.detail", budget_id=budget.id))


@bp.get("/invoices/budgets/<int:budget_id>")
def detail(budget_id: int) -> Response:
    return _render(budget_id=budget_id)


def _act(
    budget_id: int, action: Callable[[Actor], object], message: str, **render_extra: Any
) -> Response:
    """Run one service action; a refused one re-renders the budget with the reason."""
    _, actor = _here()
    return perform(
        lambda: action(actor),
        message=message,
        location=url_for("budgets.detail", budget_id=budget_id),
        refused=lambda status, **why: _render(status, budget_id=budget_id, **why, **render_extra),
    )


@bp.post("/invoices/budgets/<int:budget_id>")
def update(budget_id: int) -> Response:
    raw = _budget_form(request.form)
    return _act(
        budget_id,
        lambda actor: service.update_budget(
            get_session(), actor=actor, budget_id=budget_id, data=validated(BudgetUpdate, raw)
        ),
        "Draft saved.",
        form=request.form,
        form_lines=raw["lines"],
    )


@bp.post("/invoices/budgets/<int:budget_id>/submit")
def submit(budget_id: int) -> Response:
    return _act(
        budget_id,
        lambda actor: service.submit_budget(get_session(), actor=actor, budget_id=budget_id),
        "Budget submitted. The client's contacts have been asked to approve it.",
    )


@bp.post("/invoices/budgets/<int:budget_id>/approve")
def approve(budget_id: int) -> Response:
    return _act(
        budget_id,
        lambda actor: service.approve_budget(get_session(), actor=actor, budget_id=budget_id),
        "Budget approved. The team has been told.",
    )


@bp.post("/invoices/budgets/<int:budget_id>/decline")
def decline(budget_id: int) -> Response:
    return _act(
        budget_id,
        lambda actor: service.decline_budget(
            get_session(),
            actor=actor,
            budget_id=budget_id,
            data=validated(BudgetDecline, form_data(request.form)),
        ),
        "Budget declined. The team has your reason.",
        form=request.form,
    )


@bp.post("/invoices/budgets/<int:budget_id>/notes")
def add_note(budget_id: int) -> Response:
    body = request.form.get("body", "")
    fields = form_data(request.form) | {"resource_type": "budget", "resource_id": budget_id}
    return _act(
        budget_id,
        lambda actor: service.add_note(
            get_session(), actor=actor, budget_id=budget_id, data=validated(NoteCreate, fields)
        ),
        "Note posted.",
        draft=body,
    )
