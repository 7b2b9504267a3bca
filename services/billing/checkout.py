"""Online payment of invoices through Stripe Checkout.

"Pay now" creates a Checkout Session for the invoice's balance and sends the client to Stripe's
hosted page. Nothing is recorded then: a payment exists only once Stripe's signed webhook
(``checkout.session.completed``) arrives — its signature checked with the webhook secret, its
event id kept so a replay records nothing twice. Configured by ``STRIPE_SECRET_KEY`` and
``STRIPE_WEBHOOK_SECRET`` (``STRIPE_API_BASE`` points the library at a local fake in tests and
the demo); without both, online payment is not offered.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import stripe
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.errors import BadRequest, Conflict, Invalid, NotFound, Unavailable
from portal.models import Invoice, InvoicePayment
from portal.models.billing import OPEN_STATUSES, InvoiceStatus, StripeEvent, minor_units
from portal.models.user import ClientRole
from portal.runtime import get_runtime
from portal.tenancy import Actor, require_client_role
from portal.web.args import parse_int
from services.billing import apply_payment, get_invoice

log = logging.getLogger(__name__)

COMPLETED = "checkout.session.completed"
# the actor named in the history of a payment Stripe confirmed
STRIPE_ACTOR = Actor(kind="anonymous", label="Online payment (Stripe)")


class PaymentUnavailable(Unavailable):
    """Online payment is not available right now; nothing was charged."""

    code = "payment_unavailable"


class BadWebhook(BadRequest):
    """A webhook that is not Stripe's (its signature does not verify): refused."""

    code = "bad_webhook"


@dataclass(frozen=True)
class StripeConfig:
    secret_key: str
    webhook_secret: str
    api_base: str | None


def stripe_config() -> StripeConfig | None:
    """The configured Stripe account, or None: online payment is then not offered."""
    settings = get_runtime().settings
    if not (settings.stripe_secret_key and settings.stripe_webhook_secret):
        return None
    return StripeConfig(
        settings.stripe_secret_key, settings.stripe_webhook_secret, settings.stripe_api_base
    )


def online_payment_enabled() -> bool:
    return stripe_config() is not None


# Stripe counts ISK with two decimals though it has no minor unit (100 = 1 króna, whole krónur
# only: Stripe's "special cases"); every other currency it counts as ISO 4217 does
STRIPE_DIGITS: dict[str, int] = {"ISK": 2}


def _stripe_scale(currency: str) -> int:
    return 10 ** (STRIPE_DIGITS.get(currency, minor_units(currency)) - minor_units(currency))


def to_stripe_amount(minor: int, currency: str) -> int:
    """An amount in the currency's minor units as Stripe's API counts it."""
    return minor * _stripe_scale(currency)


def from_stripe_amount(amount: int, currency: str) -> int:
    """Stripe's amount back in the currency's minor units."""
    return amount // _stripe_scale(currency)


def chargeable_minor(invoice: Invoice) -> int:
    """What Stripe can charge of the invoice's balance, in minor units. Stripe takes amounts
    in a three-decimal currency (KWD, JOD, OMR, TND, BHD) only as multiples of 10 ("round
    amounts to the nearest ten", Stripe's currency docs): the balance is rounded *down* to one,
    so nobody is charged more than they owe; the last few fils stay open, settled another way."""
    balance = invoice.total_minor - invoice.paid_minor
    if minor_units(invoice.currency) == 3:
        balance -= balance % 10
    return max(balance, 0)


def payable(invoice: Invoice) -> bool:
    """Sent, part paid or overdue (derived from those) with something Stripe can charge."""
    return invoice.status in OPEN_STATUSES and chargeable_minor(invoice) > 0


def _client(config: StripeConfig) -> stripe.StripeClient:
    if config.api_base:
        return stripe.StripeClient(config.secret_key, base_addresses={"api": config.api_base})
    return stripe.StripeClient(config.secret_key)


def start_checkout(
    session: Session,
    *,
    actor: Actor,
    invoice_id: int,
    success_url: str,
    cancel_url: str,
) -> str:
    """Open a Checkout Session for the invoice's balance; returns the hosted page's URL."""
    config = stripe_config()
    if config is None:  # no online payment on this install: the route is not there
        raise NotFound("Online payment is not available.")
    invoice = get_invoice(session, actor=actor, invoice_id=invoice_id)
    require_client_role(actor, ClientRole.collaborator, "Ask a collaborator to pay this invoice.")
    if not payable(invoice):
        raise Conflict("Nothing is left to pay on this invoice.", code="invoice_not_payable")
    balance = chargeable_minor(invoice)
    try:
        checkout = _client(config).v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "success_url": success_url,
                "cancel_url": cancel_url,
                "client_reference_id": str(invoice.id),
                "metadata": {"invoice_id": str(invoice.id), "invoice_number": invoice.number},
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": invoice.currency.lower(),
                            "unit_amount": to_stripe_amount(balance, invoice.currency),
                            "product_data": {"name": f"Invoice {invoice.number}"},
                        },
                    }
                ],
            }
        )
    except stripe.StripeError as exc:
        log.warning("Stripe refused a checkout session for %s: %s", invoice.number, exc)
        raise PaymentUnavailable(
            "The payment provider could not be reached. Try again in a moment."
        ) from None
    if not checkout.url:
        raise PaymentUnavailable("The payment provider gave no payment page.")
    return str(checkout.url)


def _verified_event(payload: bytes, signature: str, secret: str) -> dict[str, Any]:
    """The event, once its signature verifies (the library checks it); read as plain JSON."""
    try:
        stripe.Webhook.construct_event(payload, signature, secret)
        event = json.loads(payload)
    except (ValueError, stripe.SignatureVerificationError):
        raise BadWebhook("The webhook signature does not verify.") from None
    if not isinstance(event, dict) or "id" not in event or "type" not in event:
        raise BadWebhook("That is not a Stripe event.")
    return event


def handle_webhook(session: Session, *, payload: bytes, signature: str) -> InvoicePayment | None:
    """Apply one Stripe webhook: verify it, then record the payment of a completed checkout
    once per event id. Returns the payment recorded (None for a replay or another event)."""
    config = stripe_config()
    if config is None:
        raise NotFound("Online payment is not configured.")
    event = _verified_event(payload, signature, config.webhook_secret)
    event_id, event_type = str(event["id"]), str(event["type"])
    if session.exec(select(StripeEvent.id).where(StripeEvent.event_id == event_id)).first():
        return None
    row = StripeEvent(event_id=event_id, type=event_type)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None  # the same event delivered twice at once: the other one records it
    if event_type != COMPLETED:
        return None
    checkout = (event.get("data") or {}).get("object") or {}
    if not isinstance(checkout, dict) or checkout.get("payment_status") != "paid":
        return None
    return _record(session, checkout, row)


def _record(session: Session, checkout: Any, row: StripeEvent) -> InvoicePayment | None:
    metadata = checkout.get("metadata") or {}
    raw_id = str(metadata.get("invoice_id") or checkout.get("client_reference_id") or "")
    invoice_id = parse_int(raw_id, minimum=1)
    invoice = session.get(Invoice, invoice_id) if invoice_id is not None else None
    if invoice is None:
        log.warning("Stripe checkout %s names no invoice of ours", checkout.get("id"))
        return None
    row.invoice_id = invoice.id
    session.add(row)
    session.refresh(invoice, with_for_update=True)
    currency = str(checkout.get("currency") or "").upper()
    amount_minor = checkout.get("amount_total")
    if currency != invoice.currency or not isinstance(amount_minor, int) or amount_minor <= 0:
        raise Invalid(f"Checkout {checkout.get('id')} does not match {invoice.number}.")
    if invoice.status == InvoiceStatus.void or invoice.sent_at is None:
        # money taken is never lost: recorded, and owed back (``Invoice.refund_due``)
        log.warning(
            "Stripe paid %s, which is %s: recorded, refund due", invoice.number, invoice.status
        )
    reference = str(checkout.get("payment_intent") or checkout.get("id") or "")
    # amount_total counts as Stripe does (ISO 4217 digits but for ISK); payments store the
    # currency's minor units, read back as a Decimal by InvoicePayment.amount
    return apply_payment(
        session,
        actor=STRIPE_ACTOR,
        invoice=invoice,
        amount_minor=from_stripe_amount(amount_minor, invoice.currency),
        paid_on=datetime.now(UTC).date(),
        method="online",
        reference=f"Stripe {reference}",
    )
