"""Files attached to tasks: list, upload-and-attach, attach an existing file, detach.

Uploads, sniffing, storage and file visibility all belong to :mod:`services.files`; this module
only links a task to a file of the same company and records the change on the task.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from portal.errors import Forbidden, Invalid, NotFound
from portal.models import Portal, PortalFile, Task, TaskAttachment, User
from portal.models.activity import Action
from portal.tenancy import Actor, scoped
from services import files as file_service
from services.events import activity
from services.tasks import can_change_tasks, get_task

MAX_LISTED = 200


@dataclass(frozen=True)
class AttachmentRow:
    attachment: TaskAttachment
    file: PortalFile
    attached_by: str
    portal_slug: str | None
    can_detach: bool

    @property
    def created_at(self) -> datetime:
        return self.attachment.created_at


@dataclass(frozen=True)
class TaskAttachments:
    rows: list[AttachmentRow]
    choices: list[PortalFile]  # visible files not yet attached (for "attach an existing file")
    can_attach: bool
    can_upload: bool


def can_detach(actor: Actor, attachment: TaskAttachment) -> bool:
    """The one who attached it (while they may change tasks) or staff."""
    if not can_change_tasks(actor):
        return False
    return actor.is_staff or (
        actor.user_id is not None and attachment.attached_by_id == actor.user_id
    )


def _portal(session: Session, task: Task) -> Portal:
    portal = session.exec(select(Portal).where(Portal.company_id == task.company_id)).first()
    if portal is None:
        raise NotFound()
    return portal


def task_attachments(session: Session, *, actor: Actor, task: Task) -> TaskAttachments:
    """The task's attachments the actor may see (one query) and, for those who may attach,
    the files they could attach (one more query)."""
    who = aliased(User)
    rows = session.execute(
        file_service.visible_files(actor)
        .add_columns(TaskAttachment, col(who.name), col(who.email), col(Portal.slug))
        .join(TaskAttachment, col(TaskAttachment.file_id) == col(PortalFile.id))
        .outerjoin(who, col(who.id) == TaskAttachment.attached_by_id)
        .outerjoin(Portal, col(Portal.company_id) == PortalFile.company_id)
        .where(col(TaskAttachment.task_id) == task.id)
        .order_by(col(TaskAttachment.created_at), col(TaskAttachment.id))
        .limit(MAX_LISTED)
    ).all()
    listed = [
        AttachmentRow(
            attachment=att,
            file=file,
            attached_by=name or (email or "").split("@")[0] or "Someone",
            portal_slug=slug,
            can_detach=can_detach(actor, att),
        )
        for file, att, name, email, slug in rows
    ]
    can_attach = can_change_tasks(actor)
    choices: list[PortalFile] = []
    can_upload = False
    if can_attach:
        attached = select(TaskAttachment.file_id).where(TaskAttachment.task_id == task.id)
        unattached: SelectOfScalar[PortalFile] = (
            file_service.visible_files(actor)
            .where(
                col(PortalFile.company_id) == task.company_id,
                col(PortalFile.id).not_in(attached),
            )
            .order_by(*file_service.SORTS["newest"])
            .limit(MAX_LISTED)
        )
        choices = list(session.exec(unattached).all())
        can_upload = actor.is_staff or bool(
            session.exec(
                select(Portal.allow_uploads).where(Portal.company_id == task.company_id)
            ).first()
        )
    return TaskAttachments(listed, choices, can_attach, can_upload)


def _link(session: Session, *, actor: Actor, task: Task, file: PortalFile) -> TaskAttachment:
    assert task.id is not None and file.id is not None
    attachment = TaskAttachment(
        task_id=task.id,
        file_id=file.id,
        company_id=task.company_id,
        attached_by_id=actor.user_id,
    )
    session.add(attachment)
    task.updated_at = attachment.created_at
    session.add(task)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=task.company_id,
        action=Action.task_updated,
        object_type="task",
        object_id=task.id,
        object_label=task.title[:300],
        description=f"{actor.label or 'Someone'} attached {file.name} to {task.title[:300]}",
    )
    return attachment


def _writable_task(session: Session, actor: Actor, task_id: int) -> Task:
    task = get_task(session, actor=actor, task_id=task_id)
    if not can_change_tasks(actor):
        raise Forbidden("You can look at this task, but not change its attachments.")
    return task


def attach_existing(
    session: Session, *, actor: Actor, task_id: int, file_id: int | None
) -> TaskAttachment:
    """Attach a file the actor can see, of the task's own company (anything else: NotFound).

    ``file_id`` None is "no file chosen"; an id that names nothing is NotFound.
    """
    task = _writable_task(session, actor, task_id)
    if file_id is None:
        raise Invalid(errors={"file_id": ["Choose a file to attach."]})
    file = file_service.get_file(session, actor=actor.narrowed([task.company_id]), file_id=file_id)
    already = session.exec(
        select(TaskAttachment.id).where(
            TaskAttachment.task_id == task.id, TaskAttachment.file_id == file.id
        )
    ).first()
    if already is not None:
        raise Invalid(errors={"file_id": [f"{file.name} is already attached."]})
    return _link(session, actor=actor, task=task, file=file)


def upload_and_attach(
    session: Session,
    *,
    actor: Actor,
    task_id: int,
    stream: BinaryIO,
    name: str,
) -> TaskAttachment:
    """Upload a file into the task's portal (through the files service), then attach it."""
    task = _writable_task(session, actor, task_id)
    file = file_service.upload_stream(
        session, actor=actor, portal=_portal(session, task), stream=stream, name=name
    )
    return _link(session, actor=actor, task=task, file=file)


def detach(session: Session, *, actor: Actor, task_id: int, attachment_id: int) -> None:
    """Remove a file from a task (the file itself stays in the portal's files)."""
    task = get_task(session, actor=actor, task_id=task_id)
    row = session.exec(
        scoped(select(TaskAttachment, PortalFile.name), actor, TaskAttachment)
        .join(PortalFile, col(PortalFile.id) == TaskAttachment.file_id)
        .where(TaskAttachment.id == attachment_id, TaskAttachment.task_id == task.id)
    ).first()
    if row is None:
        raise NotFound()
    attachment, file_name = row
    if not can_detach(actor, attachment):
        raise Forbidden("Only the person who attached this file, or staff, can remove it.")
    session.delete(attachment)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=task.company_id,
        action=Action.task_updated,
        object_type="task",
        object_id=task.id,
        object_label=task.title[:300],
        description=f"{actor.label or 'Someone'} removed {file_name} from {task.title[:300]}",
    )
