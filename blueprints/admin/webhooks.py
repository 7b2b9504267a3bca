"""Staff area: outbound webhook subscriptions and their delivery logs (``/admin/webhooks``)."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, request, url_for

from blueprints._staff import staff_blueprint
from portal.db import get_session
from portal.errors import Invalid
from portal.models.webhook import WebhookSubscriptionCreate
from portal.principal import current_actor
from portal.validation import form_data, validated
from portal.web.args import arg_int, page_arg
from portal.web.htmx import hx_redirect, render_page
from services.events import webhooks as service

bp = staff_blueprint("webhooks", __name__)


def _list(status: int = 200, **extra: Any) -> Response:
    context: dict[str, Any] = {
        "form": {"url": "", "description": "", "events": [], "company_id": ""},
        "errors": {},
    }
    context.update(extra)
    view = service.admin_view(get_session(), actor=current_actor())
    return render_page("admin/webhooks.html", status=status, view=view, **context)


@bp.get("")
def index() -> Response:
    return _list()


@bp.post("")
def create() -> Response:
    form = form_data(request.form, lists=("events",))
    try:
        data = validated(
            WebhookSubscriptionCreate, form | {"company_id": arg_int(request.form, "company_id")}
        )
        log, secret = service.subscribe(get_session(), actor=current_actor(), data=data)
    except Invalid as exc:
        values = {k: form.get(k, "") for k in ("url", "description", "company_id")}
        return _list(status=422, form=values | {"events": form["events"]}, errors=exc.errors)
    resp = render_page("admin/webhook.html", status=201, log=log, new_secret=secret)
    resp.headers["HX-Push-Url"] = url_for("webhooks.detail", webhook_id=log.subscription.id)
    return resp


@bp.get("/<int:webhook_id>")
def detail(webhook_id: int) -> Response:
    log = service.delivery_log(
        get_session(),
        actor=current_actor(),
        subscription_id=webhook_id,
        page=page_arg(request.args),
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
