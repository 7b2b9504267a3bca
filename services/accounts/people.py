"""People and companies as the API lists them, always through the tenancy core."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.models import Company, Portal, User
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.user import SEGMENTS, ClientRoleChange, PersonCreate, PersonUpdate
from portal.passwords import hash_password
from portal.tenancy import Actor, get_for_actor, scoped
from portal.web.pagination import count


def list_users(
    session: Session,
    *,
    actor: Actor,
    limit: int,
    offset: int,
    company_id: int | None = None,
    is_staff: bool | None = None,
    search: str | None = None,
) -> tuple[list[tuple[User, str | None]], int]:
    """Users the actor may see (a company principal: its group; agency: everyone)."""
    stmt = scoped(select(User, Company.name), actor, User).outerjoin(
        Company, col(Company.id) == col(User.company_id)
    )
    if company_id is not None:
        stmt = stmt.where(User.company_id == company_id)
    if is_staff is not None:
        stmt = stmt.where(User.is_staff == is_staff)
    if search:
        like = f"%{search.lower()}%"
        stmt = stmt.where(or_(func.lower(User.name).like(like), func.lower(User.email).like(like)))
    rows = session.exec(stmt.order_by(col(User.id)).limit(limit).offset(offset)).all()
    return [(u, name) for u, name in rows], count(session, stmt)


def get_user(session: Session, *, actor: Actor, user_id: int) -> tuple[User, str | None]:
    user = get_for_actor(session, User, user_id, actor)
    company = session.get(Company, user.company_id) if user.company_id else None
    return user, company.name if company else None


def find_user_by_email(session: Session, *, actor: Actor, email: str) -> tuple[User, str | None]:
    """The visible user with this address, or NotFound (also for other tenants' users)."""
    user = session.exec(
        scoped(select(User), actor, User).where(User.email == email.strip().lower())
    ).first()
    if user is None:
        raise NotFound("User not found.")
    company = session.get(Company, user.company_id) if user.company_id else None
    return user, company.name if company else None


def visible_companies(session: Session, *, actor: Actor) -> list[Company]:
    """Every company the actor may see, by name (for pickers)."""
    return list(
        session.exec(scoped(select(Company), actor, Company).order_by(col(Company.name))).all()
    )


def list_companies(
    session: Session,
    *,
    actor: Actor,
    limit: int,
    offset: int,
    parent_id: int | None = None,
    search: str | None = None,
) -> tuple[list[tuple[Company, int | None]], int]:
    """Companies the actor may see, with their portal id, by name."""
    stmt = scoped(select(Company, Portal.id), actor, Company).outerjoin(
        Portal, col(Portal.company_id) == col(Company.id)
    )
    if parent_id is not None:
        stmt = stmt.where(Company.parent_id == parent_id)
    if search:
        like = f"%{search.lower()}%"
        stmt = stmt.where(
            or_(func.lower(Company.name).like(like), func.lower(Company.slug).like(like))
        )
    rows = session.exec(
        stmt.order_by(col(Company.name), col(Company.id)).limit(limit).offset(offset)
    ).all()
    return [(c, pid) for c, pid in rows], count(session, stmt)


def get_company(session: Session, *, actor: Actor, company_id: int) -> tuple[Company, int | None]:
    company = get_for_actor(session, Company, company_id, actor)
    portal_id = session.exec(select(Portal.id).where(Portal.company_id == company.id)).first()
    return company, portal_id


# Reference 002's board members: counters, and create / update / delete -----------------------


@dataclass(frozen=True)
class Counters:
    votes: int = 0
    comments: int = 0
    posts: int = 0
    comment_votes: int = 0


def counters(session: Session, user_ids: Sequence[int]) -> dict[int, Counters]:
    """Each user's feedback counters (002's ``counter_*``): four grouped queries for any
    number of users."""
    from portal.models import FeedbackComment, FeedbackCommentVote, FeedbackPost, FeedbackVote

    ids = sorted({i for i in user_ids if i})
    if not ids:
        return {}

    def per_user(column: Any) -> dict[int, int]:
        rows = session.exec(
            select(column, func.count()).where(col(column).in_(ids)).group_by(column)
        ).all()
        return dict(rows)

    votes = per_user(FeedbackVote.user_id)
    comments = per_user(FeedbackComment.author_id)
    posts = per_user(FeedbackPost.author_id)
    comment_votes = per_user(FeedbackCommentVote.user_id)
    return {
        i: Counters(
            votes=votes.get(i, 0),
            comments=comments.get(i, 0),
            posts=posts.get(i, 0),
            comment_votes=comment_votes.get(i, 0),
        )
        for i in ids
    }


ALREADY_EXISTS = "User already exists"
EMAIL_TAKEN = "The email has already been taken."
# 002's fields Stoa only stores for the API (nulls clear them)
BOARD_FIELDS = (
    "admin_accepted",
    "verified",
    "sso_uid",
    "sso_avatar_url",
    *SEGMENTS,
    "segment_mrr",
    "segment_arr",
    "segment_ltv",
    "email_unsubscribed_at",
)


def company_names(session: Session, company_ids: set[int]) -> dict[int, str]:
    if not company_ids:
        return {}
    rows = session.exec(
        select(Company.id, Company.name).where(col(Company.id).in_(sorted(company_ids)))
    ).all()
    return {cid: name for cid, name in rows if cid is not None}


def _company_name(session: Session, user: User) -> str | None:
    company = session.get(Company, user.company_id) if user.company_id else None
    return company.name if company else None


def create_user(
    session: Session, *, actor: Actor, company_id: int, data: PersonCreate, base_url: str
) -> tuple[User, str | None]:
    """A new client user of ``company_id`` (client admins of that company and staff who manage
    its people). With a password they can sign in at once; without one they are emailed how
    to sign in with an emailed link (unless ``skip_email``). 422 "User already exists"."""
    from services.accounts import auth
    from services.accounts.membership import may_manage_company
    from services.events import activity, mail

    company = get_for_actor(session, Company, company_id, actor)
    if not may_manage_company(actor, company.id):
        raise Forbidden("Only company admins can add people.")
    address = auth.normalise_email(data.email)
    if session.exec(select(User.id).where(User.email == address)).first() is not None:
        raise Invalid(ALREADY_EXISTS)
    user = User(
        email=address,
        name=data.name or address.split("@", 1)[0],
        company_id=company.id,
        client_role=data.role,
        password_hash=hash_password(data.password) if data.password else None,
        is_active=not data.is_blocked,
        created_at=data.created_at or utcnow(),
        **{name: getattr(data, name) for name in BOARD_FIELDS},
    )
    session.add(user)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=company.id,
        action=Action.client_added,
        object_type="user",
        object_id=user.id,
        object_label=address,
        description=f"{actor.label or 'Someone'} added {address}",
    )
    if data.password is None and not data.skip_email and user.is_active:
        portal = session.exec(select(Portal).where(Portal.company_id == company.id)).first()
        title = portal.title if portal else company.name
        note = f"\n{data.invitation_message}\n" if data.invitation_message else ""
        mail.queue_email(
            session,
            to=address,
            subject=f"You're invited to the {title} portal",
            text=(
                f"Hello {user.display_name},\n\n{actor.label or 'Your team'} added you to the "
                f"{title} client portal.\n{note}\nSign in at {base_url.rstrip('/')}/login "
                "with “Email me a sign-in link”, then set a password in your profile.\n"
            ),
        )
    return user, company.name


def _manageable(session: Session, actor: Actor, user_id: int) -> User:
    from services.accounts.membership import may_manage_company

    user = get_for_actor(session, User, user_id, actor)
    if user.is_staff:
        raise Forbidden("Staff are managed on the Admin pages, not through this API.")
    if not may_manage_company(actor, user.company_id):
        raise Forbidden("You can manage only your own company's people.")
    return user


def update_user(
    session: Session, *, actor: Actor, user_id: int, data: PersonUpdate
) -> tuple[User, str | None]:
    """Only the fields sent change; a null email, role, name or password keeps the current
    value (002), a null board field clears it. Blocking ends every session."""
    from services.accounts import auth, membership

    user = _manageable(session, actor, user_id)
    sent = data.model_fields_set
    if data.email is not None:
        address = auth.normalise_email(data.email)
        taken = session.exec(
            select(User.id).where(User.email == address, col(User.id) != user.id)
        ).first()
        if taken is not None:
            raise Invalid(errors={"email": [EMAIL_TAKEN]})
        user.email = address
    if data.name is not None:
        user.name = data.name
    if data.password is not None:
        user.password_hash = hash_password(data.password)
    if data.created_at is not None:
        user.created_at = data.created_at
    for name in BOARD_FIELDS:
        if name in sent:
            setattr(user, name, getattr(data, name))
    session.add(user)
    if data.role is not None:
        membership.change_client_role(
            session, actor=actor, user_id=user.id or 0, data=ClientRoleChange(role=data.role)
        )
    if data.is_blocked is True:
        membership.deactivate_user(session, actor=actor, user_id=user.id or 0)
    elif data.is_blocked is False:
        membership.reactivate_user(session, actor=actor, user_id=user.id or 0)
    session.flush()
    return user, _company_name(session, user)


def delete_user(session: Session, *, actor: Actor, user_id: int) -> None:
    """Delete a client user: their sessions, votes and memberships go with them; what they
    wrote stays, without an author. Nobody deletes themself."""
    from services.events import activity

    user = _manageable(session, actor, user_id)
    if user.id == actor.user_id:
        raise Conflict("You can't delete yourself.")
    activity.record(
        session,
        actor=actor,
        company_id=user.company_id,
        action=Action.user_deleted,
        object_type="user",
        object_id=user.id,
        object_label=user.email,
        description=f"{actor.label or 'Someone'} deleted {user.email}",
    )
    session.delete(user)
    session.flush()
