"""The Redis path: jobs go through an RQ queue and a worker, retries through RQ's scheduler."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from portal.db import commit
from portal.models import WebhookDelivery
from portal.models.activity import Action
from portal.models.webhook import WebhookSubscriptionCreate
from portal.tenancy import actor_for_user
from services.events import activity
from services.events import webhooks as service

REDIS_URL = os.environ.get("REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="the RQ path needs REDIS_URL")


@pytest.fixture
def rq_queue(runtime, monkeypatch):
    import redis
    from rq import Queue

    conn = redis.Redis.from_url(REDIS_URL)
    # A private queue name: other checkouts may share this Redis.
    queue = Queue(f"stoa-test-{uuid.uuid4().hex[:8]}", connection=conn)
    monkeypatch.setattr(runtime, "queue", queue)
    yield queue
    conn.delete(queue.scheduled_job_registry.key)
    queue.delete(delete_jobs=True)
    conn.close()


def _work(queue) -> None:
    from rq import SimpleWorker

    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def _run_scheduler(queue) -> None:
    from rq.scheduler import RQScheduler

    scheduler = RQScheduler([queue], connection=queue.connection)
    scheduler.acquire_locks()
    scheduler.enqueue_scheduled_jobs()
    scheduler.release_locks()
    scheduler.connection.connection_pool.disconnect()  # the scheduler opens its own pool


def test_webhook_delivery_runs_on_the_rq_worker_and_retries_via_the_scheduler(
    app, db, tenants, rq_queue, webhook_receiver, runtime, monkeypatch, allow_private_webhooks
) -> None:
    monkeypatch.setitem(runtime.settings.extra, "WEBHOOK_RETRY_BASE_SECONDS", 0.05)
    webhook_receiver.statuses = [500]
    staff = actor_for_user(db, tenants.staff_admin)
    sub, secret = service.create_subscription(
        db,
        actor=staff,
        data=WebhookSubscriptionCreate(url=webhook_receiver.url, events=["client_invited"]),
    )
    activity.record(db, actor=staff, company_id=tenants.acme.id, action=Action.client_invited)
    with app.app_context():
        commit(db)
        assert webhook_receiver.requests == []  # queued, not run in-process
        assert rq_queue.count == 1

        failed_at = datetime.now(UTC)
        _work(rq_queue)  # first attempt fails -> a retry lands in the scheduled registry
        assert len(webhook_receiver.requests) == 1
        registry = rq_queue.scheduled_job_registry
        [retry] = registry.get_job_ids()
        due = registry.get_scheduled_time(retry)
        # the back-off after the failed attempt (RQ keeps whole seconds), however slow the machine
        assert failed_at - timedelta(seconds=1) <= due <= datetime.now(UTC) + timedelta(seconds=2)
        # Rather than wait out RQ's one-second resolution, make the retry due now.
        registry.connection.zadd(registry.key, {retry: int(time.time()) - 1})
        _run_scheduler(rq_queue)
        _work(rq_queue)

    assert len(webhook_receiver.requests) == 2
    assert all(r.signature_valid(secret) for r in webhook_receiver.requests)
    db.expire_all()
    delivery = db.exec(select(WebhookDelivery)).one()
    assert (delivery.status, delivery.attempts) == ("success", 2)
