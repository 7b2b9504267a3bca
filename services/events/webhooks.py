"""Outbound webhooks: subscriptions per activity action, signed JSON deliveries with retries.

Every activity row (``services.events.activity.record``) becomes one delivery per matching active
subscription, written in the same transaction and sent by the job worker after commit. A
failed attempt is retried with exponential back-off (``WEBHOOK_RETRY_BASE_SECONDS``, doubling)
until ``WEBHOOK_MAX_ATTEMPTS``; then the delivery is ``failed``. Staff can redeliver any
delivery, which sends the same body again as a new delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import sqlalchemy as sa
import urllib3
from sqlalchemy import ColumnElement, case, delete, or_
from sqlmodel import Session, col, func, select

from portal import crypto, netguard
from portal.db import commit
from portal.errors import Conflict, Invalid, NotFound
from portal.jobs import enqueue_in, job
from portal.models import ActivityLog, Company, DeliveryStatus, WebhookDelivery, WebhookSubscription
from portal.models.activity import STAFF_ONLY_OBJECT_TYPES
from portal.models.base import utcnow
from portal.models.webhook import SUBSCRIBABLE, WebhookSubscriptionCreate
from portal.runtime import get_runtime
from portal.tenancy import Actor, get_for_actor, require_staff, scoped
from portal.web.pagination import Page, paginate
from services.events import outbox

log = logging.getLogger(__name__)

MANAGE_NODE = "webhook.manage"
SIGNATURE_HEADER = "X-Stoa-Signature"
TIMESTAMP_HEADER = "X-Stoa-Timestamp"
EVENT_HEADER = "X-Stoa-Event"
DELIVERY_HEADER = "X-Stoa-Delivery"
USER_AGENT = "Stoa-Webhooks/1"
LOG_PAGE_SIZE = 25

DEFAULTS: dict[str, float] = {
    "WEBHOOK_RETRY_BASE_SECONDS": 30.0,
    "WEBHOOK_MAX_ATTEMPTS": 8,
    "WEBHOOK_TIMEOUT_SECONDS": 5.0,
}


def _setting(name: str) -> float:
    """App config (``create_app`` overrides) first, then the environment, then the default."""
    raw = get_runtime().settings.extra.get(name, os.environ.get(name))
    if not isinstance(raw, int | float | str) or raw == "":
        return DEFAULTS[name]
    try:
        return float(raw)
    except ValueError:
        return DEFAULTS[name]


def retry_delay(attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt: base, 2×base, 4×base, …"""
    return outbox.retry_delay(_setting("WEBHOOK_RETRY_BASE_SECONDS"), attempts)


def sign(secret: str, body: bytes) -> str:
    """The ``X-Stoa-Signature`` value: ``sha256=`` + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def build_payload(row: ActivityLog, company: Company | None) -> str:
    """The JSON body of one event (the same bytes on every attempt and redelivery)."""
    body = {
        "id": row.id,
        "event": row.action,
        "created_at": _iso(row.created_at),
        "company": (
            {"id": company.id, "name": company.name, "slug": company.slug} if company else None
        ),
        "data": {
            "id": row.id,
            "action": row.action,
            "user_id": row.actor_id,
            "actor_label": row.actor_label,
            "object_type": row.object_type or None,
            "object_id": row.object_id,
            "object_label": row.object_label,
            "description": row.description,
            "created_at": _iso(row.created_at),
        },
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


# Emitting and delivering ------------------------------------------------------------------------


def emit_for_activity(session: Session, row: ActivityLog) -> list[WebhookDelivery]:
    """Queue a delivery of ``row`` to every active subscription that wants it (after commit).

    A company's subscription gets only what that company's people could see in their portal:
    staff-only activity (``STAFF_ONLY_OBJECT_TYPES``: the vault, view-as, internal notes, …)
    goes to agency-wide subscriptions alone."""
    audience: list[ColumnElement[bool]] = [col(WebhookSubscription.company_id).is_(None)]
    if row.object_type not in STAFF_ONLY_OBJECT_TYPES:
        audience.append(col(WebhookSubscription.company_id) == row.company_id)
    subs = session.exec(
        select(WebhookSubscription).where(col(WebhookSubscription.active).is_(True), or_(*audience))
    ).all()
    wanted = [s for s in subs if s.wants(row.action, row.company_id)]
    if not wanted:
        return []
    company = session.get(Company, row.company_id) if row.company_id else None
    body = build_payload(row, company)
    now = utcnow()
    deliveries = [
        WebhookDelivery(subscription_id=s.id, event=row.action, payload=body, next_attempt_at=now)
        for s in wanted
        if s.id is not None
    ]
    session.add_all(deliveries)
    session.flush()
    for delivery in deliveries:
        enqueue_in(session, 0, "deliver_webhook", delivery.id)
    return deliveries


@dataclass(frozen=True)
class AttemptResult:
    ok: bool
    status_code: int | None = None
    error: str = ""
    final: bool = False  # retrying cannot help (a refused address, an undecryptable secret)


def allow_private() -> bool:
    """The operator's opt-in for trusted internal receivers (``STOA_WEBHOOK_ALLOW_PRIVATE=1``)."""
    raw = get_runtime().settings.extra.get(
        "WEBHOOK_ALLOW_PRIVATE", os.environ.get("STOA_WEBHOOK_ALLOW_PRIVATE", "")
    )
    return str(raw).strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Outgoing:
    """Everything one attempt needs, read before the claim commits."""

    url: str
    body: bytes
    headers: dict[str, str]


def _outgoing(sub: WebhookSubscription, delivery: WebhookDelivery) -> Outgoing | AttemptResult:
    try:
        secret = crypto.decrypt(sub.secret_encrypted)
    except crypto.DecryptionError:
        return AttemptResult(False, error="The signing secret cannot be decrypted.", final=True)
    body = delivery.payload.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(secret, body),
        TIMESTAMP_HEADER: str(int(time.time())),
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.id),
    }
    return Outgoing(sub.url, body, headers)


def _post(out: Outgoing) -> AttemptResult:
    """Check the address now (pinned for the connection) and POST; never read the answer."""
    try:
        target = netguard.check_url(out.url, allow_private=allow_private())
    except netguard.UnsafeURL as exc:
        return AttemptResult(False, error=f"Refused: {exc}"[:500], final=True)
    except LookupError as exc:
        return AttemptResult(False, error=f"Could not connect: {exc} (DNS)."[:500])
    try:
        answer = netguard.post(
            target, out.body, out.headers, timeout=_setting("WEBHOOK_TIMEOUT_SECONDS")
        )
    except urllib3.exceptions.HTTPError as exc:
        return AttemptResult(False, error=_describe(exc))
    ok = 200 <= answer.status < 300
    return AttemptResult(ok, answer.status, "" if ok else _status_text(answer.status))


def _status_text(code: int) -> str:
    """``HTTP 500 Internal Server Error``: our words for the code, never the receiver's."""
    try:
        return f"HTTP {code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"HTTP {code}"


def _describe(exc: Exception) -> str:
    """A short, readable reason for the delivery log."""
    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        exc = exc.reason
    reason = re.search(r"\[Errno -?\d+\] ([^'\")]+)", str(exc))
    # before TimeoutError: urllib3's NewConnectionError is also a ConnectTimeoutError
    if isinstance(exc, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ProtocolError):
        detail = reason.group(1).strip() if reason else "connection failed"
        return f"Could not connect: {detail} (ConnectionError)."[:500]
    if isinstance(exc, urllib3.exceptions.TimeoutError):
        return f"No answer within {_setting('WEBHOOK_TIMEOUT_SECONDS'):g} s (Timeout)."
    if isinstance(exc, urllib3.exceptions.SSLError):
        return "The TLS handshake or certificate check failed (SSLError)."
    return f"{type(exc).__name__}."[:500]


def lease_seconds() -> float:
    return outbox.setting("OUTBOX_LEASE_SECONDS", 120.0)


@job("deliver_webhook", lane="webhooks")
def deliver_webhook(session: Session, delivery_id: int) -> None:
    """One attempt: claim, POST outside any transaction, record; back-off or give up."""
    pending = DeliveryStatus.pending.value
    if not outbox.claim(
        session, WebhookDelivery, delivery_id, pending=pending, lease_seconds=lease_seconds()
    ):
        return
    delivery = session.get(WebhookDelivery, delivery_id, populate_existing=True)
    if delivery is None:
        return
    sub = session.get(WebhookSubscription, delivery.subscription_id)
    if sub is None or not sub.active:
        delivery.status = DeliveryStatus.failed.value
        delivery.attempts -= 1  # nothing was sent
        delivery.error = "The webhook is inactive."
        delivery.next_attempt_at = delivery.lease_until = None
        delivery.completed_at = utcnow()
        session.add(delivery)
        return
    prepared = _outgoing(sub, delivery)
    commit(session)  # the claim is durable; no transaction stays open during the POST

    result = prepared if isinstance(prepared, AttemptResult) else _post(prepared)

    delivery = session.get(WebhookDelivery, delivery_id, populate_existing=True)
    if delivery is None:  # deleted with its subscription meanwhile
        return
    delivery.lease_until = None
    delivery.last_attempt_at = utcnow()
    delivery.response_code = result.status_code
    delivery.error = result.error
    if result.ok:
        delivery.status = DeliveryStatus.success.value
        delivery.next_attempt_at = None
        delivery.completed_at = delivery.last_attempt_at
    elif result.final or delivery.attempts >= int(_setting("WEBHOOK_MAX_ATTEMPTS")):
        delivery.status = DeliveryStatus.failed.value
        delivery.next_attempt_at = None
        delivery.completed_at = delivery.last_attempt_at
    else:
        delay = retry_delay(delivery.attempts)
        delivery.next_attempt_at = delivery.last_attempt_at + timedelta(seconds=delay)
        enqueue_in(session, delay, "deliver_webhook", delivery.id)
    session.add(delivery)
    log.info(
        "webhook delivery %s (%s) attempt %s: %s",
        delivery.id,
        delivery.event,
        delivery.attempts,
        delivery.status if result.ok or delivery.status == "failed" else result.error,
    )


def overdue_deliveries(session: Session, *, grace_seconds: float = 120) -> list[int]:
    """Pending deliveries well past due and not being sent: their job was lost."""
    return outbox.overdue(
        session, WebhookDelivery, pending=DeliveryStatus.pending.value, grace_seconds=grace_seconds
    )


# Administration ---------------------------------------------------------------------------------


def create_subscription(
    session: Session, *, actor: Actor, data: WebhookSubscriptionCreate
) -> tuple[WebhookSubscription, str]:
    """Register a URL; returns it with its signing secret (shown once, stored encrypted).

    Agency-wide subscriptions need an actor who sees every portal; others one of its companies.
    """
    require_staff(actor, MANAGE_NODE)
    company_id = data.company_id
    if company_id is None:
        if not actor.sees_all:
            raise Invalid(errors={"company_id": ["Choose one of your companies."]})
    elif not actor.can_see_company(company_id) or session.get(Company, company_id) is None:
        raise Invalid(errors={"company_id": ["Choose one of your companies."]})
    try:
        netguard.check_for_save(data.url, allow_private=allow_private())
    except netguard.UnsafeURL as exc:
        raise Invalid(errors={"url": [str(exc)]}) from exc
    secret = "whsec_" + secrets.token_urlsafe(32)
    sub = WebhookSubscription(
        url=data.url,
        description=data.description,
        events=data.events,
        company_id=company_id,
        secret_encrypted=crypto.encrypt(secret),
        created_by_id=actor.user_id,
    )
    session.add(sub)
    session.flush()
    return sub, secret


def get_subscription(
    session: Session, *, actor: Actor, subscription_id: int
) -> WebhookSubscription:
    """A subscription the actor may manage (one of another company's is a 404)."""
    require_staff(actor, MANAGE_NODE)
    return get_for_actor(session, WebhookSubscription, subscription_id, actor)


def set_active(
    session: Session, *, actor: Actor, subscription_id: int, active: bool
) -> WebhookSubscription:
    """Pause or resume a subscription (pending retries of a paused one fail)."""
    sub = get_subscription(session, actor=actor, subscription_id=subscription_id)
    sub.active = active
    session.add(sub)
    session.flush()
    return sub


def delete_subscription(session: Session, *, actor: Actor, subscription_id: int) -> None:
    """Delete a subscription and its delivery log."""
    sub = get_subscription(session, actor=actor, subscription_id=subscription_id)
    session.exec(delete(WebhookDelivery).where(col(WebhookDelivery.subscription_id) == sub.id))
    session.delete(sub)
    session.flush()


def redeliver(
    session: Session, *, actor: Actor, subscription_id: int, delivery_id: int
) -> WebhookDelivery:
    """Send a delivery's body again, as a new delivery pointing at the original."""
    sub = get_subscription(session, actor=actor, subscription_id=subscription_id)
    original = session.get(WebhookDelivery, delivery_id)
    if original is None or original.subscription_id != sub.id:
        raise NotFound()
    if not sub.active:
        raise Conflict("Activate this webhook before redelivering.", code="webhook_inactive")
    copy = WebhookDelivery(
        subscription_id=original.subscription_id,
        event=original.event,
        payload=original.payload,
        redelivery_of_id=original.id,
        next_attempt_at=utcnow(),
    )
    session.add(copy)
    session.flush()
    enqueue_in(session, 0, "deliver_webhook", copy.id)
    return copy


PING_EVENT = "ping"


def send_ping(session: Session, *, actor: Actor, subscription_id: int) -> WebhookDelivery:
    """Queue a ``ping`` event to check a receiver (sent whatever events it subscribes to)."""
    sub = get_subscription(session, actor=actor, subscription_id=subscription_id)
    if not sub.active:
        raise Conflict(
            "Activate this webhook before sending a test event.", code="webhook_inactive"
        )
    company = session.get(Company, sub.company_id) if sub.company_id else None
    body = {
        "id": None,
        "event": PING_EVENT,
        "created_at": _iso(utcnow()),
        "company": (
            {"id": company.id, "name": company.name, "slug": company.slug} if company else None
        ),
        "data": {"subscription_id": sub.id, "events": sub.events, "sent_by": actor.label},
    }
    if sub.id is None:
        raise NotFound()
    ping = WebhookDelivery(
        subscription_id=sub.id,
        event=PING_EVENT,
        payload=json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        next_attempt_at=utcnow(),
    )
    session.add(ping)
    session.flush()
    enqueue_in(session, 0, "deliver_webhook", ping.id)
    return ping


@dataclass(frozen=True)
class SubscriptionRow:
    subscription: WebhookSubscription
    company: Company | None
    delivered: int
    failed: int
    pending: int
    last_delivery_at: datetime | None


def list_subscriptions(session: Session, *, actor: Actor) -> list[SubscriptionRow]:
    """Every subscription the actor may manage, with delivery counts, newest first."""
    require_staff(actor, MANAGE_NODE)
    d = WebhookDelivery
    stats = (
        sa.select(
            col(d.subscription_id),
            func.sum(case((col(d.status) == "success", 1), else_=0)).label("ok"),
            func.sum(case((col(d.status) == "failed", 1), else_=0)).label("bad"),
            func.sum(case((col(d.status) == "pending", 1), else_=0)).label("wait"),
            func.max(d.created_at).label("last"),
        ).group_by(col(d.subscription_id))
    ).subquery()
    # six columns: beyond sqlmodel's typed select(), so SQLAlchemy's select and execute
    rows = session.execute(
        scoped(
            sa.select(
                WebhookSubscription, Company, stats.c.ok, stats.c.bad, stats.c.wait, stats.c.last
            ),
            actor,
            WebhookSubscription,
        )
        .outerjoin(Company, col(Company.id) == WebhookSubscription.company_id)
        .outerjoin(stats, stats.c.subscription_id == WebhookSubscription.id)
        .order_by(col(WebhookSubscription.created_at).desc(), col(WebhookSubscription.id).desc())
    ).all()
    return [
        SubscriptionRow(sub, company, int(ok or 0), int(bad or 0), int(wait or 0), _aware(last))
        for sub, company, ok, bad, wait, last in rows
    ]


def _aware(value: datetime | None) -> datetime | None:
    # Aggregates bypass the column type, so SQLite hands back naive UTC.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def company_choices(session: Session, *, actor: Actor) -> list[Company]:
    """Companies a subscription may be narrowed to."""
    require_staff(actor, MANAGE_NODE)
    return list(
        session.exec(scoped(select(Company), actor, Company).order_by(col(Company.name))).all()
    )


@dataclass(frozen=True)
class WebhooksAdmin:
    """``/admin/webhooks``: the subscriptions, and what the form offers."""

    rows: list[SubscriptionRow]
    companies: list[Company]
    actions: tuple[str, ...] = SUBSCRIBABLE


def admin_view(session: Session, *, actor: Actor) -> WebhooksAdmin:
    return WebhooksAdmin(
        rows=list_subscriptions(session, actor=actor),
        companies=company_choices(session, actor=actor),
    )


@dataclass(frozen=True)
class DeliveryLog:
    subscription: WebhookSubscription
    company: Company | None
    deliveries: Page[WebhookDelivery]


def delivery_log(
    session: Session, *, actor: Actor, subscription_id: int, page: int = 1
) -> DeliveryLog:
    """A subscription and one page of its deliveries, newest first."""
    sub = get_subscription(session, actor=actor, subscription_id=subscription_id)
    deliveries: Page[WebhookDelivery] = paginate(
        session,
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == sub.id)
        .order_by(col(WebhookDelivery.created_at).desc(), col(WebhookDelivery.id).desc()),
        page=page,
        per_page=LOG_PAGE_SIZE,
    )
    company = session.get(Company, sub.company_id) if sub.company_id else None
    return DeliveryLog(sub, company, deliveries)


def subscribe(
    session: Session, *, actor: Actor, data: WebhookSubscriptionCreate
) -> tuple[DeliveryLog, str]:
    """Create a subscription; its (empty) delivery page and the secret to show once."""
    sub, secret = create_subscription(session, actor=actor, data=data)
    return DeliveryLog(
        sub,
        session.get(Company, sub.company_id) if sub.company_id else None,
        Page([], 0, 1, LOG_PAGE_SIZE),
    ), secret
