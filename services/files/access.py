"""Who may see and do what with files: the one visibility rule and the permission checks.

Pending and rejected files are visible to their uploader, their designated approver and staff.
That depends on who is asking, so it cannot be a model's ``__staff_only__`` declaration (which
hides rows from every non-staff actor alike): :func:`visible_files` is its one home.
"""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from portal.errors import Forbidden, Invalid, NotFound
from portal.models import (
    ApprovalStatus,
    ClientRole,
    Company,
    FileFolder,
    Portal,
    PortalFile,
    PortalManager,
    User,
)
from portal.tenancy import (
    Actor,
    get_for_actor,
    role_at_least,
    scoped,
    staff_can,
    staff_seeing_company,
)

VISIBLE_STATUSES = (ApprovalStatus.none.value, ApprovalStatus.approved.value)
APPROVER_ROLES = (ClientRole.collaborator.value, ClientRole.admin.value)


def visible_files(actor: Actor) -> SelectOfScalar[PortalFile]:
    """Files the actor may see: pending/rejected ones only for uploader, approver and staff."""
    stmt = scoped(select(PortalFile), actor, PortalFile).where(col(PortalFile.deleted_at).is_(None))
    if actor.is_staff:
        return stmt
    visible = col(PortalFile.approval_status).in_(VISIBLE_STATUSES)
    if actor.user_id is None:  # company keys, guests: never someone's pending file
        return stmt.where(visible)
    return stmt.where(
        or_(
            visible,
            col(PortalFile.uploaded_by_id) == actor.user_id,
            col(PortalFile.approver_id) == actor.user_id,
        )
    )


def get_file(session: Session, *, actor: Actor, file_id: int) -> PortalFile:
    """One file the actor may see, else NotFound."""
    file = session.exec(visible_files(actor).where(col(PortalFile.id) == file_id)).first()
    if file is None:
        raise NotFound()
    return file


def can_manage_file(actor: Actor, file: PortalFile) -> bool:
    """Delete, rename, move: the uploader (while they may write) or staff."""
    if staff_can(actor, "file.delete"):
        return True
    return (
        not actor.is_staff
        and actor.user_id is not None
        and file.uploaded_by_id == actor.user_id
        and role_at_least(actor, ClientRole.collaborator)
    )


def can_approve_file(actor: Actor, file: PortalFile) -> bool:
    if file.approval_status != ApprovalStatus.pending.value:
        return False
    if staff_can(actor, "file.approve"):
        return True
    return actor.user_id is not None and file.approver_id == actor.user_id


def can_upload(actor: Actor, portal: Portal) -> bool:
    """Staff with file.create; collaborators and admins where the portal takes uploads."""
    if actor.is_staff:
        return staff_can(actor, "file.create")
    return role_at_least(actor, ClientRole.collaborator) and portal.allow_uploads


def require_upload(actor: Actor, portal: Portal) -> None:
    if can_upload(actor, portal):
        return
    if actor.is_staff:
        raise Forbidden()
    if not role_at_least(actor, ClientRole.collaborator):
        raise Forbidden("Viewers can't upload files.")
    raise Forbidden("Uploads are turned off for this portal.")


def folder_in(
    session: Session, *, actor: Actor, portal: Portal, folder_id: int | None
) -> FileFolder | None:
    """A folder of the portal's own tree (None: the top), else NotFound."""
    if folder_id is None:
        return None
    folder = get_for_actor(session, FileFolder, folder_id, actor)
    if folder.company_id != portal.company_id:
        raise NotFound()
    return folder


def approver_for(session: Session, *, portal: Portal, approver_id: int | None) -> User | None:
    """A designated approver: a staff user or a collaborator+ of the company (or its parent)."""
    if approver_id is None:
        return None
    user = session.get(User, approver_id)
    company = session.get(Company, portal.company_id)
    allowed_companies = {portal.company_id, company.parent_id if company else None}
    if user is not None and user.is_staff:
        # staff who cannot see the portal's company answer as an unknown id would
        seeing = staff_seeing_company(session, company_id=portal.company_id, user_ids=[approver_id])
        ok = user.id in seeing
    else:
        ok = (
            user is not None
            and user.is_active
            and user.company_id in allowed_companies
            and user.client_role in APPROVER_ROLES
        )
    if not ok:
        raise Invalid(errors={"approver_id": ["That person can't approve files in this portal."]})
    return user


def approver_choices(session: Session, *, company_id: int) -> list[User]:
    """People who may approve files in a portal: its collaborators/admins and assigned staff."""
    clients = session.exec(
        select(User)
        .where(
            User.company_id == company_id,
            col(User.is_active),
            col(User.client_role).in_(APPROVER_ROLES),
        )
        .order_by(col(User.name))
    ).all()
    staff = session.exec(
        select(User)
        .join(PortalManager, col(PortalManager.user_id) == User.id)
        .where(PortalManager.company_id == company_id, col(User.is_active))
        .order_by(col(User.name))
    ).all()
    return [*staff, *clients]


def portal_of(session: Session, company_id: int) -> Portal:
    """The portal of a company (every company has one; a missing one is a data error)."""
    portal = session.exec(select(Portal).where(Portal.company_id == company_id)).first()
    if portal is None:
        raise NotFound()
    return portal
