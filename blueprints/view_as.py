"""View as client: the one request hook that shows the app as a client user sees it, read-only.

While a staff member views as a client, every request runs as that client (``current_user`` and
the actor are theirs), every write is refused here — before any view or gate — and whatever a
page would have written (a notification marked read) is rolled back. Only stopping (and signing
out) gets through. The banner with "Exit" is ``layouts/_view_as.html``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, g, redirect, request, url_for
from flask import session as flask_session
from flask_login import current_user, login_required

from portal.db import get_session, rollback
from portal.errors import Forbidden
from portal.models import User
from portal.principal import current_actor
from services.accounts import view_as as service

bp = Blueprint("view_as", __name__)

SESSION_KEY = "_view_as"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# what a viewing staff member may still post: leaving the view, signing out
WRITES_ALLOWED = frozenset({"view_as.stop", "auth.logout"})


@dataclass(frozen=True)
class ViewingAs:
    staff: User
    user: User


def viewing_as() -> ViewingAs | None:
    view: ViewingAs | None = g.get("view_as")
    return view


def begin(user_id: int) -> None:
    """After :func:`services.accounts.view_as.start_view_as`: this browser now views as them."""
    flask_session[SESSION_KEY] = user_id


@bp.before_app_request
def _view_as_client() -> None:
    if SESSION_KEY not in flask_session or not current_user.is_authenticated:
        return
    staff = current_user._get_current_object()
    user = service.viewed_user(get_session(), staff=staff, user_id=flask_session[SESSION_KEY])
    if user is None:
        flask_session.pop(SESSION_KEY, None)
        return
    g.view_as = ViewingAs(staff=staff, user=user)
    g._login_user = user  # flask-login's current_user: the viewed client, for this request
    g.pop("actor", None)
    if request.method not in SAFE_METHODS and request.endpoint not in WRITES_ALLOWED:
        raise Forbidden(
            f"You are viewing as {user.display_name}: nothing can be changed. "
            "Exit the view to work as yourself."
        )


@bp.after_app_request
def _discard_side_effects(response: Response) -> Response:
    # runs before the request's commit: a page read as the client leaves no trace of the client
    if viewing_as() is not None and request.endpoint not in WRITES_ALLOWED:
        rollback(get_session())
    return response


@bp.app_context_processor
def _banner() -> dict[str, Any]:
    return {"viewing_as": viewing_as()}


@bp.post("/view-as/exit")
@login_required
def stop() -> Response:
    view = viewing_as()
    flask_session.pop(SESSION_KEY, None)
    if view is None:
        return redirect(url_for("admin.index"), code=303)
    g._login_user = view.staff
    g.pop("actor", None)
    service.stop_view_as(get_session(), actor=current_actor(), user_id=view.user.id)  # type: ignore[arg-type]
    return redirect(url_for("people.index", company=view.user.company_id), code=303)
