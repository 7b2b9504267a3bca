"""Outbound webhooks end to end, against a real receiver on localhost (in-process jobs)."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from portal import crypto
from portal.db import commit
from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.models import Role, UserRole, WebhookDelivery, WebhookSubscription
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.user import InviteCreate
from portal.models.webhook import WebhookSubscriptionCreate
from portal.tenancy import actor_for_user
from portal.validation import validated
from services.accounts import auth
from services.events import activity
from services.events import webhooks as service

# the local receiver listens on 127.0.0.1: these tests opt in to private addresses
pytestmark = pytest.mark.usefixtures("allow_private_webhooks")


@pytest.fixture
def fast_retries(runtime, monkeypatch):
    monkeypatch.setitem(runtime.settings.extra, "WEBHOOK_RETRY_BASE_SECONDS", 0.05)
    monkeypatch.setitem(runtime.settings.extra, "WEBHOOK_MAX_ATTEMPTS", 4)


@pytest.fixture
def staff(db, tenants):
    return actor_for_user(db, tenants.staff_admin)


def subscribe(db, actor, url, events=("client_invited",), **kw):
    data = validated(WebhookSubscriptionCreate, {"url": url, "events": list(events), **kw})
    return service.create_subscription(db, actor=actor, data=data)


def invite_and_commit(app, db, actor, company, email="new.person@example.test"):
    inv = auth.invite(
        db,
        actor=actor,
        company_id=company.id,
        data=InviteCreate(email=email),
        base_url="http://testserver",
    )
    with app.app_context():
        commit(db)
    return inv


def deliveries(db, sub):
    db.expire_all()
    return db.exec(
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == sub.id)
        .order_by(WebhookDelivery.id)
    ).all()


def test_client_invited_reaches_a_subscriber_correctly_signed(
    app, db, tenants, staff, webhook_receiver, settle_jobs, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    sub, secret = subscribe(db, staff, webhook_receiver.url)
    before = int(time.time())
    invite_and_commit(app, db, staff, tenants.acme)
    assert settle_jobs(10)

    assert len(webhook_receiver.requests) == 1
    got = webhook_receiver.requests[0]
    assert got.signature_valid(secret)
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["X-Stoa-Event"] == "client_invited"
    assert before - 1 <= int(got.headers["X-Stoa-Timestamp"]) <= int(time.time()) + 1
    body = json.loads(got.body)
    assert body["event"] == "client_invited"
    assert body["company"] == {"id": tenants.acme.id, "name": "Acme Test", "slug": "acme-test"}
    assert body["data"]["object_label"] == "new.person@example.test"
    assert body["data"]["action"] == "client_invited"
    assert set(body) == {"id", "event", "created_at", "company", "data"}

    [delivery] = deliveries(db, sub)
    assert got.headers["X-Stoa-Delivery"] == str(delivery.id)
    assert delivery.status == "success"
    assert delivery.attempts == 1
    assert delivery.response_code == 200
    assert delivery.completed_at is not None
    assert "webhook delivery" in caplog.text and secret not in caplog.text  # never logged


def test_receiver_failing_twice_gets_the_third_retry(
    app, db, tenants, staff, webhook_receiver, settle_jobs, fast_retries
) -> None:
    webhook_receiver.statuses = [500, 503]
    sub, secret = subscribe(db, staff, webhook_receiver.url)
    invite_and_commit(app, db, staff, tenants.acme)
    assert settle_jobs(10)

    assert [r.signature_valid(secret) for r in webhook_receiver.requests] == [True] * 3
    assert len({r.headers["X-Stoa-Delivery"] for r in webhook_receiver.requests}) == 1
    assert len({r.body for r in webhook_receiver.requests}) == 1  # same body on every attempt
    [delivery] = deliveries(db, sub)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("success", 3, 200)
    assert delivery.error == ""


def test_receiver_that_always_fails_ends_failed_after_max_attempts(
    app, db, tenants, staff, webhook_receiver, settle_jobs, fast_retries
) -> None:
    webhook_receiver.default = 500
    sub, _ = subscribe(db, staff, webhook_receiver.url)
    invite_and_commit(app, db, staff, tenants.acme)
    assert settle_jobs(10)

    assert len(webhook_receiver.requests) == 4
    [delivery] = deliveries(db, sub)
    assert delivery.status == "failed"
    assert delivery.attempts == 4
    assert delivery.response_code == 500
    # our words for the status, never the receiver's body (red-team #3: no echo, no oracle)
    assert delivery.error == "HTTP 500 Internal Server Error"
    assert "receiver says no" not in repr(delivery.model_dump())
    assert delivery.next_attempt_at is None


def test_unreachable_receiver_records_the_connection_error(
    app, db, tenants, staff, settle_jobs, fast_retries, monkeypatch, runtime
) -> None:
    monkeypatch.setitem(runtime.settings.extra, "WEBHOOK_MAX_ATTEMPTS", 1)
    sub, _ = subscribe(db, staff, "http://127.0.0.1:9/nothing-listens-here")
    invite_and_commit(app, db, staff, tenants.acme)
    assert settle_jobs(10)
    [delivery] = deliveries(db, sub)
    assert delivery.status == "failed"
    assert delivery.response_code is None
    assert delivery.error == "Could not connect: Connection refused (ConnectionError)."


def test_slow_receiver_times_out(
    app, db, tenants, staff, webhook_receiver, settle_jobs, monkeypatch, runtime
) -> None:
    monkeypatch.setitem(runtime.settings.extra, "WEBHOOK_MAX_ATTEMPTS", 1)
    monkeypatch.setitem(runtime.settings.extra, "WEBHOOK_TIMEOUT_SECONDS", 0.2)
    webhook_receiver.delay = 0.6
    sub, _ = subscribe(db, staff, webhook_receiver.url)
    invite_and_commit(app, db, staff, tenants.acme)
    assert settle_jobs(10)
    [delivery] = deliveries(db, sub)
    assert delivery.status == "failed"
    assert delivery.error == "No answer within 0.2 s (Timeout)."


def test_back_off_doubles_from_the_configured_base(runtime, monkeypatch) -> None:
    monkeypatch.setitem(runtime.settings.extra, "WEBHOOK_RETRY_BASE_SECONDS", 30)
    assert [service.retry_delay(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


def test_only_matching_active_subscriptions_get_deliveries(db, tenants, staff) -> None:
    every, _ = subscribe(db, staff, "https://hooks.example.test/all", events=["*"])
    invites, _ = subscribe(db, staff, "https://hooks.example.test/inv")
    tasks, _ = subscribe(db, staff, "https://hooks.example.test/tasks", events=["task_created"])
    globex_only, _ = subscribe(
        db, staff, "https://hooks.example.test/g", company_id=tenants.globex.id
    )
    paused, _ = subscribe(db, staff, "https://hooks.example.test/p")
    service.set_active(db, actor=staff, subscription_id=paused.id, active=False)

    activity.record(db, actor=staff, company_id=tenants.acme.id, action=Action.client_invited)

    got = db.exec(select(WebhookDelivery.subscription_id)).all()
    assert sorted(got) == sorted([every.id, invites.id])
    assert tasks.id not in got and globex_only.id not in got and paused.id not in got


def test_nothing_is_sent_when_the_transaction_rolls_back(
    app, db, tenants, staff, webhook_receiver, settle_jobs
) -> None:
    subscribe(db, staff, webhook_receiver.url)
    with app.app_context():
        commit(db)
    nested = db.begin_nested()
    auth.invite(
        db,
        actor=staff,
        company_id=tenants.acme.id,
        data=InviteCreate(email="x@example.test"),
        base_url="http://t",
    )
    nested.rollback()
    # Even if queued work outlived the rollback, its delivery row is gone: nothing is sent.
    with app.app_context():
        commit(db)
    assert settle_jobs(5)
    assert webhook_receiver.requests == []
    assert db.exec(select(WebhookDelivery)).all() == []


def test_overdue_deliveries_are_retried_by_the_cli(
    app, db, tenants, staff, webhook_receiver, settle_jobs
) -> None:
    sub, _ = subscribe(db, staff, webhook_receiver.url)
    activity.record(db, actor=staff, company_id=tenants.acme.id, action=Action.client_invited)
    db.info.pop("after_commit", None)  # as if the process died before the timer fired
    delivery = db.exec(select(WebhookDelivery)).one()
    delivery.next_attempt_at = utcnow() - timedelta(minutes=10)
    delivery.attempts = 2
    db.add(delivery)
    with app.app_context():
        commit(db)

    result = app.test_cli_runner().invoke(args=["webhooks", "retry-overdue"])
    assert result.exit_code == 0, result.output
    assert "1 overdue delivery retried." in result.output
    assert settle_jobs(10)
    assert len(webhook_receiver.requests) == 1
    [row] = deliveries(db, sub)
    assert (row.status, row.attempts) == ("success", 3)
    again = app.test_cli_runner().invoke(args=["webhooks", "retry-overdue"])
    assert "0 overdue deliveries retried." in again.output


def test_secret_is_encrypted_at_rest(db, staff) -> None:
    sub, secret = subscribe(db, staff, "https://hooks.example.test/x")
    raw = db.exec(
        text("SELECT secret_encrypted FROM webhooksubscription WHERE id = :id").bindparams(
            id=sub.id
        )
    ).one()[0]
    assert secret.startswith("whsec_") and len(secret) > 30
    assert secret not in raw
    assert crypto.decrypt(raw) == secret


def test_redelivery_sends_the_same_body_as_a_new_delivery(
    app, db, tenants, staff, webhook_receiver, settle_jobs
) -> None:
    sub, secret = subscribe(db, staff, webhook_receiver.url)
    invite_and_commit(app, db, staff, tenants.acme)
    assert settle_jobs(10)
    [original] = deliveries(db, sub)

    copy = service.redeliver(db, actor=staff, subscription_id=sub.id, delivery_id=original.id)
    with app.app_context():
        commit(db)
    assert settle_jobs(10)

    first, second = webhook_receiver.requests
    assert second.body == first.body and second.signature_valid(secret)
    assert second.headers["X-Stoa-Delivery"] == str(copy.id) != str(original.id)
    rows = deliveries(db, sub)
    assert [(d.id, d.redelivery_of_id, d.status) for d in rows] == [
        (original.id, None, "success"),
        (copy.id, original.id, "success"),
    ]


def test_redelivery_of_a_paused_webhook_is_a_conflict(db, tenants, staff) -> None:
    sub, _ = subscribe(db, staff, "https://hooks.example.test/x")
    activity.record(db, actor=staff, company_id=tenants.acme.id, action=Action.client_invited)
    delivery = db.exec(select(WebhookDelivery)).one()
    service.set_active(db, actor=staff, subscription_id=sub.id, active=False)
    with pytest.raises(Conflict):
        service.redeliver(db, actor=staff, subscription_id=sub.id, delivery_id=delivery.id)
    with pytest.raises(Conflict):
        service.send_ping(db, actor=staff, subscription_id=sub.id)
    assert db.exec(select(WebhookDelivery.id)).all() == [delivery.id]


@pytest.mark.parametrize(
    ("url", "events", "field"),
    [
        ("ftp://hooks.example.test/x", ["client_invited"], "url"),
        ("hooks.example.test/x", ["client_invited"], "url"),
        ("", ["client_invited"], "url"),
        ("https://hooks.example.test/x", [], "events"),
        ("https://hooks.example.test/x", ["not_an_action"], "events"),
    ],
)
def test_invalid_subscriptions_are_refused(db, staff, url, events, field) -> None:
    with pytest.raises(Invalid) as err:
        subscribe(db, staff, url, events=events)
    assert field in err.value.errors
    assert db.exec(select(WebhookSubscription)).all() == []


def test_star_wins_over_individual_events(db, staff) -> None:
    sub, _ = subscribe(db, staff, "https://h.example.test", events=["task_created", "*"])
    assert sub.events == ["*"]


def test_staff_without_the_node_cannot_manage_webhooks(db, tenants) -> None:
    pm = actor_for_user(db, tenants.pm)
    with pytest.raises(Forbidden):
        subscribe(db, pm, "https://h.example.test")
    with pytest.raises(Forbidden):
        service.list_subscriptions(db, actor=pm)
    assert db.exec(select(WebhookSubscription)).all() == []


def test_webhook_managers_limited_to_some_portals_see_only_those(
    db, tenants, make_user, staff
) -> None:
    role = Role(name="Acme integrator", permissions=["webhook.manage"])
    db.add(role)
    db.flush()
    user = make_user(staff="pm", assign=[tenants.globex])
    db.add(UserRole(user_id=user.id, role_id=role.id))
    db.flush()
    limited = actor_for_user(db, user)
    acme_sub, _ = subscribe(db, staff, "https://h.example.test/a", company_id=tenants.acme.id)
    subscribe(db, staff, "https://h.example.test/all")
    mine, _ = subscribe(db, limited, "https://h.example.test/g", company_id=tenants.globex.id)

    assert [r.subscription.id for r in service.list_subscriptions(db, actor=limited)] == [mine.id]
    before = db.exec(select(WebhookSubscription.id)).all()
    with pytest.raises(Invalid):  # agency-wide needs every portal
        subscribe(db, limited, "https://h.example.test/x")
    with pytest.raises(Invalid):
        subscribe(db, limited, "https://h.example.test/x", company_id=tenants.acme.id)
    assert db.exec(select(WebhookSubscription.id)).all() == before
    with pytest.raises(NotFound):
        service.delivery_log(db, actor=limited, subscription_id=acme_sub.id)


def test_jobs_are_importable_by_the_worker() -> None:
    from portal import jobs

    jobs._load_job_modules()
    assert {"deliver_email", "deliver_webhook"} <= set(jobs._registry)


def test_every_recorded_action_can_be_subscribed_to(db, staff) -> None:
    """Actions that used to be missing from the webhook list (comments, goals, pages, …)."""
    sub, _ = subscribe(
        db, staff, "https://hooks.example.test/all", events=[a.value for a in Action]
    )
    assert set(sub.events) == {a.value for a in Action}
    with pytest.raises(Invalid) as exc:
        subscribe(db, staff, "https://hooks.example.test/x", events=["task_exploded"])
    assert "Unknown event: task_exploded" in exc.value.errors["events"][0]


def test_a_task_comment_reaches_its_subscriber(db, staff, tenants) -> None:
    sub, _ = subscribe(db, staff, "https://hooks.example.test/c", events=["task_commented"])
    activity.record(db, actor=staff, company_id=tenants.acme.id, action=Action.task_commented)
    activity.record(db, actor=staff, company_id=tenants.acme.id, action=Action.task_created)
    assert [d.event for d in deliveries(db, sub)] == ["task_commented"]


def test_a_company_webhook_never_receives_staff_only_activity(db, tenants, staff) -> None:
    """Staff opening a portal as a client, the credentials vault, internal notes: the company's
    own subscription does not get them (its client could not see them in the portal either);
    the agency-wide one does."""
    from portal.models.activity import STAFF_ONLY_OBJECT_TYPES
    from services.accounts.view_as import start_view_as

    agency, _ = subscribe(db, staff, "https://hooks.example.test/all", events=["*"])
    acme, _ = subscribe(
        db, staff, "https://hooks.example.test/acme", events=["*"], company_id=tenants.acme.id
    )
    start_view_as(db, actor=staff, user_id=tenants.acme_viewer.id)
    for object_type in STAFF_ONLY_OBJECT_TYPES:
        activity.record(
            db,
            actor=staff,
            company_id=tenants.acme.id,
            action=Action.credential_secret_read,
            object_type=object_type,
        )
    activity.record(db, actor=staff, company_id=tenants.acme.id, action=Action.client_invited)

    def events(sub) -> list[str]:
        return [d.event for d in deliveries(db, sub)]

    assert events(acme) == ["client_invited"]
    assert events(agency) == [
        "view_as_started",
        *["credential_secret_read"] * len(STAFF_ONLY_OBJECT_TYPES),
        "client_invited",
    ]
