"""Who is making this request, as an Actor (computed once per request)."""

from __future__ import annotations

from flask import g
from flask_login import current_user

from portal.db import get_session
from portal.extensions import login_manager
from portal.models import User
from portal.tenancy import ANONYMOUS, Actor, actor_for_user


@login_manager.user_loader
def _load_user(raw_id: str) -> User | None:
    user_id, _, version = raw_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def current_actor() -> Actor:
    if "actor" not in g:
        if current_user.is_authenticated:
            g.actor = actor_for_user(get_session(), current_user._get_current_object())
        else:
            g.actor = ANONYMOUS
    return g.actor


def set_actor(actor: Actor) -> None:
    """Used by token authentication (API keys, the portal worker)."""
    g.actor = actor
