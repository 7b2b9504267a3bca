"""Managing people: the staff People page and a client admin's Settings tab.

Changing a client user's role, deactivating (every session ends, sign-in is refused) and
reactivating them, resending and revoking invitations. Staff act on the companies they see
(``portal.manage`` or ``user.invite``); a client admin acts on its own company only, never on
the companies of its group. Every action writes an activity row (the audit trail).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from portal.errors import Conflict, Forbidden, NotFound
from portal.models import Company, EmailOutbox, Invitation, User
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.user import ClientRole, ClientRoleChange
from portal.tenancy import Actor, get_for_actor, require_staff, scoped, staff_can
from portal.web.pagination import Page, paginate
from services.accounts.auth import INVITE_TTL, send_invitation_email, sign_out_everywhere
from services.accounts.people import visible_companies
from services.accounts.tokens import new_link_token
from services.accounts.view_as import VIEW_AS
from services.events import activity
from services.portals import can_manage_people

PEOPLE_PER_PAGE = 25
INVITATIONS_SHOWN = 50
StatusFilter = Literal["", "active", "deactivated"]
ROLE_FILTERS = ("viewer", "collaborator", "admin", "staff")


def may_manage_company(actor: Actor, company_id: int | None) -> bool:
    """Whether ``actor`` manages the people of ``company_id``: staff who see the company and
    hold the people nodes; a client admin of exactly that company."""
    if company_id is None or not can_manage_people(actor) or not actor.can_see_company(company_id):
        return False
    return actor.is_staff or actor.company_id == company_id


def _require_manager(actor: Actor, company_id: int | None) -> None:
    if not actor.can_see_company(company_id):
        raise NotFound()
    if not may_manage_company(actor, company_id):
        raise Forbidden("You can manage only your own company's people.")


def _client_user(session: Session, *, actor: Actor, user_id: int, company_id: int | None) -> User:
    """A client user the actor may manage (``company_id``: only within that company)."""
    user = get_for_actor(session, User, user_id, actor)
    if user.is_staff or user.company_id is None:
        raise NotFound()
    if company_id is not None and user.company_id != company_id:
        raise NotFound()
    _require_manager(actor, user.company_id)
    return user


def _log(session: Session, actor: Actor, user: User, action: Action, description: str) -> None:
    activity.record(
        session,
        actor=actor,
        company_id=user.company_id,
        action=action,
        object_type="user",
        object_id=user.id,
        object_label=user.email,
        description=description,
    )


def change_client_role(
    session: Session,
    *,
    actor: Actor,
    user_id: int,
    data: ClientRoleChange,
    company_id: int | None = None,
) -> User:
    """Give a client user another role (viewer, collaborator, admin); no one demotes themself."""
    user = _client_user(session, actor=actor, user_id=user_id, company_id=company_id)
    if user.id == actor.user_id:
        raise Conflict("You can't change your own role. Ask another admin.")
    if user.client_role == data.role:
        return user
    before = user.client_role or ClientRole.viewer.value
    user.client_role = data.role
    session.add(user)
    _log(
        session,
        actor,
        user,
        Action.client_role_changed,
        f"{actor.label} changed {user.display_name}'s role from {before} to {data.role}",
    )
    return user


def deactivate_user(
    session: Session, *, actor: Actor, user_id: int, company_id: int | None = None
) -> User:
    """Switch a client user off: every session ends now and sign-in is refused."""
    user = _client_user(session, actor=actor, user_id=user_id, company_id=company_id)
    if user.id == actor.user_id:
        raise Conflict("You can't deactivate yourself.")
    if not user.is_active:
        return user
    user.is_active = False
    sign_out_everywhere(session, user=user)
    _log(
        session,
        actor,
        user,
        Action.user_deactivated,
        f"{actor.label} deactivated {user.display_name}",
    )
    return user


def reactivate_user(
    session: Session, *, actor: Actor, user_id: int, company_id: int | None = None
) -> User:
    """Let a deactivated client user sign in again."""
    user = _client_user(session, actor=actor, user_id=user_id, company_id=company_id)
    if user.is_active:
        return user
    user.is_active = True
    session.add(user)
    _log(
        session,
        actor,
        user,
        Action.user_reactivated,
        f"{actor.label} reactivated {user.display_name}",
    )
    return user


def _open_invitation(
    session: Session, *, actor: Actor, invitation_id: int, company_id: int | None
) -> Invitation:
    inv = get_for_actor(session, Invitation, invitation_id, actor)
    if company_id is not None and inv.company_id != company_id:
        raise NotFound()
    _require_manager(actor, inv.company_id)
    if inv.accepted_at is not None:
        raise Conflict("This invitation was already accepted.")
    if inv.revoked_at is not None:
        raise Conflict("This invitation was already revoked.")
    return inv


def resend_invitation(
    session: Session,
    *,
    actor: Actor,
    invitation_id: int,
    base_url: str,
    company_id: int | None = None,
) -> Invitation:
    """Email the invitation again with a fresh link (the old link stops working), valid for
    another week."""
    inv = _open_invitation(session, actor=actor, invitation_id=invitation_id, company_id=company_id)
    token, token_hash = new_link_token()
    inv.token_hash = token_hash
    inv.expires_at = utcnow() + INVITE_TTL
    send_invitation_email(session, actor=actor, invitation=inv, token=token, base_url=base_url)
    activity.record(
        session,
        actor=actor,
        company_id=inv.company_id,
        action=Action.invitation_resent,
        object_type="invitation",
        object_id=inv.id,
        object_label=inv.email,
        description=f"{actor.label} resent the invitation to {inv.email}",
    )
    return inv


def revoke_invitation(
    session: Session, *, actor: Actor, invitation_id: int, company_id: int | None = None
) -> Invitation:
    """Withdraw an open invitation: its link then shows that it was withdrawn."""
    inv = _open_invitation(session, actor=actor, invitation_id=invitation_id, company_id=company_id)
    inv.revoked_at = utcnow()
    session.add(inv)
    activity.record(
        session,
        actor=actor,
        company_id=inv.company_id,
        action=Action.invitation_revoked,
        object_type="invitation",
        object_id=inv.id,
        object_label=inv.email,
        description=f"{actor.label} revoked the invitation to {inv.email}",
    )
    return inv


# The staff People page ----------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    user: User
    company: Company | None
    manageable: bool  # the viewer may change this person (a client user of a company it manages)

    @property
    def role_label(self) -> str:
        if self.user.is_staff:
            return "Staff"
        return (self.user.client_role or ClientRole.viewer.value).capitalize()

    @property
    def status(self) -> str:
        return "active" if self.user.is_active else "deactivated"


@dataclass(frozen=True)
class InvitationRow:
    invitation: Invitation
    company: Company
    email: EmailOutbox | None
    manageable: bool

    @property
    def status(self) -> str:
        return "expired" if self.invitation.expires_at < utcnow() else "invited"

    @property
    def delivery(self) -> str:
        return self.email.delivery_label if self.email is not None else "sent"


@dataclass(frozen=True)
class PeopleFilters:
    search: str = ""
    company_id: int | None = None
    role: str = ""
    status: StatusFilter = ""

    @property
    def active(self) -> bool:
        return bool(self.search or self.company_id or self.role or self.status)


@dataclass(frozen=True)
class PeoplePage:
    people: Page[PersonRow]
    invitations: list[InvitationRow]
    companies: list[Company]
    filters: PeopleFilters
    can_view_as: bool


def people_page(
    session: Session, *, actor: Actor, filters: PeopleFilters, page: int = 1
) -> PeoplePage:
    """Every user the actor sees (admins: staff too; a PM: its portals' people) with company,
    role, last sign-in and status, filtered and paged; and the open invitations that match."""
    require_staff(actor)
    stmt = scoped(select(User, Company), actor, User).outerjoin(
        Company, col(Company.id) == col(User.company_id)
    )
    like = f"%{filters.search.lower()}%" if filters.search else None
    if like:
        stmt = stmt.where(or_(func.lower(User.name).like(like), func.lower(User.email).like(like)))
    if filters.company_id is not None:
        stmt = stmt.where(col(User.company_id) == filters.company_id)
    if filters.role == "staff":
        stmt = stmt.where(col(User.is_staff).is_(True))
    elif filters.role in ROLE_FILTERS:
        stmt = stmt.where(col(User.client_role) == filters.role, col(User.is_staff).is_(False))
    if filters.status:
        stmt = stmt.where(col(User.is_active).is_(filters.status == "active"))
    stmt = stmt.order_by(col(User.is_staff).desc(), col(User.name), col(User.id))
    rows: Page[tuple[User, Company | None]] = paginate(
        session, stmt, page=page, per_page=PEOPLE_PER_PAGE, scalars=False
    )
    people = rows.map(
        lambda r: PersonRow(
            user=r[0],
            company=r[1],
            manageable=not r[0].is_staff and may_manage_company(actor, r[0].company_id),
        )
    )
    invitations = (
        []
        if filters.status == "deactivated" or filters.role == "staff"
        else _open_invitations(session, actor=actor, filters=filters)
    )
    return PeoplePage(
        people=people,
        invitations=invitations,
        companies=visible_companies(session, actor=actor),
        filters=filters,
        can_view_as=staff_can(actor, VIEW_AS),
    )


def _open_invitations(
    session: Session, *, actor: Actor, filters: PeopleFilters
) -> list[InvitationRow]:
    stmt = (
        scoped(select(Invitation, Company, EmailOutbox), actor, Invitation)
        .join(Company, col(Company.id) == col(Invitation.company_id))
        .outerjoin(EmailOutbox, col(EmailOutbox.id) == col(Invitation.email_id))
        .where(col(Invitation.accepted_at).is_(None), col(Invitation.revoked_at).is_(None))
    )
    if filters.search:
        like = f"%{filters.search.lower()}%"
        stmt = stmt.where(
            or_(func.lower(Invitation.name).like(like), func.lower(Invitation.email).like(like))
        )
    if filters.company_id is not None:
        stmt = stmt.where(col(Invitation.company_id) == filters.company_id)
    if filters.role in ROLE_FILTERS:
        stmt = stmt.where(col(Invitation.role) == filters.role)
    rows = session.exec(
        stmt.order_by(col(Invitation.created_at).desc()).limit(INVITATIONS_SHOWN)
    ).all()
    return [
        InvitationRow(inv, company, email, may_manage_company(actor, inv.company_id))
        for inv, company, email in rows
    ]
