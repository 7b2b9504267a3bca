"""Sign-in, sign-out, invitations and magic links (HTTP only; logic in services.accounts.auth)."""

from __future__ import annotations

from typing import Any

import requests
from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from portal.config import SsoProvider
from portal.db import get_session
from portal.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from portal.models.user import InvitationAccept
from portal.principal import SESSION_KEY, current_actor, remember_session
from portal.runtime import get_runtime
from portal.validation import form_data, validated
from portal.web.htmx import render_page
from portal.web.urls import base_url, safe_next
from services.accounts import auth as auth_service
from services.accounts import sso as sso_service
from services.accounts.auth import SignIn
from services.accounts.demo import DEMO_PASSWORD, demo_accounts
from services.portals import landing_url, portal_for_slug
from services.portals import settings as portal_settings
from services.portals.settings import Brand

bp = Blueprint("auth", __name__)


def _sign_in(signed: SignIn, next_url: str | None = None) -> Response:
    session.clear()  # new session id on privilege change (fixation)
    login_user(signed.user)
    remember_session(signed.session_key)
    return redirect(safe_next(next_url or signed.next_url) or signed.landing, code=303)


@bp.get("/")
def index() -> Response:
    if current_user.is_authenticated:
        return redirect(landing_url(get_session(), user=current_user), code=302)
    return redirect(url_for("auth.login"), code=302)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(next_url or landing_url(get_session(), user=current_user))
    return _login_form(next_url)


def _login_form(next_url: str | None, brand: Brand | None = None) -> Response:
    """The sign-in form (GET) or its submission (POST), with the agency's or a portal's brand."""
    page = {
        "next_url": next_url,
        "brand": brand,
        "providers": _providers(),
        "demo_accounts": demo_accounts(get_session(), env=get_runtime().settings.env),
        "demo_password": DEMO_PASSWORD,
    }
    if request.method == "GET":
        return render_page("auth/login.html", email="", **page)
    email = request.form.get("email", "")
    password = request.form.get("password", "")
    ip = request.remote_addr or "unknown"
    try:
        signed = auth_service.authenticate(get_session(), email=email, password=password, ip=ip)
    except RateLimited as exc:
        resp = render_page("auth/login.html", status=429, email=email, error=exc.message, **page)
        resp.headers["Retry-After"] = str(exc.retry_after or 60)
        return resp
    except Invalid as exc:
        return render_page("auth/login.html", status=422, email=email, error=exc.message, **page)
    return _sign_in(signed, next_url)


@bp.route("/p/<slug>/login", methods=["GET", "POST"])
def portal_login(slug: str) -> Response:
    """A portal's own sign-in page: its title, logo and accent instead of the agency's.

    Signed in, it leads into the portal if the visitor may see it; otherwise, for a signed-in
    visitor, the page does not exist (a 404, as for any portal they cannot see)."""
    db = get_session()
    if current_user.is_authenticated:
        portal_for_slug(db, actor=current_actor(), slug=slug)
        return redirect(url_for("dashboard.portal_home", slug=slug), code=302)
    brand = portal_settings.brand_for_slug(db, slug=slug)
    return _login_form(safe_next(request.values.get("next")) or f"/p/{brand.slug}/", brand)


@bp.post("/logout")
def logout() -> Response:
    auth_service.sign_out(get_session(), session_key=session.get(SESSION_KEY))
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"), code=303)


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere() -> Response:
    auth_service.sign_out_everywhere(get_session(), user=current_user._get_current_object())
    logout_user()
    session.clear()
    flash("You are signed out on every device.", "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/magic", methods=["GET", "POST"])
def magic_request() -> Response:
    if request.method == "GET":
        return render_page("auth/magic_request.html", sent=False, email="")
    email = request.form.get("email", "")
    try:
        auth_service.request_magic_link(
            get_session(),
            email=email,
            base_url=base_url(),
            next_url=safe_next(request.form.get("next")),
        )
    except RateLimited as exc:
        return render_page(
            "auth/magic_request.html", status=429, sent=False, email=email, error=exc.message
        )
    return render_page("auth/magic_request.html", sent=True, email=email)


@bp.route("/magic/<token>", methods=["GET", "POST"])
def magic_consume(token: str) -> Response:
    # GET only shows a button: mail scanners that prefetch links must not burn the token.
    if request.method == "GET":
        return render_page("auth/magic_confirm.html", token=token)
    try:
        signed = auth_service.consume_magic_link(get_session(), token=token)
    except NotFound as exc:
        return render_page(
            "auth/magic_request.html", status=410, sent=False, email="", error=exc.message
        )
    return _sign_in(signed)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invite_accept(token: str) -> Response:
    db = get_session()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            data = validated(InvitationAccept, form_data(request.form))
            signed = auth_service.accept_invitation(db, token=token, data=data)
        except Invalid as exc:
            errors = exc.errors
        except NotFound:
            pass  # the page below says the link is invalid, used or expired
        except Conflict as exc:
            flash(exc.message, "error")
            return redirect(url_for("auth.login"), code=303)
        else:
            flash("Welcome! Your account is ready.", "success")
            return _sign_in(signed)
    try:
        invitation = auth_service.pending_invitation(db, token=token)
    except NotFound as exc:
        return render_page("auth/invite_invalid.html", status=404, message=exc.message)
    return render_page(
        "auth/invite.html",
        status=422 if errors else 200,
        brand=portal_settings.brand_for_company(db, company_id=invitation.company_id),
        invitation=invitation,
        token=token,
        name=request.form.get("name", "") if request.method == "POST" else invitation.name,
        errors=errors,
    )


# Single sign-on (OpenID Connect through Authlib) ----------------------------------------


def _providers() -> list[SsoProvider]:
    return list(current_app.config["STOA_SETTINGS"].sso_providers)


def _provider(name: str) -> SsoProvider:
    for provider in _providers():
        if provider.name == name:
            return provider
    raise NotFound()


@bp.get("/sso/<provider>/login")
def sso_login(provider: str) -> Response:
    config = _provider(provider)
    session["sso_next"] = safe_next(request.args.get("next"))
    redirect_uri = url_for("auth.sso_callback", provider=config.name, _external=True)
    try:
        return _oauth_client(config.name).authorize_redirect(redirect_uri)
    except requests.RequestException as exc:
        current_app.logger.warning("SSO provider %s unreachable: %s", config.name, exc)
        return render_page(
            "auth/login.html",
            status=503,
            next_url=None,
            email="",
            providers=_providers(),
            error=f"{config.label} is not answering right now. Try again shortly.",
        )


def _oauth_client(name: str) -> Any:  # an Authlib Flask client
    return current_app.extensions["stoa_oauth"].create_client(name)


@bp.get("/sso/<provider>/callback")
def sso_callback(provider: str) -> Response:
    config = _provider(provider)
    client = _oauth_client(config.name)
    try:
        token = client.authorize_access_token()
    except Exception as exc:  # Authlib raises several types for state/code/token problems
        current_app.logger.warning("SSO callback for %s failed: %s", config.name, exc)
        return render_page(
            "auth/login.html",
            status=400,
            next_url=None,
            email="",
            providers=_providers(),
            error="Single sign-on did not complete. Please try again.",
        )
    claims = token.get("userinfo") or {}
    try:
        signed = sso_service.sign_in_with_claims(get_session(), provider=config, claims=claims)
    except Forbidden as exc:
        return render_page(
            "auth/login.html",
            status=403,
            next_url=None,
            email=str(claims.get("email", "")),
            providers=_providers(),
            error=exc.message,
        )
    return _sign_in(signed, session.pop("sso_next", None))
