"""Staff People page: every user the staff member sees, with their company, role, last sign-in
and status; change a client's role, deactivate/reactivate, resend/revoke invitations, view as."""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for

from blueprints import view_as
from blueprints._staff import staff_blueprint
from portal.db import get_session
from portal.errors import Conflict
from portal.models.user import ClientRoleChange
from portal.principal import current_actor
from portal.validation import form_data, validated
from portal.web.args import arg_int, page_arg
from portal.web.htmx import hx_redirect, perform, render_page
from portal.web.urls import base_url, safe_next
from services.accounts import membership
from services.accounts import view_as as view_as_service

bp = staff_blueprint("people", __name__)


def _filters() -> membership.PeopleFilters:
    args = request.args
    status = args.get("status", "")
    role = args.get("role", "")
    return membership.PeopleFilters(
        search=(args.get("q") or "").strip()[:200],
        company_id=arg_int(args, "company"),
        role=role if role in membership.ROLE_FILTERS else "",
        status=status if status in ("active", "deactivated") else "",  # type: ignore[arg-type]
    )


def _page(status: int = 200, **extra: Any) -> Response:
    view = membership.people_page(
        get_session(), actor=current_actor(), filters=_filters(), page=page_arg(request.args)
    )
    return render_page(
        "admin/people.html",
        status=status,
        view=view,
        roles=membership.ROLE_FILTERS,
        errors=extra.pop("errors", {}),
        staff_tab="people",
        **extra,
    )


def _back() -> str:
    return safe_next(request.form.get("next")) or url_for("people.index")


def _refused(status: int, **kwargs: Any) -> Response:
    return _page(status, errors=kwargs.get("errors") or {})


@bp.get("/")
def index() -> Response:
    return _page()


@bp.post("/<int:user_id>/role")
def change_role(user_id: int) -> Response:
    def action() -> object:
        data = validated(ClientRoleChange, form_data(request.form))
        return membership.change_client_role(
            get_session(), actor=current_actor(), user_id=user_id, data=data
        )

    return perform(action, message="Role changed.", location=_back(), refused=_refused)


@bp.post("/<int:user_id>/deactivate")
def deactivate(user_id: int) -> Response:
    return perform(
        lambda: membership.deactivate_user(get_session(), actor=current_actor(), user_id=user_id),
        message="Deactivated: they are signed out everywhere and can't sign in.",
        location=_back(),
        refused=_refused,
    )


@bp.post("/<int:user_id>/reactivate")
def reactivate(user_id: int) -> Response:
    return perform(
        lambda: membership.reactivate_user(get_session(), actor=current_actor(), user_id=user_id),
        message="Reactivated: they can sign in again.",
        location=_back(),
        refused=_refused,
    )


@bp.post("/invitations/<int:invitation_id>/resend")
def resend_invitation(invitation_id: int) -> Response:
    return perform(
        lambda: membership.resend_invitation(
            get_session(), actor=current_actor(), invitation_id=invitation_id, base_url=base_url()
        ),
        message="Invitation queued again with a new link.",
        location=_back(),
        refused=_refused,
    )


@bp.post("/invitations/<int:invitation_id>/revoke")
def revoke_invitation(invitation_id: int) -> Response:
    return perform(
        lambda: membership.revoke_invitation(
            get_session(), actor=current_actor(), invitation_id=invitation_id
        ),
        message="Invitation revoked: its link no longer works.",
        location=_back(),
        refused=_refused,
    )


@bp.post("/<int:user_id>/view-as")
def start_view_as(user_id: int) -> Response:
    try:
        _, landing = view_as_service.start_view_as(
            get_session(), actor=current_actor(), user_id=user_id
        )
    except Conflict as exc:
        return _page(409, errors={"_": [exc.message]})
    view_as.begin(user_id)
    return hx_redirect(landing)
