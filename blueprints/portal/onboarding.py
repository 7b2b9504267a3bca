"""Onboarding tab: the client's onboarding progress, its success profile and goals, and the
quarterly reviews presented to it. Staff run the onboarding and write the reviews here."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, request, url_for

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.errors import Invalid, NotFound
from portal.models.onboarding import ProfileSubmit, QbrCreate, QbrSectionCreate
from portal.validation import form_data, validated
from portal.web.args import parse_int
from portal.web.htmx import hx_redirect, render_page
from services.onboarding import set_milestone, start_onboarding
from services.onboarding.profile import PROFILE_FIELDS, submit_profile
from services.onboarding.qbrs import (
    add_section,
    create_qbr,
    delete_qbr,
    delete_section,
    move_section,
    present_qbr,
    update_qbr,
    update_section,
)
from services.onboarding.tab import onboarding_tab

bp = portal_blueprint("onboarding", __name__)
TEMPLATE = "onboarding/index.html"
GOAL_ROWS = 3


def _render(status: int = 200, **extra: Any) -> Response:
    ctx = portal_ctx()
    if "onboarding" not in ctx.tabs:
        raise NotFound()
    tab = onboarding_tab(
        get_session(), actor=ctx.actor, company_id=ctx.portal.company_id, writable=ctx.can_write
    )
    return render_page(
        TEMPLATE,
        status=status,
        ctx=ctx,
        tab=tab,
        goal_rows=GOAL_ROWS,
        active_tab="onboarding",
        page_title="Onboarding",
        **extra,
    )


def _done(message: str) -> Response:
    flash(message)
    return hx_redirect(url_for("onboarding.index"))


@bp.get("/onboarding")
def index() -> Response:
    return _render()


def _profile_form(raw: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {k: raw.get(k) or None for k in PROFILE_FIELDS}
    goals = []
    for i in range(GOAL_ROWS):
        metric = (raw.get(f"goal_{i}_metric") or "").strip()
        target = (raw.get(f"goal_{i}_target") or "").strip()
        if metric or target:
            goals.append(
                {
                    "metric": metric,
                    "target": target,
                    "period": raw.get(f"goal_{i}_period") or "month",
                    "metric_key": raw.get(f"goal_{i}_metric_key") or None,
                    "unit": raw.get(f"goal_{i}_unit") or "",
                }
            )
    data["goals"] = goals
    return {k: v for k, v in data.items() if v is not None}


@bp.post("/onboarding/profile")
def save_profile() -> Response:
    ctx = portal_ctx()
    raw = form_data(request.form)
    try:
        submit_profile(
            session=get_session(),
            actor=ctx.actor,
            company_id=ctx.portal.company_id,
            data=validated(ProfileSubmit, _profile_form(raw)),
        )
    except Invalid as exc:
        return _render(422, errors=exc.errors or {"_": [exc.message]}, form=raw, open_form=True)
    return _done("Your success profile is saved.")


@bp.post("/onboarding/start")
def start() -> Response:
    ctx = portal_ctx()
    template_id = parse_int(request.form.get("template_id"))
    if template_id is None:
        raise Invalid("Choose a template.", errors={"template_id": ["Choose a template."]})
    start_onboarding(
        session=get_session(),
        actor=ctx.actor,
        company_id=ctx.portal.company_id,
        template_id=template_id,
    )
    return _done("Onboarding started.")


@bp.post("/onboarding/milestones/<int:milestone_id>")
def milestone(milestone_id: int) -> Response:
    ctx = portal_ctx()
    set_milestone(
        session=get_session(),
        actor=ctx.actor,
        company_id=ctx.portal.company_id,
        milestone_id=milestone_id,
        done=request.form.get("done") == "1",
    )
    return _done("Milestone updated.")


@bp.post("/onboarding/qbrs")
def new_qbr() -> Response:
    ctx = portal_ctx()
    create_qbr(
        session=get_session(),
        actor=ctx.actor,
        company_id=ctx.portal.company_id,
        data=validated(QbrCreate, form_data(request.form)),
    )
    return _done("Draft review created: add its sections, then present it.")


@bp.post("/onboarding/qbrs/<int:qbr_id>/sections")
def new_section(qbr_id: int) -> Response:
    add_section(
        session=get_session(),
        actor=portal_ctx().actor,
        qbr_id=qbr_id,
        data=validated(QbrSectionCreate, form_data(request.form)),
    )
    return _done("Section added.")


@bp.post("/onboarding/qbrs/<int:qbr_id>/present")
def present(qbr_id: int) -> Response:
    present_qbr(session=get_session(), actor=portal_ctx().actor, qbr_id=qbr_id)
    return _done("The review is presented: the client sees it now.")


def _edit_failed(form_key: str, exc: Invalid) -> Response:
    """Re-render the tab with the failed edit form open and its messages beside its fields."""
    errors = exc.errors or {"_": [exc.message]}
    return _render(422, edit_errors={form_key: errors}, edit_form=form_data(request.form))


@bp.post("/onboarding/qbrs/<int:qbr_id>/edit")
def edit_qbr(qbr_id: int) -> Response:
    ctx = portal_ctx()
    try:
        update_qbr(
            session=get_session(),
            actor=ctx.actor,
            company_id=ctx.portal.company_id,
            qbr_id=qbr_id,
            data=validated(QbrCreate, form_data(request.form)),
        )
    except Invalid as exc:
        return _edit_failed(f"qbr-{qbr_id}", exc)
    return _done("Review saved.")


@bp.post("/onboarding/qbrs/<int:qbr_id>/delete")
def remove_qbr(qbr_id: int) -> Response:
    ctx = portal_ctx()
    title = delete_qbr(
        session=get_session(), actor=ctx.actor, company_id=ctx.portal.company_id, qbr_id=qbr_id
    )
    return _done(f"Review “{title}” deleted.")


@bp.post("/onboarding/qbrs/<int:qbr_id>/sections/<int:section_id>/edit")
def edit_section(qbr_id: int, section_id: int) -> Response:
    ctx = portal_ctx()
    try:
        update_section(
            session=get_session(),
            actor=ctx.actor,
            company_id=ctx.portal.company_id,
            qbr_id=qbr_id,
            section_id=section_id,
            data=validated(QbrSectionCreate, form_data(request.form)),
        )
    except Invalid as exc:
        return _edit_failed(f"section-{section_id}", exc)
    return _done("Section saved.")


@bp.post("/onboarding/qbrs/<int:qbr_id>/sections/<int:section_id>/delete")
def remove_section(qbr_id: int, section_id: int) -> Response:
    ctx = portal_ctx()
    title = delete_section(
        session=get_session(),
        actor=ctx.actor,
        company_id=ctx.portal.company_id,
        qbr_id=qbr_id,
        section_id=section_id,
    )
    return _done(f"Section “{title}” deleted.")


@bp.post("/onboarding/qbrs/<int:qbr_id>/sections/<int:section_id>/move")
def move(qbr_id: int, section_id: int) -> Response:
    ctx = portal_ctx()
    move_section(
        session=get_session(),
        actor=ctx.actor,
        company_id=ctx.portal.company_id,
        qbr_id=qbr_id,
        section_id=section_id,
        direction=str(request.form.get("direction") or ""),
    )
    return _done("Section moved.")
