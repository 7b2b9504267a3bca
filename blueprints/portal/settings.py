"""Settings tab: profile and password (posted to /account), users and invitations for admins."""

from __future__ import annotations

from flask import Response, flash, request, url_for

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.errors import Conflict, Invalid, RateLimited
from portal.models.user import InviteCreate
from portal.validation import form_data, validated
from portal.web.htmx import hx_redirect, render_page
from portal.web.urls import base_url
from services.accounts import auth as auth_service
from services.team import settings_view

bp = portal_blueprint("settings", __name__)


def _render(status: int = 200, **extra: object) -> Response:
    ctx = portal_ctx()
    view = settings_view(
        get_session(), actor=ctx.actor, company_id=ctx.company.id, manage=ctx.can_manage
    )
    context = {"invite_email": "", "invite_name": "", "invite_role": "collaborator", "errors": {}}
    context.update(extra)
    return render_page(
        "settings/index.html",
        status=status,
        ctx=ctx,
        members=view.members,
        prefs=view.prefs,
        active_tab="settings",
        **context,
    )


@bp.get("/settings")
def index() -> Response:
    return _render()


@bp.post("/settings/invitations")
def invite() -> Response:
    ctx = portal_ctx()
    form = request.form
    try:
        inv = auth_service.invite(
            get_session(),
            actor=ctx.actor,
            company_id=ctx.company.id,  # type: ignore[arg-type]
            data=validated(InviteCreate, form_data(form)),
            base_url=base_url(),
        )
    except (Invalid, Conflict, RateLimited) as exc:
        errors = exc.errors or {"email": [exc.message]}
        return _render(
            status=exc.status,
            invite_email=form.get("email", ""),
            invite_name=form.get("name", ""),
            invite_role=form.get("role", ""),
            errors=errors,
        )
    # not "sent": the email is queued; the list shows when it has actually left
    flash(f"Invitation to {inv.email} queued.", "success")
    return hx_redirect(url_for("settings.index"))
