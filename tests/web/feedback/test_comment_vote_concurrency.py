"""50 people upvote one comment at the same moment, each twice, from their own threads and
database connections: the count is exactly 50 (the unique constraint decides who voted, the
counter moves in one UPDATE only when a row was inserted). On PostgreSQL when TEST_DATABASE_URL
points at it, on a SQLite file otherwise; the schema comes from the migrations."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlmodel import Session

from portal.db import make_engine
from portal.models import User
from portal.tenancy import actor_for_user
from services.feedback.comment_votes import toggle_comment_vote
from tests.api.feedback.test_vote_concurrency import VOTERS, _voters
from tests.conftest import TEST_DATABASE_URL, scratch_database_url
from tests.live import LiveServer


@pytest.fixture
def db_url(tmp_path):
    if TEST_DATABASE_URL.startswith("postgresql"):
        url, drop = scratch_database_url("cvotes")
    else:
        url, drop = f"sqlite:///{tmp_path / 'cvotes.db'}", lambda: None
    LiveServer(tmp_path, db_url=url).prepare()  # migrations and the demo data
    try:
        yield url
    finally:
        drop()


def _an_approved_comment(url: str) -> tuple[str, int]:
    engine = make_engine(url)
    with engine.begin() as db:
        db.execute(text("UPDATE portal SET feedback_vote_role = 'viewer' WHERE slug = 'acme'"))
        key, comment_id = db.execute(
            text(
                "SELECT p.key, c.id FROM feedback_comment c"
                " JOIN feedback_post p ON p.id = c.post_id JOIN company co ON co.id = p.company_id"
                " WHERE co.slug = 'acme' AND c.moderation_status = 'approved'"
                " AND p.moderation_status = 'approved' ORDER BY c.id LIMIT 1"
            )
        ).one()
        db.execute(
            text("DELETE FROM feedback_comment_vote WHERE comment_id = :c"), {"c": comment_id}
        )
        db.execute(
            text("UPDATE feedback_comment SET vote_count = 0 WHERE id = :c"), {"c": comment_id}
        )
    engine.dispose()
    return key, comment_id


def test_fifty_parallel_comment_upvotes_count_exactly(db_url) -> None:
    _, users = _voters(db_url, VOTERS)
    key, comment_id = _an_approved_comment(db_url)
    engine = make_engine(db_url)
    start = threading.Barrier(VOTERS * 2)
    errors: list[BaseException] = []

    def upvote(user_id: int) -> None:
        start.wait()
        try:
            with Session(engine) as session:
                user = session.get(User, user_id)
                assert user is not None
                toggle_comment_vote(
                    session=session,
                    actor=actor_for_user(session, user),
                    key=key,
                    comment_id=comment_id,
                    on=True,
                )
                session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=upvote, args=(u,)) for u in users for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with engine.connect() as db:
        counter = db.execute(
            text("SELECT vote_count FROM feedback_comment WHERE id = :c"), {"c": comment_id}
        ).scalar_one()
        rows = db.execute(
            text("SELECT count(*) FROM feedback_comment_vote WHERE comment_id = :c"),
            {"c": comment_id},
        ).scalar_one()
    engine.dispose()
    assert not errors, errors[:3]
    assert (counter, rows) == (VOTERS, VOTERS)
