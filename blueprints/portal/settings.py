"""Settings tab: the visitor's own account (profile, password, devices, notifications; every
role, a viewer too: it is their own account) through the same functions as ``/account``; for a
company's admins its users and invitations: invite, change a role, deactivate/reactivate,
resend/revoke an invitation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, flash, redirect, request, url_for

from blueprints._portal import portal_blueprint, portal_ctx
from blueprints.account import (
    PASSWORD_CHANGED,
    PROFILE_SAVED,
    change_own_password,
    save_own_profile,
)
from portal.db import get_session
from portal.errors import Conflict, Invalid, RateLimited
from portal.models.user import ClientRoleChange, InviteCreate
from portal.validation import form_data, validated
from portal.web.htmx import hx_redirect, perform, render_page
from portal.web.urls import base_url
from services.accounts import auth as auth_service
from services.accounts import membership
from services.team import settings_view

# one's own account is not the portal's data: a viewer changes their own name and password
bp = portal_blueprint(
    "settings", __name__, open_writes=frozenset({"settings.profile", "settings.password"})
)


def _render(status: int = 200, **extra: object) -> Response:
    ctx = portal_ctx()
    manage = ctx.can_manage and membership.may_manage_company(ctx.actor, ctx.company.id)
    view = settings_view(get_session(), actor=ctx.actor, company_id=ctx.company.id, manage=manage)
    context = {
        "invite_email": "",
        "invite_name": "",
        "invite_role": "collaborator",
        "errors": {},
        "account_urls": {
            "profile": url_for("settings.profile"),
            "password": url_for("settings.password"),
        },
    }
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


def _account_saved(message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("settings.index"), code=303)


@bp.post("/settings/profile")
def profile() -> Response:
    try:
        save_own_profile()
    except Invalid as exc:
        return _render(422, account_errors=exc.errors, account_name=request.form.get("name", ""))
    return _account_saved(PROFILE_SAVED)


@bp.post("/settings/password")
def password() -> Response:
    try:
        change_own_password()
    except Invalid as exc:
        return _render(422, account_errors=exc.errors)
    return _account_saved(PASSWORD_CHANGED)


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


def _people_action(action: Callable[[], object], message: str) -> Response:
    """One action on the portal company's people, then back to its list (or the reason)."""

    def refused(status: int, **kwargs: Any) -> Response:
        return _render(status, people_errors=(kwargs.get("errors") or {}).get("_", []))

    return perform(
        action, message=message, location=url_for("settings.index") + "#people", refused=refused
    )


@bp.post("/settings/people/<int:user_id>/role")
def change_role(user_id: int) -> Response:
    ctx = portal_ctx()

    def action() -> object:
        data = validated(ClientRoleChange, form_data(request.form))
        return membership.change_client_role(
            get_session(), actor=ctx.actor, user_id=user_id, data=data, company_id=ctx.company.id
        )

    return _people_action(action, "Role changed.")


@bp.post("/settings/people/<int:user_id>/deactivate")
def deactivate(user_id: int) -> Response:
    ctx = portal_ctx()
    return _people_action(
        lambda: membership.deactivate_user(
            get_session(), actor=ctx.actor, user_id=user_id, company_id=ctx.company.id
        ),
        "Deactivated: they are signed out everywhere and can't sign in.",
    )


@bp.post("/settings/people/<int:user_id>/reactivate")
def reactivate(user_id: int) -> Response:
    ctx = portal_ctx()
    return _people_action(
        lambda: membership.reactivate_user(
            get_session(), actor=ctx.actor, user_id=user_id, company_id=ctx.company.id
        ),
        "Reactivated: they can sign in again.",
    )


@bp.post("/settings/invitations/<int:invitation_id>/resend")
def resend_invitation(invitation_id: int) -> Response:
    ctx = portal_ctx()
    return _people_action(
        lambda: membership.resend_invitation(
            get_session(),
            actor=ctx.actor,
            invitation_id=invitation_id,
            base_url=base_url(),
            company_id=ctx.company.id,
        ),
        "Invitation queued again with a new link.",
    )


@bp.post("/settings/invitations/<int:invitation_id>/revoke")
def revoke_invitation(invitation_id: int) -> Response:
    ctx = portal_ctx()
    return _people_action(
        lambda: membership.revoke_invitation(
            get_session(), actor=ctx.actor, invitation_id=invitation_id, company_id=ctx.company.id
        ),
        "Invitation revoked: its link no longer works.",
    )
