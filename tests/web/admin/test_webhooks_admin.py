"""The staff area's webhook pages: list, create (secret once), pause, delete, delivery log."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlmodel import select

from portal import crypto
from portal.models import WebhookDelivery, WebhookSubscription
from portal.models.activity import Action
from portal.models.webhook import WebhookSubscriptionCreate
from portal.tenancy import actor_for_user
from services.events import activity
from services.events import webhooks as service
from tests.conftest import assert_both_ways

# the local receiver listens on 127.0.0.1: these tests opt in to private addresses
pytestmark = pytest.mark.usefixtures("allow_private_webhooks")


def make_sub(db, tenants, url="https://hooks.example.test/in", **kw):
    actor = actor_for_user(db, tenants.staff_admin)
    kw.setdefault("events", ["client_invited"])
    sub, _ = service.create_subscription(
        db, actor=actor, data=WebhookSubscriptionCreate(url=url, **kw)
    )
    return sub


def stored(db) -> tuple[list, list]:
    """Every subscription (with its state) and delivery: a refused request leaves them as is."""
    db.expire_all()
    return (
        [(s.id, s.active, s.url) for s in db.exec(select(WebhookSubscription)).all()],
        db.exec(select(WebhookDelivery.id)).all(),
    )


def add_deliveries(db, sub, n):
    db.add_all(
        WebhookDelivery(subscription_id=sub.id, event="client_invited", payload=f'{{"n": {i}}}')
        for i in range(n)
    )
    db.flush()


def test_list_page_both_ways_and_empty_state(client, login, tenants) -> None:
    login(tenants.staff_admin)
    full, part = assert_both_ways(client, "/admin/webhooks")
    assert "No webhooks yet" in full and "Add a webhook" in part
    assert 'href="/admin/webhooks" aria-current="page"' in full  # the staff nav tab
    assert "<title>Webhooks" in part
    for action in ("client_invited", "project_created", "deliverable_approved"):
        assert f'value="{action}"' in full


def test_list_shows_subscriptions_with_counts(client, login, db, tenants) -> None:
    sub = make_sub(db, tenants, description="CRM sync", company_id=tenants.acme.id)
    add_deliveries(db, sub, 2)
    db.exec(
        text("UPDATE webhookdelivery SET status = 'failed' WHERE id = :id").bindparams(
            id=db.exec(select(WebhookDelivery.id)).first()
        )
    )
    login(tenants.staff_admin)
    html = client.get("/admin/webhooks").get_data(as_text=True)
    assert "https://hooks.example.test/in" in html
    assert "CRM sync" in html and "Acme Test" in html
    assert '<td data-label="Delivered" class="num">0</td>' in html
    assert '<td data-label="Failed" class="num">1</td>' in html
    assert "1 pending" in html


def test_list_query_count_does_not_grow(client, login, db, tenants, count_queries) -> None:
    login(tenants.staff_admin)
    counts = []
    for n in (3, 27):
        for i in range(n):
            add_deliveries(db, make_sub(db, tenants, url=f"https://h.example.test/{n}/{i}"), 2)
        with count_queries() as q:
            html = client.get("/admin/webhooks").get_data(as_text=True)
        assert html.count(">Deliveries</a>") == len(counts) * 27 + 3
        counts.append(q.count)
    assert counts[0] == counts[1] <= 12, counts


def test_log_query_count_does_not_grow(client, login, db, tenants, count_queries) -> None:
    sub = make_sub(db, tenants)
    login(tenants.staff_admin)
    counts = []
    for n in (3, 27):
        add_deliveries(db, sub, n)
        with count_queries() as q:
            assert client.get(f"/admin/webhooks/{sub.id}").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1] <= 12, counts


def test_delivery_log_both_ways_newest_first_and_paged(client, login, db, tenants) -> None:
    sub = make_sub(db, tenants)
    add_deliveries(db, sub, 30)
    login(tenants.staff_admin)
    full, part = assert_both_ways(client, f"/admin/webhooks/{sub.id}")
    assert "30 in total" in full and "Page 1 of 2" in part
    ids = db.exec(select(WebhookDelivery.id).order_by(WebhookDelivery.id)).all()
    assert f"#{ids[-1]}<" in full and f"#{ids[0]}<" not in full
    page2 = client.get(f"/admin/webhooks/{sub.id}?page=2").get_data(as_text=True)
    assert f"#{ids[0]}<" in page2 and f"#{ids[-1]}<" not in page2
    assert full.count(">Redeliver</button>") == 25


def test_create_shows_the_secret_once_and_stores_it_encrypted(client, login, db, tenants) -> None:
    login(tenants.staff_admin)
    resp = client.post(
        "/admin/webhooks",
        data={
            "url": "https://crm.example.test/stoa",
            "description": "CRM",
            "events": ["client_invited", "task_created"],
            "company_id": str(tenants.acme.id),
        },
        headers={"HX-Request": "true"},
    )
    assert resp.status_code == 201
    sub = db.exec(select(WebhookSubscription)).one()
    assert resp.headers["HX-Push-Url"] == f"/admin/webhooks/{sub.id}"
    html = resp.get_data(as_text=True)
    assert "<html" not in html and "copy it now" in html
    secret = html.split('id="webhook-secret" type="text" readonly value="')[1].split('"')[0]
    assert secret.startswith("whsec_")
    assert (sub.events, sub.company_id, sub.created_by_id) == (
        ["client_invited", "task_created"],
        tenants.acme.id,
        tenants.staff_admin.id,
    )
    assert secret not in sub.secret_encrypted
    assert crypto.decrypt(sub.secret_encrypted) == secret
    again = client.get(f"/admin/webhooks/{sub.id}").get_data(as_text=True)
    assert secret not in again and "copy it now" not in again


def test_create_without_htmx_renders_the_whole_page(client, login, db, tenants) -> None:
    login(tenants.staff_admin)
    resp = client.post("/admin/webhooks", data={"url": "https://a.example.test/h", "events": ["*"]})
    assert resp.status_code == 201
    assert b"<html" in resp.data and b"copy it now" in resp.data
    assert db.exec(select(WebhookSubscription)).one().events == ["*"]


@pytest.mark.parametrize("hx", [True, False])
def test_invalid_form_answers_422_with_the_errors(client, login, db, tenants, hx) -> None:
    login(tenants.staff_admin)
    resp = client.post(
        "/admin/webhooks",
        data={"url": "javascript:alert(1)", "description": "keep me"},
        headers={"HX-Request": "true"} if hx else {},
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert ("<html" in html) is not hx
    assert "Use a full http:// or https:// URL." in html
    assert "Choose at least one event." in html
    assert 'value="keep me"' in html
    assert db.exec(select(WebhookSubscription)).all() == []


@pytest.mark.parametrize("hx", [True, False])
def test_pause_resume_and_delete(client, login, db, tenants, hx) -> None:
    sub = make_sub(db, tenants)
    add_deliveries(db, sub, 2)
    login(tenants.staff_admin)
    headers = {"HX-Request": "true"} if hx else {}
    resp = client.post(f"/admin/webhooks/{sub.id}/active", data={"active": "0"}, headers=headers)
    target = f"/admin/webhooks/{sub.id}"
    if hx:
        assert resp.status_code == 204 and resp.headers["HX-Redirect"] == target
    else:
        assert resp.status_code == 303 and resp.headers["Location"] == target
    db.refresh(sub)
    assert sub.active is False
    assert "Resume" in client.get(target).get_data(as_text=True)
    client.post(f"/admin/webhooks/{sub.id}/active", data={"active": "1"}, headers=headers)
    db.refresh(sub)
    assert sub.active is True

    resp = client.post(f"/admin/webhooks/{sub.id}/delete", headers=headers)
    assert resp.status_code in {204, 303}
    db.expire_all()
    assert db.exec(select(WebhookSubscription)).all() == []
    assert db.exec(select(WebhookDelivery)).all() == []
    assert client.get(target).status_code == 404


def test_redeliver_button_queues_a_new_delivery(
    client, login, db, tenants, webhook_receiver, settle_jobs
) -> None:
    sub = make_sub(db, tenants, url=webhook_receiver.url)
    activity.record(
        db,
        actor=actor_for_user(db, tenants.staff_admin),
        company_id=tenants.acme.id,
        action=Action.client_invited,
    )
    original = db.exec(select(WebhookDelivery)).one()
    login(tenants.staff_admin)
    resp = client.post(
        f"/admin/webhooks/{sub.id}/deliveries/{original.id}/redeliver",
        headers={"HX-Request": "true"},
    )
    assert resp.status_code == 204
    assert settle_jobs(10)
    db.expire_all()
    copy = db.exec(select(WebhookDelivery).where(WebhookDelivery.id != original.id)).one()
    assert copy.redelivery_of_id == original.id
    assert copy.status == "success"
    assert [r.headers["X-Stoa-Delivery"] for r in webhook_receiver.requests] == [str(copy.id)]
    html = client.get(f"/admin/webhooks/{sub.id}").get_data(as_text=True)
    assert f"redelivery of #{original.id}" in html


def test_redeliver_of_another_webhooks_delivery_is_404(client, login, db, tenants) -> None:
    a = make_sub(db, tenants, url="https://a.example.test/h")
    b = make_sub(db, tenants, url="https://b.example.test/h")
    add_deliveries(db, b, 1)
    delivery = db.exec(select(WebhookDelivery)).one()
    login(tenants.staff_admin)
    before = stored(db)
    assert (
        client.post(f"/admin/webhooks/{a.id}/deliveries/{delivery.id}/redeliver").status_code == 404
    )
    assert stored(db) == before


def _paths(sub_id: int, delivery_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", "/admin/webhooks"),
        ("POST", "/admin/webhooks"),
        ("GET", f"/admin/webhooks/{sub_id}"),
        ("POST", f"/admin/webhooks/{sub_id}/active"),
        ("POST", f"/admin/webhooks/{sub_id}/delete"),
        ("POST", f"/admin/webhooks/{sub_id}/deliveries/{delivery_id}/redeliver"),
        ("POST", f"/admin/webhooks/{sub_id}/ping"),
    ]


@pytest.mark.parametrize("who", ["acme_admin", "acme_viewer", "globex_admin"])
def test_clients_find_no_webhook_pages(client, login, db, tenants, who) -> None:
    sub = make_sub(db, tenants, company_id=tenants.acme.id)
    add_deliveries(db, sub, 1)
    delivery = db.exec(select(WebhookDelivery)).one()
    login(getattr(tenants, who))
    before = stored(db)
    for method, path in _paths(sub.id, delivery.id):
        data = {"active": "0", "url": "https://evil.example.test/h", "events": ["*"]}
        assert client.open(path, method=method, data=data).status_code == 404, path
    assert stored(db) == before


def test_staff_without_the_permission_node_get_403(client, login, db, tenants) -> None:
    sub = make_sub(db, tenants, company_id=tenants.acme.id)
    add_deliveries(db, sub, 1)
    delivery = db.exec(select(WebhookDelivery)).one()
    login(tenants.pm)
    before = stored(db)
    for method, path in _paths(sub.id, delivery.id):
        data = {"active": "0", "url": "https://evil.example.test/h", "events": ["*"]}
        assert client.open(path, method=method, data=data).status_code == 403, path
    assert "/admin/webhooks" not in client.get("/admin/").get_data(as_text=True)
    db.refresh(sub)
    assert sub.active is True
    assert stored(db) == before


def test_anonymous_is_sent_to_sign_in(client, db, tenants) -> None:
    resp = client.get("/admin/webhooks")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


@pytest.mark.parametrize("hx", [True, False])
def test_send_test_event_pings_the_receiver(
    client, login, db, tenants, webhook_receiver, settle_jobs, hx
) -> None:
    actor = actor_for_user(db, tenants.staff_admin)
    sub, secret = service.create_subscription(
        db,
        actor=actor,
        data=WebhookSubscriptionCreate(url=webhook_receiver.url, events=["task_created"]),
    )
    login(tenants.staff_admin)
    assert "Send test event" in client.get(f"/admin/webhooks/{sub.id}").get_data(as_text=True)
    resp = client.post(
        f"/admin/webhooks/{sub.id}/ping", headers={"HX-Request": "true"} if hx else {}
    )
    assert resp.status_code == (204 if hx else 303)
    assert settle_jobs(10)
    [got] = webhook_receiver.requests
    assert got.headers["X-Stoa-Event"] == "ping" and got.signature_valid(secret)
    assert json.loads(got.body)["data"]["subscription_id"] == sub.id
    html = client.get(f"/admin/webhooks/{sub.id}").get_data(as_text=True)
    assert "<code>ping</code>" in html and "badge-delivered" in html and "Delivered" in html
