"""Small helpers for tests that call services directly."""

from __future__ import annotations

from sqlmodel import Session

from portal.models import User
from portal.tenancy import Actor, actor_for_user


def actor_of(db: Session, user: User) -> Actor:
    return actor_for_user(db, user)
