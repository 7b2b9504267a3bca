"""View as client: staff open a portal exactly as one of its client users sees it, read-only.

Starting and stopping are audited (staff-only activity rows). While it lasts the request hook
(``blueprints/view_as.py``) swaps the signed-in user for the viewed one and refuses every write;
:func:`viewed_user` re-checks on every request that the staff member may still do it.
"""

from __future__ import annotations

from sqlmodel import Session

from portal.errors import Conflict, Forbidden, NotFound
from portal.models import User
from portal.models.activity import VIEW_AS_ACTIVITY, Action
from portal.permissions import register_node
from portal.tenancy import Actor, actor_for_user, get_for_actor, require_staff
from services.events import activity
from services.portals import home_portal_context, landing_url

VIEW_AS = register_node(
    "user.view_as", "Open a portal as one of its client users sees it (read-only, audited)"
)


def _viewable(session: Session, *, actor: Actor, user_id: int) -> User:
    """An active client user of a company ``actor`` (staff with ``user.view_as``) sees."""
    require_staff(actor, VIEW_AS, "You may not view portals as their clients.")
    user = get_for_actor(session, User, user_id, actor)
    if user.is_staff or user.company_id is None:
        raise NotFound()
    return user


def start_view_as(session: Session, *, actor: Actor, user_id: int) -> tuple[User, str]:
    """Begin viewing as ``user_id``: the person and where their portal opens (audited)."""
    user = _viewable(session, actor=actor, user_id=user_id)
    if not user.is_active:
        raise Conflict(f"{user.display_name} is deactivated: there is nothing they can see.")
    if home_portal_context(session, actor=actor_for_user(session, user)) is None:
        raise Conflict(f"{user.display_name}'s company has no live portal yet.")
    _log(session, actor, user, Action.view_as_started, "started viewing the portal as")
    return user, landing_url(session, user=user)


def stop_view_as(session: Session, *, actor: Actor, user_id: int) -> None:
    """End viewing as ``user_id`` (audited); nothing to record if they are gone meanwhile."""
    try:
        user = _viewable(session, actor=actor, user_id=user_id)
    except NotFound:
        return
    _log(session, actor, user, Action.view_as_stopped, "stopped viewing the portal as")


def viewed_user(session: Session, *, staff: User, user_id: object) -> User | None:
    """The client ``staff`` is viewing as, while that is still allowed (else None)."""
    if not staff.is_staff or not isinstance(user_id, int):
        return None
    try:
        user = _viewable(session, actor=actor_for_user(session, staff), user_id=user_id)
    except (NotFound, Forbidden):  # no longer theirs to see: the view simply ends
        return None
    return user if user.is_active else None


def _log(session: Session, actor: Actor, user: User, action: Action, verb: str) -> None:
    activity.record(
        session,
        actor=actor,
        company_id=user.company_id,
        action=action,
        object_type=VIEW_AS_ACTIVITY,
        object_id=user.id,
        object_label=user.email,
        description=f"{actor.label} {verb} {user.display_name}",
    )
