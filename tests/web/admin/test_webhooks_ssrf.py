"""Red-team #3 (SSRF): without the operator's opt-in, a webhook cannot point inside the
network — refused when saved (422, with the reason) and again before every request."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.db import commit
from portal.models import WebhookDelivery, WebhookSubscription
from portal.models.webhook import WebhookSubscriptionCreate
from portal.tenancy import actor_for_user
from services.events import webhooks as service

INSIDE = [
    "http://127.0.0.1:8000/hook",
    "http://localhost/hook",
    "http://0x7f.1/hook",
    "http://2130706433/hook",
    "http://0177.0.0.1/hook",
    "http://0.0.0.0:5432/",
    "http://[::1]/hook",
    "http://10.0.0.1/hook",
    "http://169.254.169.254/latest/meta-data/",
]


@pytest.mark.parametrize("url", INSIDE)
@pytest.mark.parametrize("hx", [True, False])
def test_saving_an_inside_address_is_a_422_with_the_reason(
    client, login, db, tenants, url, hx
) -> None:
    login(tenants.staff_admin)
    resp = client.post(
        "/admin/webhooks",
        data={"url": url, "events": ["client_invited"]},
        headers={"HX-Request": "true"} if hx else {},
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "webhooks may only call public addresses" in html or "dotted IP address" in html
    assert db.exec(select(WebhookSubscription)).all() == []


def test_the_service_refuses_it_for_every_caller(db, tenants) -> None:
    from portal.errors import Invalid

    staff = actor_for_user(db, tenants.staff_admin)
    with pytest.raises(Invalid) as err:
        service.create_subscription(
            db, actor=staff, data=WebhookSubscriptionCreate(url="http://127.1/", events=["*"])
        )
    assert "dotted IP address" in err.value.errors["url"][0]


def test_a_saved_url_that_now_points_inside_is_refused_at_send(
    app, db, tenants, webhook_receiver, runtime, monkeypatch
) -> None:
    """Saved while the opt-in was on (or while its name was public); refused when sent."""
    staff = actor_for_user(db, tenants.staff_admin)
    monkeypatch.setitem(runtime.settings.extra, "WEBHOOK_ALLOW_PRIVATE", True)
    sub, _ = service.create_subscription(
        db,
        actor=staff,
        data=WebhookSubscriptionCreate(url=webhook_receiver.url, events=["*"]),
    )
    monkeypatch.setitem(runtime.settings.extra, "WEBHOOK_ALLOW_PRIVATE", False)
    service.send_ping(db, actor=staff, subscription_id=sub.id)
    with app.app_context():
        commit(db)
    db.expire_all()
    [delivery] = db.exec(select(WebhookDelivery)).all()
    assert webhook_receiver.requests == []
    assert delivery.status == "failed" and delivery.response_code is None
    assert delivery.error.startswith("Refused: 127.0.0.1 is a loopback address")


def test_the_log_shows_our_status_words_never_the_receivers_body(
    app, client, login, db, tenants, webhook_receiver, allow_private_webhooks, runtime, monkeypatch
) -> None:
    monkeypatch.setitem(runtime.settings.extra, "WEBHOOK_MAX_ATTEMPTS", 1)
    webhook_receiver.default = 500  # answers "receiver says no"
    staff = actor_for_user(db, tenants.staff_admin)
    sub, _ = service.create_subscription(
        db, actor=staff, data=WebhookSubscriptionCreate(url=webhook_receiver.url, events=["*"])
    )
    service.send_ping(db, actor=staff, subscription_id=sub.id)
    with app.app_context():
        commit(db)
    login(tenants.staff_admin)
    html = client.get(f"/admin/webhooks/{sub.id}").get_data(as_text=True)
    assert "HTTP 500" in html and "badge-failed" in html
    assert "receiver says no" not in html
