"""Files: the Files tab's pages, folders, links, approval, deletion and downloads.

Uploads (and the one upload pipeline every area shares) live in :mod:`services.files.uploads`,
visibility and permissions in :mod:`services.files.access`; both are re-exported here, the
area's one entry point.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import urlparse

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from portal.db import after_commit
from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.filetypes import CATEGORIES, IMAGE_PREVIEW, INLINE_TYPES, safe_display_name
from portal.models import (
    ApprovalStatus,
    FileDownload,
    FileFolder,
    FileVersion,
    Portal,
    PortalFile,
    User,
)
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.file import FileLinkCreate, FileRejection, FolderCreate
from portal.storage import Blob, Storage, TempObject, get_storage
from portal.tenancy import Actor, require_staff, scoped, staff_can
from portal.web.pagination import Head, Page, count, head, paginate
from services.events import activity
from services.events.notifications import Subject, notify, resolve
from services.files.access import (
    VISIBLE_STATUSES,
    approver_choices,
    approver_for,
    can_approve_file,
    can_manage_file,
    can_upload,
    folder_in,
    get_file,
    portal_of,
    require_upload,
    visible_files,
)
from services.files.uploads import (
    CHUNK_SIZE,
    UploadBatch,
    append_chunk,
    cancel_upload,
    cleanup_uploads,
    complete_upload,
    get_upload,
    max_upload_bytes,
    receive,
    request_approval,
    start_upload,
    upload_files,
    upload_offset,
    upload_status,
    upload_stream,
)

__all__ = [
    "CHUNK_SIZE",
    "VISIBLE_STATUSES",
    "UploadBatch",
    "append_chunk",
    "approver_choices",
    "can_approve_file",
    "can_manage_file",
    "cancel_upload",
    "cleanup_uploads",
    "complete_upload",
    "get_file",
    "get_upload",
    "max_upload_bytes",
    "receive",
    "start_upload",
    "upload_files",
    "upload_offset",
    "upload_status",
    "upload_stream",
    "visible_files",
]

log = logging.getLogger(__name__)

PAGE_SIZE = 25
LOG_PAGE_SIZE = 50
SORTS: dict[str, tuple[Any, ...]] = {
    "newest": (col(PortalFile.created_at).desc(), col(PortalFile.id).desc()),
    "oldest": (col(PortalFile.created_at).asc(), col(PortalFile.id).asc()),
    "name": (func.lower(PortalFile.name).asc(), col(PortalFile.id).asc()),
    "size": (col(PortalFile.size).desc(), col(PortalFile.id).desc()),
}


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
    files: Page[FileRow]
    q: str
    sort: str


def list_files(
    session: Session,
    *,
    actor: Actor,
    company_id: int,
    folder_id: int | None = None,
    q: str = "",
    sort: str = "newest",
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> FileListing:
    """One folder of a company's tree (or a search across it), paged, in a fixed number of
    queries."""
    all_folders = list(
        session.exec(
            scoped(select(FileFolder), actor, FileFolder)
            .where(FileFolder.company_id == company_id)
            .order_by(func.lower(FileFolder.name))
        ).all()
    )
    by_id = {f.id: f for f in all_folders}
    folder = None
    if folder_id is not None:
        folder = by_id.get(folder_id)
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
        base = base.where(col(PortalFile.name).ilike(f"%{escaped}%", escape="\\"))
    elif folder is not None:
        base = base.where(PortalFile.folder_id == folder.id)
    else:
        base = base.where(col(PortalFile.folder_id).is_(None))
    approver = aliased(User)
    rows = paginate(
        session,
        base.add_columns(col(approver.name), col(approver.email))
        .outerjoin(approver, col(approver.id) == PortalFile.approver_id)
        .order_by(*SORTS[sort]),
        page=page,
        per_page=per_page,
        scalars=False,
    )
    parent_id = folder.id if folder else None
    return FileListing(
        folder=folder,
        breadcrumbs=crumbs,
        folders=[] if q else [f for f in all_folders if f.parent_id == parent_id],
        files=rows.map(
            lambda r: FileRow(r[0], (r[1] or (r[2] or "").split("@")[0]) if r[2] else None)
        ),
        q=q,
        sort=sort,
    )


@dataclass(frozen=True)
class FilesPage:
    """The Files tab: the listing and what the visitor may add to it."""

    listing: FileListing
    can_upload: bool
    approvers: list[User]
    categories: list[str]  # labels of the file kinds the portal accepts
    chunk_size: int = CHUNK_SIZE


def files_page(
    session: Session,
    *,
    actor: Actor,
    portal: Portal,
    can_write: bool,
    folder_id: int | None = None,
    q: str = "",
    sort: str = "newest",
    page: int = 1,
) -> FilesPage:
    """A portal's Files tab (``can_write``: the portal lets this visitor change things)."""
    listing = list_files(
        session,
        actor=actor,
        company_id=portal.company_id,
        folder_id=folder_id,
        q=q,
        sort=sort,
        page=page,
    )
    uploads = can_write and can_upload(actor, portal)
    return FilesPage(
        listing=listing,
        can_upload=uploads,
        approvers=approver_choices(session, company_id=portal.company_id) if uploads else [],
        categories=[CATEGORIES[c][0] for c in (portal.allowed_file_types or list(CATEGORIES))],
    )


def api_list_files(
    session: Session, *, actor: Actor, company_id: int, limit: int, offset: int
) -> tuple[list[PortalFile], int]:
    """All visible files of a company (every folder), newest first, for the API."""
    base = visible_files(actor).where(PortalFile.company_id == company_id)
    rows = session.exec(base.order_by(*SORTS["newest"]).limit(limit).offset(offset)).all()
    return list(rows), count(session, base)


def file_versions(session: Session, *, actor: Actor, file: PortalFile) -> list[FileVersion]:
    return list(
        session.exec(
            scoped(select(FileVersion), actor, FileVersion)
            .where(FileVersion.file_id == file.id)
            .order_by(col(FileVersion.version).desc())
        ).all()
    )


@dataclass(frozen=True)
class FileView:
    """One file's page: its versions, a preview kind, and what the visitor may do."""

    file: PortalFile
    versions: list[FileVersion]
    can_manage: bool
    can_approve: bool
    can_publish: bool

    @property
    def preview(self) -> str | None:
        if self.file.content_type in IMAGE_PREVIEW:
            return "image"
        return "pdf" if self.file.content_type == "application/pdf" else None


def file_page(session: Session, *, actor: Actor, file_id: int, can_write: bool) -> FileView:
    """A visible file with its history (``can_write``: the portal lets this visitor act)."""
    file = get_file(session, actor=actor, file_id=file_id)
    return FileView(
        file=file,
        versions=file_versions(session, actor=actor, file=file),
        can_manage=can_write and can_manage_file(actor, file),
        can_approve=can_write and can_approve_file(actor, file),
        can_publish=can_write and staff_can(actor, "file.publish"),
    )


# Files waiting for a person's approval: the first rows and how many in all.
FilesWaiting = Head[PortalFile]


def pending_file_approvals(session: Session, *, actor: Actor, limit: int = 20) -> FilesWaiting:
    """Files waiting for this actor's approval (the dashboard's "waiting for you"); counted
    only when there are more than ``limit``."""
    if actor.user_id is None:
        return FilesWaiting(rows=[], total=0)
    stmt = visible_files(actor).where(
        PortalFile.approval_status == ApprovalStatus.pending.value,
        PortalFile.approver_id == actor.user_id,
    )
    return head(session, stmt, order_by=[col(PortalFile.created_at)], limit=limit)


# Folders and links -------------------------------------------------------------------------


def create_folder(
    session: Session, *, actor: Actor, portal: Portal, data: FolderCreate
) -> FileFolder:
    """A new folder in the portal's tree (collaborators and staff)."""
    require_upload(actor, portal)
    parent = folder_in(session, actor=actor, portal=portal, folder_id=data.parent_id)
    same_place = (
        FileFolder.parent_id == parent.id if parent else col(FileFolder.parent_id).is_(None)
    )
    exists = session.exec(
        select(FileFolder.id).where(
            FileFolder.company_id == portal.company_id,
            same_place,
            func.lower(FileFolder.name) == data.name.lower(),
        )
    ).first()
    if exists is not None:
        raise Invalid(errors={"name": ["A folder with that name is already here."]})
    folder = FileFolder(
        company_id=portal.company_id,
        parent_id=parent.id if parent else None,
        name=data.name,
        created_by_id=actor.user_id,
    )
    session.add(folder)
    session.flush()
    return folder


def add_link(session: Session, *, actor: Actor, portal: Portal, data: FileLinkCreate) -> PortalFile:
    """A linked file: an external http(s) URL listed with the portal's files."""
    require_upload(actor, portal)
    folder = folder_in(session, actor=actor, portal=portal, folder_id=data.folder_id)
    approver = approver_for(session, portal=portal, approver_id=data.approver_id)
    parsed = urlparse(data.url)
    display = safe_display_name(data.name or parsed.netloc + parsed.path, fallback=parsed.netloc)
    file = PortalFile(
        company_id=portal.company_id,
        folder_id=folder.id if folder else None,
        name=display,
        linked_url=data.url,
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
        request_approval(session, actor=actor, portal=portal, file=file)
    return file


# Approval ----------------------------------------------------------------------------------


def approve_file(session: Session, *, actor: Actor, file_id: int) -> PortalFile:
    """The designated approver (or staff) approves a pending file."""
    file = get_file(session, actor=actor, file_id=file_id)
    return _decide(session, actor=actor, file=file, approve=True, note=None)


def reject_file(session: Session, *, actor: Actor, file_id: int, data: FileRejection) -> PortalFile:
    """The designated approver (or staff) rejects a pending file with a note."""
    file = get_file(session, actor=actor, file_id=file_id)
    return _decide(session, actor=actor, file=file, approve=False, note=data.note)


def _decide(
    session: Session, *, actor: Actor, file: PortalFile, approve: bool, note: str | None
) -> PortalFile:
    if file.approval_status != ApprovalStatus.pending.value:
        raise Conflict("This file isn't waiting for approval.")
    if not can_approve_file(actor, file):
        raise Forbidden("Only the designated approver or staff can decide on this file.")
    portal = portal_of(session, file.company_id)
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
        subject=Subject("file", file.id, file.name),
    )
    # decided: the approver's "needs your approval" notice is done (whoever decided)
    resolve(session, subject=Subject("file", file.id, file.name), types=["file_approval_requested"])
    return file


# Delete ------------------------------------------------------------------------------------


def delete_file(
    session: Session, *, actor: Actor, file_id: int, storage: Storage | None = None
) -> PortalFile:
    """Soft-delete a file (uploader or staff); its blobs go once the deletion commits."""
    file = get_file(session, actor=actor, file_id=file_id)
    if not can_manage_file(actor, file):
        raise Forbidden("Only the uploader or staff can delete this file.")
    store = storage or get_storage()
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
                store.delete(key)
            except Exception:
                log.exception("could not delete blob %s", key)

    after_commit(session, purge)
    return file


# Download ----------------------------------------------------------------------------------


def open_download(
    session: Session,
    *,
    actor: Actor,
    file_id: int,
    version: int | None = None,
    inline: bool = False,
    storage: Storage | None = None,
) -> Blob:
    """A visible file (or one of its versions) opened for the one download responder; the
    download is logged."""
    file = get_file(session, actor=actor, file_id=file_id)
    assert file.id is not None
    session.add(
        FileDownload(
            file_id=file.id,
            company_id=file.company_id,
            user_id=actor.user_id,
            actor_label=actor.label,
            version=file.version,
            inline=inline,
        )
    )
    if file.linked_url is not None:
        return Blob(name=file.name, content_type="", size=0, redirect_url=file.linked_url)
    row = session.exec(
        select(FileVersion).where(
            FileVersion.file_id == file.id,
            FileVersion.version == (file.version if version is None else version),
        )
    ).first()
    if row is None:
        raise NotFound()
    store = storage or get_storage()
    try:
        stream = store.open(row.stored_key)
    except FileNotFoundError:
        stream = _repair_promotion(store, row)
    return Blob(
        name=row.name,
        content_type=row.content_type,
        size=row.size,
        stream=stream,
        inline_ok=row.content_type in INLINE_TYPES,
    )


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
    session: Session, *, actor: Actor, company_id: int, page: int = 1
) -> Page[DownloadLogRow]:
    """Who downloaded which of a company's files, and when, newest first (staff only)."""
    require_staff(actor, message="Only staff can see the download log.")
    rows = paginate(
        session,
        scoped(select(FileDownload), actor, FileDownload)
        .where(FileDownload.company_id == company_id)
        .add_columns(col(PortalFile.name))
        .join(PortalFile, col(PortalFile.id) == FileDownload.file_id)
        .order_by(col(FileDownload.created_at).desc(), col(FileDownload.id).desc()),
        page=page,
        per_page=LOG_PAGE_SIZE,
        scalars=False,
    )
    return rows.map(lambda r: DownloadLogRow(r[0], r[1]))
