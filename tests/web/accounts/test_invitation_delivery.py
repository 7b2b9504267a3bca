"""Issue 11: an invitation is not "sent" until its email has left; SMTP being down keeps it
queued and retried, never lost. Red-team #5: a sent email keeps no usable one-time link."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlmodel import select

from portal.jobs import drop_delayed_jobs, run_job
from portal.models import EmailOutbox, Invitation
from portal.models.base import utcnow
from portal.models.user import InviteCreate
from portal.tenancy import actor_for_user
from services.accounts import auth
from tests.fakes.smtp import FakeSmtp


@pytest.fixture
def smtp(runtime, monkeypatch):
    """A fake SMTP server the app sends to; not listening until the test starts it."""
    fake = FakeSmtp()
    monkeypatch.setattr(
        runtime, "settings", dataclasses.replace(runtime.settings, smtp_url=fake.url)
    )
    yield fake
    fake.stop()
    drop_delayed_jobs()


def _settings_page(client) -> str:
    return client.get("/p/acme-test/settings").get_data(as_text=True)


def _email(db, address: str) -> EmailOutbox:
    db.expire_all()
    inv = db.exec(select(Invitation).where(Invitation.email == address)).one()
    return db.get(EmailOutbox, inv.email_id)


def test_an_invitation_not_yet_mailed_says_queued(client, db, login, tenants) -> None:
    actor = actor_for_user(db, tenants.acme_admin)
    auth.invite(
        db,
        actor=actor,
        company_id=tenants.acme.id,
        data=InviteCreate(email="later@example.test"),
        base_url="http://t",
    )  # flushed, not committed: its job has not run
    login(tenants.acme_admin)
    html = _settings_page(client)
    assert "later@example.test" in html and "Email queued" in html and "Email sent" not in html


def test_smtp_down_keeps_the_invitation_queued_until_it_comes_back(
    app, client, db, login, tenants, smtp, runtime, monkeypatch
) -> None:
    monkeypatch.setitem(runtime.settings.extra, "MAIL_RETRY_BASE_SECONDS", 3600)
    monkeypatch.setitem(runtime.settings.extra, "MAIL_TIMEOUT_SECONDS", 2)
    monkeypatch.setitem(runtime.settings.extra, "OUTBOX_SWEEP_GRACE_SECONDS", 0)
    login(tenants.acme_admin)
    resp = client.post(
        "/p/acme-test/settings/invitations",
        data={"email": "down@example.test", "role": "collaborator"},
        follow_redirects=True,
    )
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "Invitation to down@example.test queued." in page
    assert "Email failed, retrying" in page and "Invitation sent" not in page
    mail = _email(db, "down@example.test")
    assert (mail.status, mail.attempts) == ("queued", 1) and "ConnectionRefusedError" in mail.error
    assert mail.next_attempt_at > utcnow() + timedelta(minutes=59)  # backed off, not dropped
    assert "/invite/" in mail.body_text and "[redacted]" not in mail.body_text  # still to send

    smtp.start()
    mail.next_attempt_at = utcnow() - timedelta(seconds=1)  # the back-off has passed
    db.add(mail)
    db.flush()
    with app.app_context():
        run_job("sweep")  # the periodic sweep finds it due

    assert smtp.outbox_ids == {str(mail.id): 1}
    [sent] = smtp.messages
    assert "/invite/" in sent.get_body(preferencelist=("plain",)).get_content()
    mail = _email(db, "down@example.test")
    assert (mail.status, mail.attempts, mail.error) == ("sent", 2, None)
    assert "/invite/[redacted]" in mail.body_text  # red-team #5: no usable link at rest
    assert "Email sent" in _settings_page(client)
    with app.app_context():
        run_job("sweep")
    assert smtp.outbox_ids == {str(mail.id): 1}  # exactly once


def test_a_sent_magic_link_is_redacted_in_the_outbox(client, db, tenants, mailbox) -> None:
    client.post("/magic", data={"email": tenants.acme_collab.email})
    token = mailbox.token(tenants.acme_collab.email, "magic")
    db.expire_all()
    mail = db.exec(
        select(EmailOutbox).where(EmailOutbox.to_email == tenants.acme_collab.email)
    ).one()
    assert mail.status == "sent" and token not in mail.body_text
    assert "/magic/[redacted]" in mail.body_text


def test_a_recipient_refused_for_good_fails_without_retrying(
    client, db, login, tenants, smtp
) -> None:
    """A 5xx for the recipient is final: the invitation says failed, not retrying."""
    smtp.refuse = {"bounce@example.test"}
    smtp.start()
    login(tenants.acme_admin)
    client.post(
        "/p/acme-test/settings/invitations",
        data={"email": "bounce@example.test", "role": "collaborator"},
    )
    mail = _email(db, "bounce@example.test")
    assert (mail.status, mail.attempts) == ("failed", 1)
    assert "Email failed" in _settings_page(client)
    assert "[redacted]" in mail.body_text


def test_the_invitation_list_costs_the_same_queries_for_3_or_30(
    client, db, login, tenants, count_queries
) -> None:
    import uuid

    login(tenants.acme_admin)
    counts = []
    for n in (3, 27):
        for i in range(n):
            email = EmailOutbox(to_email=f"q{n}-{i}@example.test", subject="s", body_text="b")
            db.add(email)
            db.flush()
            db.add(
                Invitation(
                    company_id=tenants.acme.id,
                    email=email.to_email,
                    token_hash=uuid.uuid4().hex,
                    expires_at=utcnow() + timedelta(days=7),
                    email_id=email.id,
                )
            )
        db.flush()
        with count_queries() as q:
            html = _settings_page(client)
        assert html.count("Email queued") == len(counts) * 27 + 3
        counts.append(q.count)
    assert counts[0] == counts[1], counts
