"""The signed-in person's own account (any role may change their own profile and password).

``/account`` is for staff and for clients who can open several portals; a client of one portal
manages their account in that portal's Settings tab (``blueprints/portal/settings.py``), whose
views call the same two functions below.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response

from portal.db import get_session
from portal.errors import Invalid
from portal.models.user import PasswordChange, ProfileUpdate
from portal.principal import SESSION_KEY, current_actor
from portal.validation import form_data, validated
from portal.web.htmx import render_page
from services.accounts import auth as auth_service
from services.accounts.users import account_page
from services.portals import account_settings_url

bp = Blueprint("account", __name__)


def save_own_profile() -> None:
    """The posted profile for the signed-in person (raises ``Invalid``)."""
    data = validated(ProfileUpdate, form_data(request.form))
    auth_service.update_profile(get_session(), user=current_user._get_current_object(), data=data)


def change_own_password() -> None:
    """The posted password change for the signed-in person (raises ``Invalid``): every other
    session ends, this device stays signed in."""
    user = current_user._get_current_object()
    data = validated(PasswordChange, form_data(request.form))
    auth_service.change_password(
        get_session(), user=user, data=data, session_key=session.get(SESSION_KEY)
    )
    login_user(user)  # the session version moved on; keep this device signed in


PROFILE_SAVED = "Profile saved."
PASSWORD_CHANGED = "Password changed. Other devices were signed out."


def _render(status: int = 200, **extra: object) -> Response:
    view = account_page(get_session(), user=current_user._get_current_object())
    urls = {"profile": url_for("account.profile"), "password": url_for("account.password")}
    return render_page(
        "account/index.html",
        status=status,
        home=view.home,
        prefs=view.prefs,
        account_urls=urls,
        **extra,
    )


@bp.get("/account")
@login_required
def index() -> Response:
    portal_settings = account_settings_url(get_session(), actor=current_actor())
    if portal_settings is not None:
        return redirect(portal_settings, code=302)
    return _render()


@bp.post("/account/profile")
@login_required
def profile() -> Response:
    try:
        save_own_profile()
    except Invalid as exc:
        return _render(422, account_errors=exc.errors, account_name=request.form.get("name", ""))
    flash(PROFILE_SAVED, "success")
    return redirect(url_for("account.index"), code=303)


@bp.post("/account/password")
@login_required
def password() -> Response:
    try:
        change_own_password()
    except Invalid as exc:
        return _render(422, account_errors=exc.errors)
    flash(PASSWORD_CHANGED, "success")
    return redirect(url_for("account.index"), code=303)
