"""The signed-in person's notifications (outside /p/: they span portals), the bell, preferences."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
)
from flask_login import current_user, login_required
from markupsafe import Markup

from portal.db import get_session
from portal.models.notification import Notification, NotificationPreferencesUpdate
from portal.principal import current_actor
from portal.validation import validated
from portal.web.args import page_arg
from portal.web.htmx import is_partial, render_page
from portal.web.links import SwitchedOff, switched_off_links
from portal.web.pagecache import cacheable
from portal.web.urls import safe_next
from services.events import notifications as service
from services.portals import home_portal_context

bp = Blueprint("notifications", __name__)


def badge_html(count: int, *, oob: bool = False) -> Markup:
    """The bell's count; rendered without the page context processors (1 query total)."""
    template = current_app.jinja_env.get_template("notifications/_badge.html")
    return Markup(template.render(count=count, oob=oob))  # noqa: S704 - autoescaped template


def _layout_context() -> dict[str, Any]:
    """Clients see their notifications inside their own branded portal; staff in the staff area."""
    actor = current_actor()
    if actor.is_staff or actor.company_id is None:
        return {"layout": "layouts/staff.html", "staff_tab": "notifications"}
    g.portal_ctx = home_portal_context(get_session(), actor=actor)
    if g.portal_ctx is None:  # no portal (yet), or a pending one: a plain page
        return {"layout": "layouts/auth.html"}
    return {"layout": "layouts/portal.html", "ctx": g.portal_ctx, "active_tab": None}


def _switched_off(rows: Iterable[Notification]) -> dict[str, SwitchedOff]:
    """The rows' links into tabs switched off since they were sent (listed without a link)."""
    return switched_off_links(get_session(), actor=current_actor(), urls=(n.url for n in rows))


def _open(row: Notification, *, code: int) -> Response:
    """Follow a notification's link (same-site paths only); into a switched-off tab, land on
    the notifications page saying why instead of on a 404."""
    off = switched_off_links(get_session(), actor=current_actor(), urls=[row.url]).get(row.url)
    if off is not None:
        flash(off.message, "info")
        return redirect("/notifications", code=code)
    return redirect(safe_next(row.url) or "/notifications", code=code)


def _filter() -> str:
    value = request.values.get("filter", "all")
    return value if value in service.FILTERS else "all"


def _list(status: int = 200) -> Response:
    view = service.notifications_view(
        get_session(), user_id=current_user.id, filter=_filter(), page=page_arg(request.values)
    )
    resp = render_page(
        "notifications/index.html",
        status=status,
        view=view,
        switched_off=_switched_off(view.rows.items),
        page_title="Notifications",
        **_layout_context(),
    )
    if is_partial() and request.method == "POST":
        resp.set_data(resp.get_data(as_text=True) + str(badge_html(view.unread, oob=True)))
    return resp


def _after_write() -> Response:
    if is_partial():
        return _list()
    return redirect(f"/notifications?filter={_filter()}", code=303)


@bp.get("/notifications")
@login_required
def index() -> Response:
    return _list()


@bp.get("/notifications/badge")
@cacheable
def badge() -> Response:
    if not current_user.is_authenticated:  # signed out elsewhere: keep the page, swap nothing
        return Response(status=204)
    count = service.unread_count(get_session(), user_id=current_user.id)
    resp = make_response(str(badge_html(count)))
    # Every open page polls this every 30 s: the browser keeps the last badge (privately) and
    # asks with If-None-Match; an unchanged count answers 304 with no body. The ETag is the
    # body's hash, so it cannot outlive a change, whoever signs in next.
    resp.headers["Cache-Control"] = "private, no-cache"
    resp.vary.add("Cookie")
    resp.add_etag()
    return resp.make_conditional(request)


# The bell's own event: the badge (and an open panel) reload at once after the person's own
# action changed their notifications, instead of at the next 30 s poll.
BELL_EVENT = "stoa:notifications"


def _add_trigger(resp: Response, event: str) -> None:
    current = resp.headers.get("HX-Trigger")
    if not current:
        resp.headers["HX-Trigger"] = event
    elif current.lstrip().startswith("{"):
        events = json.loads(current)
        events.setdefault(event, {})
        resp.headers["HX-Trigger"] = json.dumps(events)
    elif event not in current:
        resp.headers["HX-Trigger"] = f"{current}, {event}"


@bp.after_app_request
def _bell_follows(resp: Response) -> Response:
    session = g.get("db_session")
    if session is None:
        return resp
    touched = service.touched_users(session)
    if (
        touched
        and resp.status_code < 400
        and request.headers.get("HX-Request")
        and current_user.is_authenticated
        and current_user.id in touched
    ):
        _add_trigger(resp, BELL_EVENT)
    return resp


@bp.get("/notifications/panel")
@login_required
def panel() -> Response:
    """The bell's panel: the latest notifications and "mark all read" (an HTMX fragment)."""
    view = service.panel_view(get_session(), user_id=current_user.id)
    resp = make_response(
        render_template(
            "notifications/_panel.html", view=view, switched_off=_switched_off(view.rows)
        )
    )
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/notifications/<int:notification_id>/go")
@login_required
def follow(notification_id: int) -> Response:
    """Follow a notification's link without writing anything (a GET never marks read)."""
    row = service.get_notification(
        get_session(), user_id=current_user.id, notification_id=notification_id
    )
    return _open(row, code=302)


@bp.post("/notifications/<int:notification_id>/go")
@login_required
def go(notification_id: int) -> Response:
    """Open a notification: mark it read, then follow its link (same-site paths only)."""
    row = service.mark_read(get_session(), user_id=current_user.id, notification_id=notification_id)
    return _open(row, code=303)


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read(notification_id: int) -> Response:
    service.mark_read(get_session(), user_id=current_user.id, notification_id=notification_id)
    return _after_write()


@bp.post("/notifications/<int:notification_id>/archive")
@login_required
def archive(notification_id: int) -> Response:
    service.archive(get_session(), user_id=current_user.id, notification_id=notification_id)
    return _after_write()


@bp.post("/notifications/read-all")
@login_required
def read_all() -> Response:
    count = service.mark_all_read(get_session(), user_id=current_user.id)
    if is_partial() and request.args.get("from") == "panel":
        return panel()
    if not is_partial():
        flash(f"Marked {count} notification{'s' if count != 1 else ''} read.", "success")
    return _after_write()


@bp.post("/account/notifications")
@login_required
def preferences() -> Response:
    """Save the per-type × channel choices posted by the Settings tab or /account."""
    form = request.form
    choices = [
        {
            "notification_type": key,
            "channel_in_app": form.get(f"in_app:{key}") == "1",
            "channel_email": form.get(f"email:{key}") == "1",
        }
        for key in service.TYPES
    ]
    data = validated(NotificationPreferencesUpdate, {"preferences": choices})
    service.save_preferences(get_session(), user_id=current_user.id, data=data)
    flash("Notification preferences saved.", "success")
    return redirect(safe_next(form.get("back")) or "/account", code=303)
