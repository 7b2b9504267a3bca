"""The one upload pipeline, and the uploads of the Files tab: streamed, chunked and resumable.

Every upload of a portal — a file, a task attachment, a deliverable version, a guest's file
through a request link — goes through :func:`receive` (or :func:`check` once a chunked upload is
sealed): the bytes stream to a temporary object within the portal's size limit, then their
content (never their name) is checked against the portal's allow-list; programs, scripts and
markup are refused whatever they are called. A refused upload leaves nothing behind.

A file's blob stays under its temporary name until the request's transaction commits; only then
is it promoted to its final key. A worker killed mid-upload therefore leaves only a temporary
object (removed by ``cleanup_uploads``) and no row.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import BinaryIO

from sqlmodel import Session, col, select

from portal.db import after_commit
from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.filetypes import human_size, safe_display_name, sniff
from portal.jobs import job
from portal.models import (
    ApprovalStatus,
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
from portal.models.file import FileTargets, UploadStart
from portal.storage import Storage, TempObject, Upload, get_storage
from portal.sweeper import periodic
from portal.tenancy import Actor, scoped
from services.events import activity
from services.events.notifications import Subject, notify
from services.files.access import (
    approver_for,
    can_manage_file,
    folder_in,
    get_file,
    require_upload,
)
from services.files.thumbnails import schedule_thumbnail

log = logging.getLogger(__name__)

UPLOAD_TTL_SECONDS = 24 * 3600
CHUNK_SIZE = 8 * 1024 * 1024
MAX_CHUNK = 64 * 1024 * 1024


# The pipeline ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """An upload held under a temporary name, checked: its safe display name and its type."""

    temp: TempObject
    name: str
    content_type: str


def max_upload_bytes(portal: Portal) -> int:
    return max(1, portal.max_upload_mb) * 1024 * 1024


def check(*, portal: Portal, temp: TempObject, name: str, storage: Storage) -> Received:
    """Type a sealed temporary object by its content, or discard it and raise Invalid."""
    display = safe_display_name(name)
    try:
        content_type = sniff(temp.head, display, portal.allowed_file_types)
    except Invalid:
        storage.discard(temp)
        raise
    return Received(temp, display, content_type)


def receive(*, portal: Portal, stream: BinaryIO, name: str, storage: Storage) -> Received:
    """Stream an upload to a temporary object within the portal's limits, then :func:`check` it."""
    temp = storage.write_temp(stream, max_bytes=max_upload_bytes(portal))
    return check(portal=portal, temp=temp, name=name, storage=storage)


# Files ---------------------------------------------------------------------------------------


def _promote_after_commit(session: Session, storage: Storage, temp: TempObject, key: str) -> None:
    def promote() -> None:
        try:
            storage.promote(temp, key)
        except Exception:  # the cleanup job (or the next download) finishes the promotion
            log.exception("promoting %s failed; left for cleanup", key)

    after_commit(session, promote)


def record_upload(
    session: Session,
    *,
    actor: Actor,
    portal: Portal,
    received: Received,
    storage: Storage,
    folder: FileFolder | None = None,
    approver: User | None = None,
    existing: PortalFile | None = None,
    request_link: FileRequestLink | None = None,
) -> PortalFile:
    """Record a received upload as a new file or a new version of ``existing``."""
    display, temp = received.name, received.temp
    key = f"c{portal.company_id}/{uuid.uuid4().hex}"
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
    file.content_type = received.content_type
    file.sha256 = temp.sha256
    file.updated_at = utcnow()
    session.add(file)
    session.flush()
    assert file.id is not None
    session.add(
        FileVersion(
            file_id=file.id,
            company_id=portal.company_id,
            version=file.version,
            name=display,
            stored_key=key,
            pending_temp_ref=temp.ref,
            size=temp.size,
            content_type=received.content_type,
            sha256=temp.sha256,
            uploaded_by_id=actor.user_id,
            uploader_label=label,
        )
    )
    session.flush()
    _promote_after_commit(session, storage, temp, key)
    schedule_thumbnail(session, file)  # after the promotion above (after-commit runs in order)
    verb = "uploaded a new version of" if existing else "uploaded"
    activity.record(
        session,
        actor=actor,
        company_id=portal.company_id,
        action=Action.file_uploaded,
        object_type="file",
        object_id=file.id,
        object_label=display,
        description=f"{label or 'Someone'} {verb} {display}",
    )
    if file.approval_status == ApprovalStatus.pending.value:
        request_approval(session, actor=actor, portal=portal, file=file)
    return file


def request_approval(session: Session, *, actor: Actor, portal: Portal, file: PortalFile) -> None:
    """Record and announce that ``file`` waits for its designated approver."""
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
        subject=Subject("file", file.id, file.name),
    )


def _version_target(
    session: Session, actor: Actor, portal: Portal, file_id: int | None
) -> PortalFile | None:
    if file_id is None:
        return None
    file = get_file(session, actor=actor, file_id=file_id)
    if file.company_id != portal.company_id:
        raise NotFound()
    if file.is_linked:
        raise Conflict("A linked file has no versions to upload.")
    if not can_manage_file(actor, file):
        raise Forbidden("Only the uploader or staff can add a version.")
    return file


def upload_stream(
    session: Session,
    *,
    actor: Actor,
    portal: Portal,
    stream: BinaryIO,
    name: str,
    folder_id: int | None = None,
    approver_id: int | None = None,
    file_id: int | None = None,
    storage: Storage | None = None,
) -> PortalFile:
    """A single-request upload (form post or API multipart) into ``portal``, streamed."""
    require_upload(actor, portal)
    folder = folder_in(session, actor=actor, portal=portal, folder_id=folder_id)
    approver = approver_for(session, portal=portal, approver_id=approver_id)
    existing = _version_target(session, actor, portal, file_id)
    storage = storage or get_storage()
    received = receive(portal=portal, stream=stream, name=name, storage=storage)
    return record_upload(
        session,
        actor=actor,
        portal=portal,
        received=received,
        storage=storage,
        folder=folder,
        approver=approver,
        existing=existing,
    )


@dataclass
class UploadBatch:
    """What a form posting several files achieved: how many arrived, and each refusal."""

    done: int = 0
    refused: list[str] = field(default_factory=list)


def upload_files(
    session: Session,
    *,
    actor: Actor,
    portal: Portal,
    uploads: list[Upload],
    targets: FileTargets,
    storage: Storage | None = None,
) -> UploadBatch:
    """Several files posted at once (the no-JavaScript form): a refused one spares the rest."""
    batch = UploadBatch()
    for upload in uploads:
        try:
            upload_stream(
                session,
                actor=actor,
                portal=portal,
                stream=upload.stream,
                name=upload.filename or "file",
                folder_id=targets.folder_id,
                approver_id=targets.approver_id,
                file_id=targets.file_id,
                storage=storage,
            )
            batch.done += 1
        except Invalid as exc:
            batch.refused.append(exc.errors.get("file", [exc.message])[0])
    return batch


# Chunked, resumable uploads ----------------------------------------------------------------


def start_upload(
    session: Session,
    *,
    actor: Actor,
    portal: Portal,
    data: UploadStart,
    storage: Storage | None = None,
) -> UploadSession:
    """Begin a chunked upload: checks what can be checked before any byte arrives."""
    require_upload(actor, portal)
    if data.size > max_upload_bytes(portal):
        raise Invalid(
            "That file is larger than this portal allows.",
            code="file_too_large",
            errors={"file": [f"Files may be at most {human_size(max_upload_bytes(portal))}."]},
        )
    folder = folder_in(session, actor=actor, portal=portal, folder_id=data.folder_id)
    approver = approver_for(session, portal=portal, approver_id=data.approver_id)
    existing = _version_target(session, actor, portal, data.file_id)
    storage = storage or get_storage()
    upload = UploadSession(
        token=secrets.token_urlsafe(24),
        company_id=portal.company_id,
        user_id=actor.user_id,
        folder_id=folder.id if folder else None,
        file_id=existing.id if existing else None,
        approver_id=approver.id if approver else None,
        name=safe_display_name(data.name),
        total_size=data.size,
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


@dataclass(frozen=True)
class UploadStatus:
    upload: UploadSession
    offset: int


def upload_status(
    session: Session, *, actor: Actor, portal: Portal, token: str, storage: Storage | None = None
) -> UploadStatus:
    """Where an upload stands: the bytes received so far are where the client resumes."""
    upload = get_upload(session, actor=actor, portal=portal, token=token)
    return UploadStatus(upload, upload_offset(upload, storage))


def append_chunk(
    session: Session,
    *,
    actor: Actor,
    portal: Portal,
    token: str,
    offset: int | None,
    stream: BinaryIO,
    length: int | None,
    storage: Storage | None = None,
) -> int:
    """Append one chunk at ``offset``; a wrong offset is a Conflict naming the right one."""
    upload = get_upload(session, actor=actor, portal=portal, token=token)
    storage = storage or get_storage()
    if offset is None:
        raise Invalid(errors={"offset": ["Send the Upload-Offset header."]})
    if length is not None and length > MAX_CHUNK:
        raise Invalid(errors={"chunk": [f"Chunks may be at most {MAX_CHUNK // 2**20} MB."]})
    if length is not None and length < storage.min_chunk and offset + length != upload.total_size:
        raise Invalid(errors={"chunk": [f"Chunks must be at least {storage.min_chunk} bytes."]})
    try:
        new_size = storage.append_temp(
            upload.temp_ref, stream, offset=offset, max_bytes=upload.total_size
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
    existing = _version_target(session, actor, portal, upload.file_id) if upload.file_id else None
    session.delete(upload)
    return record_upload(
        session,
        actor=actor,
        portal=portal,
        received=check(portal=portal, temp=temp, name=upload.name, storage=storage),
        storage=storage,
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
        select(FileVersion).where(col(FileVersion.pending_temp_ref).is_not(None))
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
    stale = session.exec(select(UploadSession).where(col(UploadSession.created_at) <= cutoff)).all()
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


periodic("cleanup_uploads", setting="UPLOAD_CLEANUP_SECONDS", default=3600.0)
