"""Files: upload (streamed, chunked and resumable), folders, versions, approval, download, delete.

A blob is written under a temporary name; the file row is created in the request's transaction
and the blob is promoted to its final key only after that transaction commits. A worker killed
mid-upload therefore leaves only a temporary object (removed by ``cleanup_uploads``) and no row.
"""

from __future__ import annotations

import logging
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import BinaryIO
from urllib.parse import urlparse

from sqlalchemy import or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from portal.db import after_commit
from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.filetypes import safe_display_name, sniff
from portal.jobs import job
from portal.models import (
    ApprovalStatus,
    Company,
    FileDownload,
    FileFolder,
    FileRequestLink,
    FileVersion,
    Portal,
    PortalFile,
    UploadSession,
    User,
)
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.storage import Storage, TempObject, get_storage
from portal.tenancy import Actor, scoped
from services.events import activity
from services.events.notifications import notify

log = logging.getLogger(__name__)

UPLOAD_TTL_SECONDS = 24 * 3600
CHUNK_SIZE = 8 * 1024 * 1024
MAX_CHUNK = 64 * 1024 * 1024
VISIBLE_STATUSES = (ApprovalStatus.none.value, ApprovalStatus.approved.value)
SORTS = {
    "newest": (PortalFile.created_at.desc(), PortalFile.id.desc()),  # type: ignore[attr-defined]
    "oldest": (PortalFile.created_at.asc(), PortalFile.id.asc()),  # type: ignore[attr-defined]
    "name": (func.lower(PortalFile.name).asc(), PortalFile.id.asc()),  # type: ignore[attr-defined]
    "size": (PortalFile.size.desc(), PortalFile.id.desc()),  # type: ignore[attr-defined]
}


# Permissions -------------------------------------------------------------------------------


def _staff_can(actor: Actor, node: str) -> bool:
    return actor.is_staff and (actor.kind == "api_key" or actor.can(node))


def _require_upload(actor: Actor, portal: Portal) -> None:
    if _staff_can(actor, "file.create"):
        return
    if actor.is_staff:
        raise Forbidden()
    if not actor.can("portal.write"):
        raise Forbidden("Viewers can't upload files.")
    if not portal.allow_uploads:
        raise Forbidden("Uploads are turned off for this portal.")


def can_manage_file(actor: Actor, file: PortalFile) -> bool:
    """Delete, rename, move: the uploader (while they may write) or staff."""
    if _staff_can(actor, "file.delete"):
        return True
    return (
        actor.user_id is not None
        and file.uploaded_by_id == actor.user_id
        and actor.can("portal.write")
    )


def can_approve_file(actor: Actor, file: PortalFile) -> bool:
    if file.approval_status != ApprovalStatus.pending.value:
        return False
    if _staff_can(actor, "file.approve"):
        return True
    return actor.user_id is not None and file.approver_id == actor.user_id


def visible_files(actor: Actor):  # noqa: ANN201 - a SQLModel select
    """Files the actor may see: pending/rejected ones only for uploader, approver and staff."""
    stmt = scoped(select(PortalFile), actor, PortalFile).where(
        PortalFile.deleted_at.is_(None)  # type: ignore[union-attr]
    )
    if actor.is_staff:
        return stmt
    visible = PortalFile.approval_status.in_(VISIBLE_STATUSES)  # type: ignore[attr-defined]
    if actor.user_id is None:  # company keys, guests: never someone's pending file
        return stmt.where(visible)
    return stmt.where(
        or_(
            visible,
            PortalFile.uploaded_by_id == actor.user_id,
            PortalFile.approver_id == actor.user_id,
        )
    )


def get_file(
    session: Session, *, actor: Actor, file_id: object, company_id: int | None = None
) -> PortalFile:
    """One visible file (of ``company_id`` when given), else NotFound."""
    try:
        pk = int(file_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise NotFound() from None
    stmt = visible_files(actor).where(PortalFile.id == pk)
    if company_id is not None:
        stmt = stmt.where(PortalFile.company_id == company_id)
    file = session.exec(stmt).first()
    if file is None:
        raise NotFound()
    return file


def _folder(
    session: Session, actor: Actor, company_id: int, folder_id: object
) -> FileFolder | None:
    if folder_id in (None, "", 0, "0"):
        return None
    try:
        pk = int(folder_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise NotFound() from None
    folder = session.exec(
        scoped(select(FileFolder), actor, FileFolder).where(
            FileFolder.id == pk, FileFolder.company_id == company_id
        )
    ).first()
    if folder is None:
        raise NotFound()
    return folder


def _approver(session: Session, company_id: int, approver_id: object) -> User | None:
    """A designated approver: a staff user or a collaborator+ of the company (or its parent)."""
    if approver_id in (None, "", 0, "0"):
        return None
    try:
        pk = int(approver_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise Invalid(errors={"approver_id": ["Choose an approver from the list."]}) from None
    user = session.get(User, pk)
    company = session.get(Company, company_id)
    allowed_companies = {company_id, company.parent_id if company else None}
    ok = (
        user is not None
        and user.is_active
        and (
            user.is_staff
            or (
                user.company_id in allowed_companies
                and user.client_role in {"collaborator", "admin"}
            )
        )
    )
    if not ok:
        raise Invalid(errors={"approver_id": ["That person can't approve files in this portal."]})
    return user


def approver_choices(session: Session, *, company_id: int) -> list[User]:
    """People who may approve files in a portal: its collaborators/admins and assigned staff."""
    from portal.models import PortalManager

    clients = session.exec(
        select(User)
        .where(
            User.company_id == company_id,
            User.is_active,
            User.client_role.in_(["collaborator", "admin"]),  # type: ignore[union-attr]
        )
        .order_by(User.name)
    ).all()
    staff = session.exec(
        select(User)
        .join(PortalManager, PortalManager.user_id == User.id)
        .where(PortalManager.company_id == company_id, User.is_active)
        .order_by(User.name)
    ).all()
    return [*staff, *clients]


# Listing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileRow:
    file: PortalFile
    approver_name: str | None


@dataclass(frozen=True)
class FileListing:
    folder: FileFolder | None
    breadcrumbs: list[FileFolder]
    folders: list[FileFolder]
    rows: list[FileRow]
    total: int
    page: int
    pages: int
    per_page: int
    q: str
    sort: str


def list_files(
    session: Session,
    *,
    actor: Actor,
    company_id: int,
    folder_id: object = None,
    q: str = "",
    sort: str = "newest",
    page: int = 1,
    per_page: int = 25,
) -> FileListing:
    """One folder's files (or a search across all folders), paged, in a fixed number of queries."""
    all_folders = list(
        session.exec(
            scoped(select(FileFolder), actor, FileFolder)
            .where(FileFolder.company_id == company_id)
            .order_by(func.lower(FileFolder.name))
        ).all()
    )
    by_id = {f.id: f for f in all_folders}
    folder = None
    if folder_id not in (None, "", 0, "0"):
        try:
            folder = by_id.get(int(folder_id))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            folder = None
        if folder is None:
            raise NotFound()
    crumbs: list[FileFolder] = []
    cursor = folder
    while cursor is not None and len(crumbs) < 20:
        crumbs.insert(0, cursor)
        cursor = by_id.get(cursor.parent_id)
    q = (q or "").strip()[:100]
    sort = sort if sort in SORTS else "newest"
    base = visible_files(actor).where(PortalFile.company_id == company_id)
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        base = base.where(PortalFile.name.ilike(f"%{escaped}%", escape="\\"))  # type: ignore[attr-defined]
    else:
        base = base.where(
            PortalFile.folder_id == folder.id if folder else PortalFile.folder_id.is_(None)  # type: ignore[union-attr]
        )
    total = int(session.exec(select(func.count()).select_from(base.subquery())).one())
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    approver = aliased(User)
    rows = session.execute(
        base.add_columns(approver.name, approver.email)
        .outerjoin(approver, approver.id == PortalFile.approver_id)
        .order_by(*SORTS[sort])
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return FileListing(
        folder=folder,
        breadcrumbs=crumbs,
        folders=[]
        if q
        else [f for f in all_folders if f.parent_id == (folder.id if folder else None)],
        rows=[
            FileRow(f, (name or (email or "").split("@")[0]) if email else None)
            for f, name, email in rows
        ],
        total=total,
        page=page,
        pages=pages,
        per_page=per_page,
        q=q,
        sort=sort,
    )


def api_list_files(
    session: Session, *, actor: Actor, company_id: int, limit: int, offset: int
) -> tuple[list[PortalFile], int]:
    """All visible files of a company (every folder), newest first, for the API."""
    base = visible_files(actor).where(PortalFile.company_id == company_id)
    total = int(session.exec(select(func.count()).select_from(base.subquery())).one())
    rows = session.exec(base.order_by(*SORTS["newest"]).limit(limit).offset(offset)).all()
    return list(rows), total


def file_versions(session: Session, *, actor: Actor, file: PortalFile) -> list[FileVersion]:
    return list(
        session.exec(
            scoped(select(FileVersion), actor, FileVersion)
            .where(FileVersion.file_id == file.id)
            .order_by(FileVersion.version.desc())  # type: ignore[attr-defined]
        ).all()
    )


def pending_file_approvals(
    session: Session, actor: Actor, company_ids: list[int], limit: int = 20
) -> list[PortalFile]:
    """Files waiting for this actor's approval (for the dashboard's "waiting for you")."""
    if actor.user_id is None:
        return []
    return list(
        session.exec(
            visible_files(actor)
            .where(
                PortalFile.company_id.in_(company_ids),  # type: ignore[attr-defined]
                PortalFile.approval_status == ApprovalStatus.pending.value,
                PortalFile.approver_id == actor.user_id,
            )
            .order_by(PortalFile.created_at)
            .limit(limit)
        ).all()
    )


# Folders -----------------------------------------------------------------------------------


def create_folder(
    session: Session, *, actor: Actor, portal: Portal, name: str, parent_id: object = None
) -> FileFolder:
    """A new folder (collaborators and staff)."""
    _require_upload(actor, portal)
    clean = safe_display_name(name, fallback="")[:120]
    if not clean:
        raise Invalid(errors={"name": ["Give the folder a name."]})
    parent = _folder(session, actor, portal.company_id, parent_id)
    exists = session.exec(
        select(FileFolder.id).where(
            FileFolder.company_id == portal.company_id,
            FileFolder.parent_id == (parent.id if parent else None)
            if parent
            else FileFolder.parent_id.is_(None),  # type: ignore[union-attr]
            func.lower(FileFolder.name) == clean.lower(),
        )
    ).first()
    if exists is not None:
        raise Invalid(errors={"name": ["A folder with that name is already here."]})
    folder = FileFolder(
        company_id=portal.company_id,
        parent_id=parent.id if parent else None,
        name=clean,
        created_by_id=actor.user_id,
    )
    session.add(folder)
    session.flush()
    return folder


# Uploads -----------------------------------------------------------------------------------


def _max_bytes(portal: Portal) -> int:
    return max(1, portal.max_upload_mb) * 1024 * 1024


def _promote_after_commit(session: Session, storage: Storage, temp: TempObject, key: str) -> None:
    def promote() -> None:
        try:
            storage.promote(temp, key)
        except Exception:  # the cleanup job (or the next download) finishes the promotion
            log.exception("promoting %s failed; left for cleanup", key)

    after_commit(session, promote)


def _store(
    session: Session,
    *,
    actor: Actor,
    portal: Portal,
    temp: TempObject,
    storage: Storage,
    name: str,
    folder: FileFolder | None = None,
    approver: User | None = None,
    existing: PortalFile | None = None,
    request_link: FileRequestLink | None = None,
) -> PortalFile:
    """Sniff a sealed temp object and record it as a new file or a new version."""
    display = safe_display_name(name)
    try:
        content_type = sniff(temp.head, display, portal.allowed_file_types)
    except Invalid:
        storage.discard(temp)
        raise
    key = f"c{portal.company_id}/{uuid.uuid4().hex}"
    now = utcnow()
    label = actor.label or (request_link.label if request_link else "")
    if existing is None:
        file = PortalFile(
            company_id=portal.company_id,
            folder_id=folder.id if folder else None,
            name=display,
            uploaded_by_id=actor.user_id,
            uploader_label=label,
            request_link_id=request_link.id if request_link else None,
            approver_id=approver.id if approver else None,
            approval_status=(
                ApprovalStatus.pending.value if approver else ApprovalStatus.none.value
            ),
            version=1,
        )
    else:
        file = existing
        file.version += 1
        file.name = display
        if approver is not None:
            file.approver_id = approver.id
        if file.approver_id is not None:  # a new version needs a fresh approval
            file.approval_status = ApprovalStatus.pending.value
            file.rejection_note = None
            file.approved_at = None
    file.stored_key = key
    file.size = temp.size
    file.content_type = content_type
    file.sha256 = temp.sha256
    file.updated_at = now
    session.add(file)
    session.flush()
    session.add(
        FileVersion(
            file_id=file.id,  # type: ignore[arg-type]
            company_id=portal.company_id,
            version=file.version,
            name=display,
            stored_key=key,
            pending_temp_ref=temp.ref,
            size=temp.size,
            content_type=content_type,
            sha256=temp.sha256,
            uploaded_by_id=actor.user_id,
            uploader_label=label,
        )
    )
    session.flush()
    _promote_after_commit(session, storage, temp, key)
    who = label or "Someone"
    verb = "uploaded a new version of" if existing else "uploaded"
    activity.record(
        session,
        actor=actor,
        company_id=portal.company_id,
        action=Action.file_uploaded,
        object_type="file",
        object_id=file.id,
        object_label=display,
        description=f"{who} {verb} {display}",
    )
    if file.approval_status == ApprovalStatus.pending.value:
        _request_approval(session, actor=actor, portal=portal, file=file)
    return file


def _request_approval(session: Session, *, actor: Actor, portal: Portal, file: PortalFile) -> None:
    activity.record(
        session,
        actor=actor,
        company_id=portal.company_id,
        action=Action.file_approval_requested,
        object_type="file",
        object_id=file.id,
        object_label=file.name,
        description=f"Approval requested for {file.name}",
    )
    notify(
        session,
        user_ids=[file.approver_id],
        type="file_approval_requested",
        title=f"{file.name} needs your approval",
        company_id=portal.company_id,
        actor=actor,
        url=f"/p/{portal.slug}/files/{file.id}",
    )


def upload_stream(
    session: Session,
    *,
    actor: Actor,
    portal: Portal,
    stream: BinaryIO,
    name: str,
    folder_id: object = None,
    approver_id: object = None,
    file_id: object = None,
    storage: Storage | None = None,
) -> PortalFile:
    """A single-request upload (form post or API multipart), streamed to storage."""
    _require_upload(actor, portal)
    folder = _folder(session, actor, portal.company_id, folder_id)
    approver = _approver(session, portal.company_id, approver_id)
    existing = _version_target(session, actor, portal, file_id)
    storage = storage or get_storage()
    temp = storage.write_temp(stream, max_bytes=_max_bytes(portal))
    return _store(
        session,
        actor=actor,
        portal=portal,
        temp=temp,
        storage=storage,
        name=name,
        folder=folder,
        approver=approver,
        existing=existing,
    )


def _version_target(
    session: Session, actor: Actor, portal: Portal, file_id: object
) -> PortalFile | None:
    if file_id in (None, "", 0, "0"):
        return None
    file = get_file(session, actor=actor, file_id=file_id, company_id=portal.company_id)
    if file.is_linked:
        raise Conflict("A linked file has no versions to upload.")
    if not can_manage_file(actor, file):
        raise Forbidden("Only the uploader or staff can add a version.")
    return file


def start_upload(
    session: Session,
    *,
    actor: Actor,
    portal: Portal,
    name: str,
    size: object,
    folder_id: object = None,
    approver_id: object = None,
    file_id: object = None,
    storage: Storage | None = None,
) -> UploadSession:
    """Begin a chunked upload: checks what can be checked before any byte arrives."""
    _require_upload(actor, portal)
    try:
        total = int(size)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise Invalid(errors={"size": ["Give the file's size in bytes."]}) from None
    if total <= 0:
        raise Invalid("That file is empty.", errors={"file": ["That file is empty."]})
    limit = _max_bytes(portal)
    if total > limit:
        raise Invalid(
            "That file is larger than this portal allows.",
            code="file_too_large",
            errors={"file": [f"Files may be at most {portal.max_upload_mb} MB."]},
        )
    display = safe_display_name(name)
    folder = _folder(session, actor, portal.company_id, folder_id)
    approver = _approver(session, portal.company_id, approver_id)
    existing = _version_target(session, actor, portal, file_id)
    storage = storage or get_storage()
    upload = UploadSession(
        token=secrets.token_urlsafe(24),
        company_id=portal.company_id,
        user_id=actor.user_id,
        folder_id=folder.id if folder else None,
        file_id=existing.id if existing else None,
        approver_id=approver.id if approver else None,
        name=display,
        total_size=total,
        temp_ref=storage.create_temp(),
    )
    session.add(upload)
    session.flush()
    return upload


def get_upload(session: Session, *, actor: Actor, portal: Portal, token: str) -> UploadSession:
    """The actor's own upload in this portal (staff may see any; anyone else's is NotFound)."""
    stmt = scoped(select(UploadSession), actor, UploadSession).where(
        UploadSession.token == token, UploadSession.company_id == portal.company_id
    )
    if not actor.is_staff:
        stmt = stmt.where(UploadSession.user_id == actor.user_id)
    upload = session.exec(stmt).first()
    if upload is None or actor.user_id is None:
        raise NotFound("That upload is gone; start it again.")
    return upload


def upload_offset(upload: UploadSession, storage: Storage | None = None) -> int:
    size = (storage or get_storage()).temp_size(upload.temp_ref)
    if size is None:
        raise NotFound("That upload is gone; start it again.")
    return size


def append_chunk(
    session: Session,
    *,
    actor: Actor,
    portal: Portal,
    token: str,
    offset: object,
    stream: BinaryIO,
    length: int | None,
    storage: Storage | None = None,
) -> int:
    """Append one chunk at ``offset``; a wrong offset is a Conflict naming the right one."""
    upload = get_upload(session, actor=actor, portal=portal, token=token)
    storage = storage or get_storage()
    try:
        at = int(offset)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise Invalid(errors={"offset": ["Send the Upload-Offset header."]}) from None
    if length is not None and length > MAX_CHUNK:
        raise Invalid(errors={"chunk": [f"Chunks may be at most {MAX_CHUNK // 2**20} MB."]})
    if length is not None and length < storage.min_chunk and at + length != upload.total_size:
        raise Invalid(errors={"chunk": [f"Chunks must be at least {storage.min_chunk} bytes."]})
    try:
        new_size = storage.append_temp(
            upload.temp_ref, stream, offset=at, max_bytes=upload.total_size
        )
    except FileNotFoundError:
        raise NotFound("That upload is gone; start it again.") from None
    except Invalid as exc:
        if exc.code == "file_too_large":
            raise Invalid(
                "More bytes arrived than the upload announced.",
                code="upload_too_long",
                errors={"chunk": ["More bytes arrived than the upload announced."]},
            ) from None
        raise
    # No row write per chunk: the temp object's own age says whether the upload is alive.
    return new_size


def complete_upload(
    session: Session,
    *,
    actor: Actor,
    portal: Portal,
    token: str,
    storage: Storage | None = None,
) -> PortalFile:
    """Seal a fully received upload, check its content, and record the file."""
    upload = get_upload(session, actor=actor, portal=portal, token=token)
    storage = storage or get_storage()
    received = upload_offset(upload, storage)
    if received != upload.total_size:
        raise Conflict(
            f"Only {received} of {upload.total_size} bytes have arrived.",
            code="upload_incomplete",
            errors={"offset": [str(received)]},
        )
    temp = storage.seal_temp(upload.temp_ref)
    folder = session.get(FileFolder, upload.folder_id) if upload.folder_id else None
    approver = session.get(User, upload.approver_id) if upload.approver_id else None
    existing = (
        get_file(session, actor=actor, file_id=upload.file_id, company_id=portal.company_id)
        if upload.file_id
        else None
    )
    session.delete(upload)
    return _store(
        session,
        actor=actor,
        portal=portal,
        temp=temp,
        storage=storage,
        name=upload.name,
        folder=folder,
        approver=approver,
        existing=existing,
    )


def cancel_upload(
    session: Session, *, actor: Actor, portal: Portal, token: str, storage: Storage | None = None
) -> None:
    upload = get_upload(session, actor=actor, portal=portal, token=token)
    storage = storage or get_storage()
    ref = upload.temp_ref
    session.delete(upload)
    session.flush()
    after_commit(session, lambda: storage.discard_ref(ref))


def add_link(
    session: Session,
    *,
    actor: Actor,
    portal: Portal,
    url: str,
    name: str = "",
    folder_id: object = None,
    approver_id: object = None,
) -> PortalFile:
    """A linked file: an external http(s) URL listed with the files."""
    _require_upload(actor, portal)
    url = (url or "").strip()
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc or len(url) > 2000:
        raise Invalid(errors={"url": ["Enter a full http:// or https:// address."]})
    folder = _folder(session, actor, portal.company_id, folder_id)
    approver = _approver(session, portal.company_id, approver_id)
    display = safe_display_name(name or parsed.netloc + parsed.path, fallback=parsed.netloc)
    file = PortalFile(
        company_id=portal.company_id,
        folder_id=folder.id if folder else None,
        name=display,
        linked_url=url,
        uploaded_by_id=actor.user_id,
        uploader_label=actor.label,
        approver_id=approver.id if approver else None,
        approval_status=ApprovalStatus.pending.value if approver else ApprovalStatus.none.value,
    )
    session.add(file)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=portal.company_id,
        action=Action.file_linked,
        object_type="file",
        object_id=file.id,
        object_label=display,
        description=f"{actor.label or 'Someone'} linked {display}",
    )
    if approver is not None:
        _request_approval(session, actor=actor, portal=portal, file=file)
    return file


# Approval ----------------------------------------------------------------------------------


def _portal_of(session: Session, file: PortalFile) -> Portal:
    portal = session.exec(select(Portal).where(Portal.company_id == file.company_id)).first()
    if portal is None:  # every company has a portal; a missing one is a data error
        raise NotFound()
    return portal


def approve_file(
    session: Session, *, actor: Actor, file_id: object, company_id: int | None = None
) -> PortalFile:
    """The designated approver (or staff) approves a pending file."""
    file = get_file(session, actor=actor, file_id=file_id, company_id=company_id)
    return _decide(session, actor=actor, file=file, approve=True, note=None)


def reject_file(
    session: Session,
    *,
    actor: Actor,
    file_id: object,
    note: str,
    company_id: int | None = None,
) -> PortalFile:
    """The designated approver (or staff) rejects a pending file with a note."""
    file = get_file(session, actor=actor, file_id=file_id, company_id=company_id)
    note = (note or "").strip()
    if not note:
        raise Invalid(errors={"note": ["Say what needs to change."]})
    return _decide(session, actor=actor, file=file, approve=False, note=note[:2000])


def _decide(
    session: Session, *, actor: Actor, file: PortalFile, approve: bool, note: str | None
) -> PortalFile:
    if file.approval_status != ApprovalStatus.pending.value:
        raise Conflict("This file isn't waiting for approval.")
    if not can_approve_file(actor, file):
        raise Forbidden("Only the designated approver or staff can decide on this file.")
    portal = _portal_of(session, file)
    file.approval_status = (ApprovalStatus.approved if approve else ApprovalStatus.rejected).value
    file.rejection_note = None if approve else note
    file.approved_at = utcnow()
    file.updated_at = file.approved_at
    session.add(file)
    session.flush()
    action = Action.file_approved if approve else Action.file_rejected
    verb = "approved" if approve else "rejected"
    activity.record(
        session,
        actor=actor,
        company_id=file.company_id,
        action=action,
        object_type="file",
        object_id=file.id,
        object_label=file.name,
        description=f"{actor.label or 'Someone'} {verb} {file.name}",
    )
    notify(
        session,
        user_ids=[file.uploaded_by_id],
        type="file_approved",
        title=f"{file.name} was {verb}",
        body=note or "",
        company_id=file.company_id,
        actor=actor,
        url=f"/p/{portal.slug}/files/{file.id}",
    )
    return file


# Delete ------------------------------------------------------------------------------------


def delete_file(
    session: Session,
    *,
    actor: Actor,
    file_id: object,
    company_id: int | None = None,
    storage: Storage | None = None,
) -> PortalFile:
    """Soft-delete a file (uploader or staff); its blobs go once the deletion commits."""
    file = get_file(session, actor=actor, file_id=file_id, company_id=company_id)
    if not can_manage_file(actor, file):
        raise Forbidden("Only the uploader or staff can delete this file.")
    if actor.kind == "client" and not actor.can("portal.write"):
        raise Forbidden()
    storage = storage or get_storage()
    keys = list(
        session.exec(select(FileVersion.stored_key).where(FileVersion.file_id == file.id)).all()
    )
    file.deleted_at = utcnow()
    session.add(file)
    activity.record(
        session,
        actor=actor,
        company_id=file.company_id,
        action=Action.file_deleted,
        object_type="file",
        object_id=file.id,
        object_label=file.name,
        description=f"{actor.label or 'Someone'} deleted {file.name}",
    )

    def purge() -> None:
        for key in keys:
            try:
                storage.delete(key)
            except Exception:
                log.exception("could not delete blob %s", key)

    after_commit(session, purge)
    return file


# Download ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    file: PortalFile
    stream: BinaryIO | None  # None for linked files
    name: str
    content_type: str
    size: int
    version: int
    redirect_url: str | None = None


def open_download(
    session: Session,
    *,
    actor: Actor,
    file_id: object,
    company_id: int | None = None,
    version: object = None,
    inline: bool = False,
    storage: Storage | None = None,
) -> Download:
    """Open a visible file (or one of its versions) for streaming, and log the download."""
    file = get_file(session, actor=actor, file_id=file_id, company_id=company_id)
    session.add(
        FileDownload(
            file_id=file.id,  # type: ignore[arg-type]
            company_id=file.company_id,
            user_id=actor.user_id,
            actor_label=actor.label,
            version=file.version,
            inline=inline,
        )
    )
    if file.is_linked:
        return Download(file, None, file.name, "", 0, file.version, redirect_url=file.linked_url)
    row = _version_row(session, file, version)
    storage = storage or get_storage()
    try:
        stream = storage.open(row.stored_key)
    except FileNotFoundError:
        stream = _repair_promotion(storage, row)
    return Download(file, stream, row.name, row.content_type, row.size, row.version)


def _version_row(session: Session, file: PortalFile, version: object) -> FileVersion:
    stmt = select(FileVersion).where(FileVersion.file_id == file.id)
    if version not in (None, ""):
        try:
            stmt = stmt.where(FileVersion.version == int(version))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            raise NotFound() from None
    else:
        stmt = stmt.where(FileVersion.version == file.version)
    row = session.exec(stmt).first()
    if row is None:
        raise NotFound()
    return row


def _repair_promotion(storage: Storage, row: FileVersion) -> BinaryIO:
    """The blob's promotion after commit was missed (a killed worker): finish it now."""
    if not row.pending_temp_ref:
        raise NotFound("The file's content is missing.")
    try:
        storage.promote(TempObject(row.pending_temp_ref, row.size, row.sha256, b""), row.stored_key)
        return storage.open(row.stored_key)
    except (FileNotFoundError, OSError):
        raise NotFound("The file's content is missing.") from None


@dataclass(frozen=True)
class DownloadLogRow:
    download: FileDownload
    file_name: str


def download_log(
    session: Session, *, actor: Actor, company_id: int, page: int = 1, per_page: int = 50
) -> tuple[list[DownloadLogRow], int]:
    """Who downloaded what and when (staff only)."""
    if not actor.is_staff:
        raise Forbidden("Only staff can see the download log.")
    base = scoped(select(FileDownload), actor, FileDownload).where(
        FileDownload.company_id == company_id
    )
    total = int(session.exec(select(func.count()).select_from(base.subquery())).one())
    rows = session.execute(
        base.add_columns(PortalFile.name)
        .join(PortalFile, PortalFile.id == FileDownload.file_id)
        .order_by(FileDownload.created_at.desc(), FileDownload.id.desc())  # type: ignore[attr-defined]
        .limit(per_page)
        .offset((max(1, page) - 1) * per_page)
    ).all()
    return [DownloadLogRow(d, n) for d, n in rows], total


# Cleanup -----------------------------------------------------------------------------------


def cleanup_uploads(
    session: Session,
    *,
    older_than_seconds: int = UPLOAD_TTL_SECONDS,
    storage: Storage | None = None,
) -> dict[str, int]:
    """Finish missed promotions, drop abandoned uploads, then remove stale temporary objects."""
    storage = storage or get_storage()
    stats = {"promoted": 0, "abandoned": 0, "temp_removed": 0}
    pending = session.exec(
        select(FileVersion).where(FileVersion.pending_temp_ref.is_not(None))  # type: ignore[union-attr]
    ).all()
    for row in pending:
        if not storage.exists(row.stored_key):
            try:
                storage.promote(
                    TempObject(row.pending_temp_ref or "", row.size, row.sha256, b""),
                    row.stored_key,
                )
                stats["promoted"] += 1
            except (FileNotFoundError, OSError):
                log.warning("blob for %s is missing", row.stored_key)
                continue
        row.pending_temp_ref = None
        session.add(row)
    stats["temp_removed"] = storage.cleanup_temp(older_than_seconds=older_than_seconds)
    # An upload whose temp object is gone (idle past the TTL) can never complete.
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    stale = session.exec(select(UploadSession).where(UploadSession.created_at <= cutoff)).all()
    for upload in stale:
        if storage.temp_size(upload.temp_ref) is None:
            session.delete(upload)
            stats["abandoned"] += 1
    session.flush()
    return stats


@job("cleanup_uploads")
def cleanup_uploads_job(session: Session, older_than_seconds: int = UPLOAD_TTL_SECONDS) -> None:
    stats = cleanup_uploads(session, older_than_seconds=older_than_seconds)
    log.info("storage cleanup: %s", stats)
