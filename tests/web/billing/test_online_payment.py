"""Pay now through Stripe Checkout (the real stripe library against the local fake Stripe);
payments recorded only from the signed webhook, once per event."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlmodel import select

from portal.models import InvoicePayment
from portal.models.billing import StripeEvent
from tests.factories.billing import make_invoice
from tests.fakes.stripe import SECRET_KEY, WEBHOOK_SECRET, FakeStripe

BASE = "/p/acme-test/invoices"
HOOK = "/webhooks/stripe"


@pytest.fixture
def fake_stripe(runtime) -> Iterator[FakeStripe]:  # noqa: ANN001
    """Online payment configured, the stripe library pointed at a running fake."""
    original = runtime.settings
    with FakeStripe() as fake:
        runtime.settings = dataclasses.replace(
            original,
            stripe_secret_key=SECRET_KEY,
            stripe_webhook_secret=WEBHOOK_SECRET,
            stripe_api_base=fake.url,
            base_url="http://portal.test",
        )
        try:
            yield fake
        finally:
            runtime.settings = original


def _checkout(client, fake: FakeStripe, invoice_id: int) -> str:  # noqa: ANN001
    resp = client.post(f"{BASE}/{invoice_id}/pay", headers={"HX-Request": "true"})
    assert resp.status_code in (200, 204), resp.get_data(as_text=True)[:500]
    url = resp.headers["HX-Redirect"]
    assert url.startswith(f"{fake.url}/pay/cs_test_")
    return url.rsplit("/", 1)[1]


def _deliver(client, fake: FakeStripe, event: dict, secret: str | None = None):  # noqa: ANN001, ANN202
    body, header = fake.signed(event, secret)
    return client.post(
        HOOK, data=body, headers={"Stripe-Signature": header, "Content-Type": "application/json"}
    )


def test_no_pay_button_without_stripe_configuration(client, login, db, tenants) -> None:
    inv = make_invoice(db, tenants.staff_admin, tenants.acme)
    login(tenants.acme_admin)
    page = client.get(f"{BASE}/{inv.id}").get_data(as_text=True)
    assert "Pay now" not in page
    assert client.post(f"{BASE}/{inv.id}/pay").status_code == 404
    assert client.post(HOOK, data=b"{}").status_code == 404


def test_pay_now_checkout_and_signed_webhook_record_the_payment(
    client, login, db, tenants, fake_stripe
) -> None:
    inv = make_invoice(db, tenants.staff_admin, tenants.acme, payments=["44.99"])
    login(tenants.acme_collab)
    page = client.get(f"{BASE}/{inv.id}").get_data(as_text=True)
    assert "Pay now" in page and "$3,000.00" in page  # the balance
    sid = _checkout(client, fake_stripe, inv.id)
    session = fake_stripe.sessions[sid]
    assert session["amount_total"] == 300000 and session["currency"] == "usd"
    assert session["metadata"]["invoice_id"] == str(inv.id)
    assert session["success_url"] == f"http://portal.test{BASE}/{inv.id}?paid=1"
    # the checkout alone records nothing
    assert (
        len(db.exec(select(InvoicePayment).where(InvoicePayment.invoice_id == inv.id)).all()) == 1
    )
    event = fake_stripe.complete(sid)
    resp = _deliver(client, fake_stripe, event)
    assert resp.status_code == 200 and resp.get_json()["recorded"] is True
    db.refresh(inv)
    assert inv.status == "paid" and inv.balance == Decimal("0.00")
    online = db.exec(
        select(InvoicePayment).where(
            InvoicePayment.invoice_id == inv.id, InvoicePayment.method == "online"
        )
    ).one()
    assert online.amount == Decimal("3000.00") and "pi_" in online.reference
    page = client.get(f"{BASE}/{inv.id}?paid=1").get_data(as_text=True)
    assert "Payment received" in page and "Pay now" not in page


def test_a_replayed_webhook_records_nothing_twice(client, login, db, tenants, fake_stripe) -> None:
    inv = make_invoice(db, tenants.staff_admin, tenants.acme)
    login(tenants.acme_admin)
    event = fake_stripe.complete(_checkout(client, fake_stripe, inv.id))
    assert _deliver(client, fake_stripe, event).get_json()["recorded"] is True
    again = _deliver(client, fake_stripe, event)
    assert again.status_code == 200 and again.get_json()["recorded"] is False
    payments = db.exec(select(InvoicePayment).where(InvoicePayment.invoice_id == inv.id)).all()
    assert len(payments) == 1
    assert db.exec(select(StripeEvent).where(StripeEvent.event_id == event["id"])).one()


def test_a_bad_signature_is_refused_and_changes_nothing(
    client, login, db, tenants, fake_stripe
) -> None:
    inv = make_invoice(db, tenants.staff_admin, tenants.acme)
    login(tenants.acme_admin)
    event = fake_stripe.complete(_checkout(client, fake_stripe, inv.id))
    assert _deliver(client, fake_stripe, event, secret="whsec_not_ours").status_code == 400
    body, _ = fake_stripe.signed(event)
    assert client.post(HOOK, data=body).status_code == 400  # no signature at all
    tampered = {**event, "data": {"object": {**event["data"]["object"], "amount_total": 1}}}
    body, header = fake_stripe.signed(event)
    import json

    resp = client.post(
        HOOK, data=json.dumps(tampered).encode(), headers={"Stripe-Signature": header}
    )
    assert resp.status_code == 400
    db.refresh(inv)
    assert inv.status == "sent" and inv.paid_minor == 0
    assert db.exec(select(StripeEvent)).all() == []


def test_a_partial_online_payment_in_a_zero_decimal_currency(
    client, login, db, tenants, fake_stripe
) -> None:
    inv = make_invoice(
        db,
        tenants.staff_admin,
        tenants.acme,
        currency="JPY",
        lines=[{"description": "Localisation", "unit_price": "120000"}],
    )
    login(tenants.acme_admin)
    sid = _checkout(client, fake_stripe, inv.id)
    assert fake_stripe.sessions[sid]["amount_total"] == 120000  # yen have no minor unit
    fake_stripe.sessions[sid]["amount_total"] = 50000  # the client paid part (e.g. a coupon)
    _deliver(client, fake_stripe, fake_stripe.complete(sid))
    db.refresh(inv)
    assert inv.status == "partial" and inv.balance == Decimal(70000)


def test_viewers_and_settled_invoices_get_no_checkout(
    client, login, db, tenants, fake_stripe
) -> None:
    paid = make_invoice(
        db,
        tenants.staff_admin,
        tenants.acme,
        lines=[{"description": "Audit", "unit_price": "10"}],
        payments=["10"],
    )
    login(tenants.acme_admin)
    assert "Pay now" not in client.get(f"{BASE}/{paid.id}").get_data(as_text=True)
    assert client.post(f"{BASE}/{paid.id}/pay").status_code == 409
    open_one = make_invoice(db, tenants.staff_admin, tenants.acme)
    login(tenants.acme_viewer)
    assert "Pay now" not in client.get(f"{BASE}/{open_one.id}").get_data(as_text=True)
    assert client.post(f"{BASE}/{open_one.id}/pay").status_code == 403
    assert fake_stripe.sessions == {}


def test_another_tenant_cannot_open_a_checkout(client, login, db, tenants, fake_stripe) -> None:
    inv = make_invoice(db, tenants.staff_admin, tenants.acme)
    login(tenants.globex_admin)
    assert client.post(f"/p/globex-test/invoices/{inv.id}/pay").status_code == 404
    assert client.post(f"{BASE}/{inv.id}/pay").status_code == 404
    assert fake_stripe.sessions == {}


def test_money_paid_on_an_invoice_voided_meanwhile_is_kept_and_flagged_for_refund(
    client, login, db, tenants, fake_stripe
) -> None:
    inv = make_invoice(db, tenants.staff_admin, tenants.acme)
    login(tenants.acme_admin)
    sid = _checkout(client, fake_stripe, inv.id)  # the client is on Stripe's page…
    login(tenants.staff_admin)
    assert client.post(f"{BASE}/{inv.id}/void", data={"reason": "Duplicate"}).status_code == 303
    event = fake_stripe.complete(sid)  # …and pays after all
    assert _deliver(client, fake_stripe, event).get_json()["recorded"] is True
    db.refresh(inv)
    assert inv.status == "void"  # a payment does not bring a void invoice back to life
    assert inv.refund_due == inv.total == Decimal("3044.99")
    page = client.get(f"{BASE}/{inv.id}").get_data(as_text=True)
    assert "Refund due" in page and "$3,044.99" in page
    staff_list = client.get("/admin/invoices/").get_data(as_text=True)
    assert "Refund due" in staff_list
    assert "Refund due" in client.get("/admin/invoices/?status=refund").get_data(as_text=True)
    login(tenants.acme_admin)
    page = client.get(f"{BASE}/{inv.id}?paid=1").get_data(as_text=True)
    assert "Payment received" in page and "part paid" not in page
    assert "will refund or credit it" in page and "Pay now" not in page


def test_three_decimal_currencies_are_charged_in_tens_of_minor_units(
    client, login, db, tenants, fake_stripe
) -> None:
    """Stripe takes amounts in three-decimal currencies only as multiples of 10 minor units:
    the checkout asks for the balance rounded down to one (never more than is owed)."""
    inv = make_invoice(
        db,
        tenants.staff_admin,
        tenants.acme,
        currency="KWD",
        lines=[{"description": "Retainer", "unit_price": "120.125"}],
    )
    login(tenants.acme_admin)
    assert "120.120 KWD" in client.get(f"{BASE}/{inv.id}").get_data(as_text=True)  # what is paid
    sid = _checkout(client, fake_stripe, inv.id)
    assert fake_stripe.sessions[sid]["amount_total"] == 120120
    _deliver(client, fake_stripe, fake_stripe.complete(sid))
    db.refresh(inv)
    assert inv.status == "partial" and inv.balance == Decimal("0.005")
    page = client.get(f"{BASE}/{inv.id}").get_data(as_text=True)
    assert "Pay now" not in page  # 0.005 KWD is less than Stripe can charge
    assert client.post(f"{BASE}/{inv.id}/pay").status_code == 409


def test_icelandic_kronur_go_to_stripe_with_two_decimals(
    client, login, db, tenants, fake_stripe
) -> None:
    """ISK has no minor unit, but Stripe's API keeps it two-decimal (100 = 1 króna): 12,000 kr
    are asked for as 1200000, and read back from the webhook as 12,000 kr."""
    inv = make_invoice(
        db,
        tenants.staff_admin,
        tenants.acme,
        currency="ISK",
        lines=[{"description": "Translation", "unit_price": "12000"}],
    )
    login(tenants.acme_admin)
    sid = _checkout(client, fake_stripe, inv.id)
    assert fake_stripe.sessions[sid]["amount_total"] == 1200000
    _deliver(client, fake_stripe, fake_stripe.complete(sid))
    db.refresh(inv)
    assert inv.status == "paid" and inv.amount_paid == Decimal(12000)
