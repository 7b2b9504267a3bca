"""One-time tokens used twice at the same moment (red-team #10): exactly one use wins.

Each use runs in its own session on its own connection, committed for real, as two requests in
two gunicorn workers would. The second use is held until it issues its write, then the first
commits: a check-then-set implementation lets both through, a conditional UPDATE only one.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, event
from sqlmodel import Session

from portal import passwords
from portal.errors import Conflict, NotFound
from portal.models import Company, Invitation, Portal, User
from portal.models.base import utcnow
from portal.models.user import InvitationAccept
from services.accounts import auth
from services.accounts.tokens import new_link_token
from tests.waiting import wait_until


@pytest.fixture
def committed(app, engine) -> Iterator[dict[str, Any]]:
    """A company with a portal and a user, committed; deleted (with everything hanging off it)."""
    slug = f"race-{uuid.uuid4().hex[:8]}"
    with Session(engine, expire_on_commit=False) as s:
        company = Company(name=slug, slug=slug)
        s.add(company)
        s.flush()
        s.add(Portal(company_id=company.id, title=slug, slug=slug))
        user = User(
            email=f"{slug}@example.test",
            password_hash=passwords.hash_password("race-password-1"),
            company_id=company.id,
            client_role="admin",
        )
        s.add(user)
        s.commit()
    yield {"company": company, "user": user}
    with Session(engine) as s:
        s.exec(delete(User).where(User.company_id == company.id))  # type: ignore[call-overload]
        s.exec(delete(Company).where(Company.id == company.id))  # type: ignore[call-overload]
        s.commit()


def _race(app, engine, use: Callable[[Session], Any], table: str) -> list[str]:
    """Use a token in session A (not committed yet), then in session B; A commits once B writes."""
    outcomes: list[str] = []
    b_writes = threading.Event()

    def second() -> None:
        with app.app_context(), Session(engine, expire_on_commit=False) as b:
            conn = b.connection()

            @event.listens_for(conn, "before_cursor_execute")
            def _writing(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
                if statement.lstrip().upper().startswith("UPDATE") and table in statement:
                    b_writes.set()

            try:
                use(b)
                b.commit()
                outcomes.append("won")
            except (NotFound, Conflict) as exc:
                b.rollback()
                outcomes.append(type(exc).__name__)
            finally:
                b_writes.set()

    with app.app_context(), Session(engine, expire_on_commit=False) as a:
        use(a)
        a.flush()
        outcomes.append("won")
        thread = threading.Thread(target=second)
        thread.start()
        wait_until(b_writes.is_set, what="the second use to write")
        a.commit()
    thread.join(timeout=30)
    assert not thread.is_alive()
    return outcomes


def test_a_magic_link_used_twice_at_once_signs_in_once(app, engine, committed) -> None:
    with app.app_context(), Session(engine, expire_on_commit=False) as s:
        token = auth.issue_magic_link(s, user=s.get(User, committed["user"].id))
        s.commit()
    outcomes = _race(app, engine, lambda s: auth.consume_magic_link(s, token=token), "magiclink")
    assert sorted(outcomes) == ["NotFound", "won"]


def test_an_invitation_accepted_twice_at_once_makes_one_account(app, engine, committed) -> None:
    token, token_hash = new_link_token()
    email = f"invitee-{uuid.uuid4().hex[:8]}@example.test"
    with Session(engine) as s:
        s.add(
            Invitation(
                company_id=committed["company"].id,
                email=email,
                token_hash=token_hash,
                expires_at=utcnow() + timedelta(days=1),
            )
        )
        s.commit()
    data = InvitationAccept(name="Invitee", password="a-long-enough-password")
    outcomes = _race(
        app, engine, lambda s: auth.accept_invitation(s, token=token, data=data), "invitation"
    )
    assert sorted(outcomes) == ["NotFound", "won"]
