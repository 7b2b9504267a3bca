"""The signed-in person's own account (any role may change their own profile and password)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response

from portal.db import get_session
from portal.errors import Invalid
from portal.models.user import PasswordChange, ProfileUpdate
from portal.principal import SESSION_KEY
from portal.validation import form_data, validated
from portal.web.htmx import render_page
from portal.web.urls import safe_next
from services.accounts import auth as auth_service
from services.accounts.users import account_page

bp = Blueprint("account", __name__)


def _back() -> str:
    return safe_next(request.form.get("back")) or url_for("account.index")


def _flash_errors(exc: Invalid) -> None:
    for messages in exc.errors.values():
        for message in messages:
            flash(message, "error")


@bp.get("/account")
@login_required
def index() -> Response:
    view = account_page(get_session(), user=current_user._get_current_object())
    return render_page("account/index.html", errors={}, home=view.home, prefs=view.prefs)


@bp.post("/account/profile")
@login_required
def profile() -> Response:
    try:
        data = validated(ProfileUpdate, form_data(request.form))
        auth_service.update_profile(
            get_session(), user=current_user._get_current_object(), data=data
        )
    except Invalid as exc:
        _flash_errors(exc)
        return redirect(_back(), code=303)
    flash("Profile saved.", "success")
    return redirect(_back(), code=303)


@bp.post("/account/password")
@login_required
def password() -> Response:
    user = current_user._get_current_object()
    try:
        data = validated(PasswordChange, form_data(request.form))
        auth_service.change_password(
            get_session(), user=user, data=data, session_key=session.get(SESSION_KEY)
        )
    except Invalid as exc:
        _flash_errors(exc)
        return redirect(_back(), code=303)
    login_user(user)  # the session version moved on; keep this device signed in
    flash("Password changed. Other devices were signed out.", "success")
    return redirect(_back(), code=303)
