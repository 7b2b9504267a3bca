"""Email is batched: a burst becomes one digest; what was read in the portal is never mailed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from portal.db import run_after_commit
from portal.models import EmailOutbox, Notification
from portal.models.base import utcnow
from portal.models.notification import NotificationPreferencesUpdate
from portal.tenancy import actor_for_user
from services.events import notifications
from services.events.digests import DIGEST_JOB, send_due_digests
from services.events.notifications import notify


@pytest.fixture
def interval(runtime, monkeypatch):
    def set_interval(seconds: int) -> None:
        monkeypatch.setitem(runtime.settings.extra, "NOTIFICATION_DIGEST_SECONDS", seconds)

    set_interval(0)
    return set_interval


def _burst(db, tenants, n: int = 10) -> None:
    actor = actor_for_user(db, tenants.acme_admin)
    for i in range(n):
        notify(
            db,
            user_ids=[tenants.acme_collab.id],
            type="note_mention",
            title=f"Mention {i}",
            url="/p/acme-test/notes",
            company_id=tenants.acme.id,
            actor=actor,
        )


def _mails(db, user):
    return db.exec(select(EmailOutbox).where(EmailOutbox.to_email == user.email)).all()


def test_a_burst_of_ten_events_is_one_email(db, tenants, interval) -> None:
    _burst(db, tenants)
    assert send_due_digests(db) == 1
    [mail] = _mails(db, tenants.acme_collab)
    assert mail.subject.startswith("10 new updates")
    assert "Mention 0" in mail.body_text and "Mention 9" in mail.body_text
    assert "/magic/" in mail.body_text  # signs the recipient straight in
    assert send_due_digests(db) == 0  # nothing left to mail
    assert len(_mails(db, tenants.acme_collab)) == 1


def test_read_before_the_digest_means_no_email(db, tenants, interval) -> None:
    _burst(db, tenants, 3)
    notifications.mark_all_read(db, user_id=tenants.acme_collab.id)
    assert send_due_digests(db) == 0
    assert _mails(db, tenants.acme_collab) == []


def test_only_unread_items_are_mailed(db, tenants, interval) -> None:
    _burst(db, tenants, 3)
    first = db.exec(
        select(Notification).where(Notification.user_id == tenants.acme_collab.id)
    ).first()
    notifications.mark_read(db, user_id=tenants.acme_collab.id, notification_id=first.id)
    assert send_due_digests(db) == 1
    [mail] = _mails(db, tenants.acme_collab)
    assert first.title not in mail.body_text and mail.subject.startswith("2 new updates")


def test_at_most_one_mail_per_interval(db, tenants, interval) -> None:
    interval(600)
    _burst(db, tenants, 2)
    assert send_due_digests(db) == 0  # the burst is still collecting
    later = utcnow() + timedelta(seconds=601)
    assert send_due_digests(db, now=later) == 1
    _burst(db, tenants, 1)
    # the new event has waited long enough, but the previous digest went out 5 minutes ago
    assert send_due_digests(db, now=later + timedelta(seconds=300)) == 0
    assert send_due_digests(db, now=later + timedelta(seconds=601)) == 1
    assert len(_mails(db, tenants.acme_collab)) == 2


def test_email_preference_off_means_no_mail(db, tenants, interval) -> None:
    choice = {"notification_type": "note_mention", "channel_in_app": True, "channel_email": False}
    notifications.save_preferences(
        db,
        user_id=tenants.acme_collab.id,
        data=NotificationPreferencesUpdate(preferences=[choice]),
    )
    _burst(db, tenants, 2)
    assert send_due_digests(db) == 0


class FakeRedis:
    def __init__(self) -> None:
        self.keys: set[str] = set()

    def set(self, key, value, nx=False, ex=None):  # noqa: ANN001, ANN201
        if nx and key in self.keys:
            return None
        self.keys.add(key)
        return True

    def delete(self, key):  # noqa: ANN001, ANN201
        self.keys.discard(key)


class FakeQueue:
    def __init__(self) -> None:
        self.connection = FakeRedis()
        self.scheduled: list[tuple] = []

    def enqueue_in(self, delay, fn, *args):  # noqa: ANN001, ANN201
        self.scheduled.append((delay, fn, *args))


def test_with_redis_one_delayed_job_per_user(db, tenants, runtime, interval, monkeypatch) -> None:
    interval(600)
    queue = FakeQueue()
    monkeypatch.setattr(runtime, "queue", queue)
    _burst(db, tenants, 10)
    run_after_commit(db)
    assert queue.scheduled == [
        (timedelta(seconds=600), "portal.jobs.run_job", DIGEST_JOB, tenants.acme_collab.id)
    ]
