from __future__ import annotations

from sqlmodel import func, select

from portal.models import Announcement, Note, Notification, User


def _counts(db) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        db.exec(select(func.count()).select_from(m)).one()
        for m in (Note, Announcement, Notification)
    )


def test_demo_has_threads_announcements_notifications_and_is_idempotent(app, db) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    first = _counts(db)
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert _counts(db) == first
    notes = db.exec(select(Note)).all()
    assert any(n.is_internal for n in notes) and any(n.parent_id for n in notes)
    assert {a.company_id is None for a in db.exec(select(Announcement)).all()} == {True, False}
    olivia = db.exec(select(User).where(User.email == "owner@acme.test")).one()
    types = {n.type for n in db.exec(select(Notification).where(Notification.user_id == olivia.id))}
    assert {"note_mention", "note_reply", "announcement"} <= types
    # demo history is not mailed on first start
    result = runner.invoke(args=["digests"])
    assert result.exit_code == 0 and "0 digest(s) mailed." in result.output
