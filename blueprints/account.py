"""The signed-in person's own account (any role may change their own profile and password)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_login import current_user, login_required, login_user

from portal.db import get_session
from portal.errors import Invalid
from portal.web.htmx import render_page
from portal.web.urls import safe_next
from services.accounts import auth as auth_service
from services.events.notifications import preference_rows
from services.portals import landing_url

bp = Blueprint("account", __name__)


def _back() -> str:
    return safe_next(request.form.get("back")) or url_for("account.index")


@bp.get("/account")
@login_required
def index() -> Response:
    return render_page(
        "account/index.html",
        errors={},
        home=landing_url(get_session(), user=current_user),
        prefs=preference_rows(get_session(), user_id=current_user.id),
    )


@bp.post("/account/profile")
@login_required
def profile() -> Response:
    name = request.form.get("name", "").strip()
    if not name:
        flash("Your name can't be empty.", "error")
        return redirect(_back(), code=303)
    user = current_user._get_current_object()
    user.name = name[:200]
    get_session().add(user)
    flash("Profile saved.", "success")
    return redirect(_back(), code=303)


@bp.post("/account/password")
@login_required
def password() -> Response:
    user = current_user._get_current_object()
    try:
        auth_service.change_password(
            get_session(),
            user=user,
            current=request.form.get("current_password", ""),
            new=request.form.get("new_password", ""),
        )
    except Invalid as exc:
        for messages in exc.errors.values():
            for message in messages:
                flash(message, "error")
        return redirect(_back(), code=303)
    login_user(user)  # the session version moved on; keep this device signed in
    flash("Password changed. Other devices were signed out.", "success")
    return redirect(_back(), code=303)
