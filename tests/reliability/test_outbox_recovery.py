"""Fast drills for the outbox (the slow ones, with live servers, are test_outbox_drills.py):
a sender that dies mid-send loses nothing, in-process jobs never take the caller's thread or
more than their lane's threads, and the worker's health check tells the truth."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import timedelta

from sqlmodel import select

from portal import sweeper
from portal.jobs import dispatch, job, run_job, wait_for_delayed_jobs
from portal.models import EmailOutbox, WebhookDelivery
from portal.models.base import utcnow
from portal.models.webhook import WebhookSubscriptionCreate
from portal.tenancy import actor_for_user
from services.events import mail, outbox
from services.events import webhooks as service
from tests.live import ROOT, free_port
from tests.waiting import wait_until


def _sweep(app) -> None:
    with app.app_context():
        run_job("sweep")


def test_a_delivery_whose_sender_died_is_sent_once_after_its_lease(
    app, db, tenants, webhook_receiver, allow_private_webhooks, runtime, monkeypatch
) -> None:
    monkeypatch.setitem(runtime.settings.extra, "OUTBOX_SWEEP_GRACE_SECONDS", 0)
    staff = actor_for_user(db, tenants.staff_admin)
    sub, _ = service.create_subscription(
        db, actor=staff, data=WebhookSubscriptionCreate(url=webhook_receiver.url, events=["*"])
    )
    ping = service.send_ping(db, actor=staff, subscription_id=sub.id)  # its job never runs
    ping.next_attempt_at = utcnow() - timedelta(seconds=5)
    db.add(ping)
    db.flush()
    # a worker claims it, then dies before recording anything (SIGKILL mid-send)
    assert outbox.claim(db, WebhookDelivery, ping.id, pending="pending", lease_seconds=60)

    _sweep(app)  # the lease still holds: nobody else sends it meanwhile
    assert webhook_receiver.requests == []
    db.execute(
        WebhookDelivery.__table__.update()
        .where(WebhookDelivery.id == ping.id)
        .values(lease_until=utcnow() - timedelta(seconds=1))  # the lease has run out
    )
    _sweep(app)
    _sweep(app)
    assert [r.headers["X-Stoa-Delivery"] for r in webhook_receiver.requests] == [str(ping.id)]
    db.expire_all()
    delivery = db.get(WebhookDelivery, ping.id)
    assert (delivery.status, delivery.attempts, delivery.lease_until) == ("success", 2, None)


def test_an_email_whose_job_was_lost_is_sent_by_the_sweep(
    app, db, runtime, monkeypatch, mailbox
) -> None:
    monkeypatch.setitem(runtime.settings.extra, "OUTBOX_SWEEP_GRACE_SECONDS", 30)
    row = mail.queue_email(db, to="lost@example.test", subject="Hello", text="Body")
    # never committed through the app: its job was never dispatched (Redis emptied, a crash)
    _sweep(app)
    assert mailbox.messages("lost@example.test") == []  # not overdue yet: its job may run
    row.next_attempt_at = utcnow() - timedelta(seconds=31)
    db.add(row)
    db.flush()
    _sweep(app)
    _sweep(app)
    assert len(mailbox.messages("lost@example.test")) == 1
    db.expire_all()
    assert db.exec(select(EmailOutbox.status).where(EmailOutbox.id == row.id)).one() == "sent"


_held = threading.Event()
_ran_on: list[str] = []
_ran_lock = threading.Lock()


@job("drill_hold", lane="webhooks")
def _hold(session, n: int) -> None:  # a delivery stuck on a receiver that does not answer
    with _ran_lock:
        _ran_on.append(threading.current_thread().name)
    _held.wait(20)


def test_in_process_jobs_use_a_fixed_pool_never_the_callers_thread(app) -> None:
    _held.clear()
    _ran_on.clear()
    started = time.monotonic()
    for n in range(40):
        dispatch("drill_hold", n)  # no app context: the plain in-process runner
    assert time.monotonic() - started < 1.0  # handing 40 jobs over costs the caller nothing
    wait_until(lambda: len(_ran_on) == 4, what="the lane's threads busy")
    lane = [t for t in threading.enumerate() if t.name.startswith("stoa-webhooks")]
    assert len(lane) == 4 and len(_ran_on) == 4  # the other 36 wait for a free thread
    _held.set()
    assert wait_for_delayed_jobs(20)
    assert len(_ran_on) == 40 and set(_ran_on) <= {t.name for t in lane}
    assert threading.current_thread().name not in _ran_on


def test_worker_check_fails_when_redis_does_not_answer(tmp_path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}",
        "STOA_INSTANCE_PATH": str(tmp_path / "instance"),
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
        "SECRET_KEY": "check",
    }
    out = subprocess.run(
        [sys.executable, "-m", "portal", "worker", "--check"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1
    assert "Redis does not answer" in out.stderr


def test_the_sweep_schedules_the_upload_cleanup(app, db, tenants) -> None:
    """Not cron-only: the sweep's cleanup round finishes a promotion a crash interrupted."""
    import io

    from portal import sweeper
    from portal.models import Portal
    from portal.storage import get_storage
    from services import files

    portal = db.exec(select(Portal).where(Portal.company_id == tenants.acme.id)).one()
    with app.app_context():
        storage = get_storage()
        file = files.upload_stream(
            db,
            actor=actor_for_user(db, tenants.acme_collab),
            portal=portal,
            stream=io.BytesIO(b"%PDF-1.4\nswept"),
            name="swept.pdf",
        )
    # never committed through the app: the after-commit promotion did not run (a crash)
    assert not storage.exists(file.stored_key)
    assert "cleanup_uploads" in sweeper.PERIODIC  # scheduled, not cron-only
    sweeper.sweep_once(app, due=["cleanup_uploads"])
    assert storage.exists(file.stored_key)


def test_the_areas_scheduled_jobs_are_registered_with_the_sweeper() -> None:
    from portal.jobs import _load_job_modules, _registry

    _load_job_modules()
    expected = {
        "cleanup_uploads": "UPLOAD_CLEANUP_SECONDS",
        "notify_overdue_invoices": "INVOICE_OVERDUE_SECONDS",
        "network.sync": "NETWORK_SYNC_SECONDS",
    }
    assert {name: sweeper.PERIODIC[name].setting for name in expected} == expected
    assert set(sweeper.PERIODIC) <= set(_registry)  # each is a real job
