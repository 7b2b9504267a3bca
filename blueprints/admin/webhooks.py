"""Staff area: outbound webhook subscriptions and their delivery logs (``/admin/webhooks``)."""

from __future__ import annotations

from flask import Response, flash, request, url_for

from blueprints._staff import staff_blueprint
from portal.db import get_session
from portal.errors import Invalid
from portal.principal import current_actor
from portal.web.htmx import hx_redirect, render_page
from services.events import webhooks as service

bp = staff_blueprint("webhooks", __name__)


def _list(status: int = 200, **extra: object) -> Response:
    session, actor = get_session(), current_actor()
    context: dict[str, object] = {
        "form": {"url": "", "description": "", "events": [], "company_id": ""},
        "errors": {},
    }
    context.update(extra)
    return render_page(
        "admin/webhooks.html",
        status=status,
        rows=service.list_subscriptions(session, actor=actor),
        companies=service.company_choices(session, actor=actor),
        actions=service.SUBSCRIBABLE,
        **context,
    )


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() else 1


@bp.get("")
def index() -> Response:
    return _list()


@bp.post("")
def create() -> Response:
    form = request.form
    company_raw = form.get("company_id", "").strip()
    values = {
        "url": form.get("url", ""),
        "description": form.get("description", ""),
        "events": form.getlist("events"),
        "company_id": company_raw,
    }
    try:
        sub, secret = service.create_subscription(
            get_session(),
            actor=current_actor(),
            url=values["url"],
            events=values["events"],
            company_id=int(company_raw) if company_raw.isdigit() else None,
            description=values["description"],
        )
    except Invalid as exc:
        return _list(status=422, form=values, errors=exc.errors)
    log = service.delivery_log(get_session(), actor=current_actor(), subscription_id=sub.id)
    resp = render_page("admin/webhook.html", status=201, log=log, new_secret=secret)
    resp.headers["HX-Push-Url"] = url_for("webhooks.detail", webhook_id=sub.id)
    return resp


@bp.get("/<int:webhook_id>")
def detail(webhook_id: int) -> Response:
    log = service.delivery_log(
        get_session(), actor=current_actor(), subscription_id=webhook_id, page=_page_number()
    )
    return render_page("admin/webhook.html", log=log, new_secret=None)


@bp.post("/<int:webhook_id>/active")
def set_active(webhook_id: int) -> Response:
    active = request.form.get("active") == "1"
    service.set_active(
        get_session(), actor=current_actor(), subscription_id=webhook_id, active=active
    )
    flash("Webhook resumed." if active else "Webhook paused.", "success")
    return hx_redirect(url_for("webhooks.detail", webhook_id=webhook_id))


@bp.post("/<int:webhook_id>/delete")
def delete(webhook_id: int) -> Response:
    service.delete_subscription(get_session(), actor=current_actor(), subscription_id=webhook_id)
    flash("Webhook deleted.", "success")
    return hx_redirect(url_for("webhooks.index"))


@bp.post("/<int:webhook_id>/deliveries/<int:delivery_id>/redeliver")
def redeliver(webhook_id: int, delivery_id: int) -> Response:
    service.redeliver(
        get_session(),
        actor=current_actor(),
        subscription_id=webhook_id,
        delivery_id=delivery_id,
    )
    flash("Redelivery queued.", "success")
    return hx_redirect(url_for("webhooks.detail", webhook_id=webhook_id))


@bp.post("/<int:webhook_id>/ping")
def ping(webhook_id: int) -> Response:
    service.send_ping(get_session(), actor=current_actor(), subscription_id=webhook_id)
    flash("Test event queued; it appears in the log below.", "success")
    return hx_redirect(url_for("webhooks.detail", webhook_id=webhook_id))
