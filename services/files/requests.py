"""File request links: staff hand a contact a tokenised link to drop files without an account."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import BinaryIO

from sqlmodel import Session, col, select

from portal.errors import Conflict, DomainError, Invalid, NotFound
from portal.models import FileFolder, FileRequestLink, Portal, PortalFile, User
from portal.models.base import utcnow
from portal.models.file import RequestLinkCreate
from portal.storage import Storage, Upload, get_storage
from portal.tenancy import Actor, get_for_actor, require_staff, scoped
from services.accounts.tokens import digest, new_link_token
from services.files.access import folder_in
from services.files.uploads import receive, record_upload


class LinkGone(DomainError):
    """This upload link has expired or was revoked."""

    status = 410
    code = "link_gone"


def _require_link_manager(actor: Actor) -> None:
    require_staff(actor, "file.request", "Only staff can manage file request links.")


def list_request_links(
    session: Session, *, actor: Actor, company_id: int, limit: int = 100
) -> list[FileRequestLink]:
    """A company's request links, newest first (staff)."""
    _require_link_manager(actor)
    return list(
        session.exec(
            scoped(select(FileRequestLink), actor, FileRequestLink)
            .where(FileRequestLink.company_id == company_id)
            .order_by(col(FileRequestLink.created_at).desc())
            .limit(limit)
        ).all()
    )


@dataclass(frozen=True)
class RequestLinksPage:
    links: list[FileRequestLink]
    now: datetime  # what "expired" is measured against


def request_links_page(session: Session, *, actor: Actor, company_id: int) -> RequestLinksPage:
    """The staff page listing a portal's request links."""
    return RequestLinksPage(
        list_request_links(session, actor=actor, company_id=company_id), utcnow()
    )


def create_request_link(
    session: Session, *, actor: Actor, portal: Portal, data: RequestLinkCreate
) -> tuple[FileRequestLink, str]:
    """A new link into the portal; the token is returned once and stored hashed."""
    _require_link_manager(actor)
    folder = folder_in(session, actor=actor, portal=portal, folder_id=data.folder_id)
    token, token_hash = new_link_token()
    link = FileRequestLink(
        company_id=portal.company_id,
        token_hash=token_hash,
        label=data.label,
        folder_id=folder.id if folder else None,
        approver_id=actor.user_id,
        expires_at=utcnow() + timedelta(days=data.expires_in_days),
        max_files=data.max_files,
        created_by_id=actor.user_id,
    )
    session.add(link)
    session.flush()
    return link, token


def revoke_request_link(session: Session, *, actor: Actor, link_id: int) -> FileRequestLink:
    """Turn a link off (staff); it answers 410 from then on."""
    _require_link_manager(actor)
    link = get_for_actor(session, FileRequestLink, link_id, actor)
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        session.add(link)
        session.flush()
    return link


@dataclass(frozen=True)
class OpenLink:
    link: FileRequestLink
    portal: Portal
    remaining: int


def open_request_link(session: Session, *, token: str) -> OpenLink:
    """The link behind a token if it can still take files (unknown → 404, used up → 410)."""
    row = session.exec(
        select(FileRequestLink, Portal)
        .join(Portal, col(Portal.company_id) == FileRequestLink.company_id)
        .where(FileRequestLink.token_hash == digest(token or ""))
    ).first()
    if row is None:
        raise NotFound("This upload link doesn't exist.")
    link, portal = row
    if link.revoked_at is not None:
        raise LinkGone("This upload link was turned off. Ask your contact for a new one.")
    if link.expires_at <= utcnow():
        raise LinkGone("This upload link has expired. Ask your contact for a new one.")
    if link.uses >= link.max_files:
        raise LinkGone("This link has already received all the files it can take.")
    if portal.status == "archived":
        raise LinkGone("This portal no longer accepts files.")
    return OpenLink(link, portal, link.max_files - link.uses)


def upload_via_link(
    session: Session,
    *,
    token: str,
    stream: BinaryIO,
    name: str,
    storage: Storage | None = None,
) -> PortalFile:
    """A guest upload through a request link: it lands pending approval by the link's owner."""
    opened = open_request_link(session, token=token)
    link, portal = opened.link, opened.portal
    storage = storage or get_storage()
    received = receive(portal=portal, stream=stream, name=name, storage=storage)
    guest = Actor(kind="anonymous", label=f"Guest via “{link.label}”"[:200])
    approver = session.get(User, link.approver_id) if link.approver_id else None
    if approver is None or not approver.is_active:
        approver = session.get(User, link.created_by_id) if link.created_by_id else None
    folder = session.get(FileFolder, link.folder_id) if link.folder_id else None
    file = record_upload(
        session,
        actor=guest,
        portal=portal,
        received=received,
        storage=storage,
        folder=folder,
        approver=approver,
        request_link=link,
    )
    if file.approval_status != "pending":  # no approver left: still never visible unreviewed
        file.approval_status = "pending"
        session.add(file)
    link.uses += 1
    session.add(link)
    session.flush()
    return file


@dataclass
class LinkDrop:
    """What a guest's post achieved: files received, refusals, and the link afterwards."""

    opened: OpenLink
    done: int = 0
    errors: list[str] = field(default_factory=list)


def drop_files(
    session: Session, *, token: str, uploads: list[Upload], storage: Storage | None = None
) -> LinkDrop:
    """Files a guest sends through a link, each checked on its own; more than the link still
    takes are refused by name of the limit (a gone link is LinkGone)."""
    opened = open_request_link(session, token=token)
    drop = LinkDrop(opened)
    if not uploads:
        drop.errors.append("Choose at least one file.")
    for upload in uploads[: opened.remaining]:
        try:
            upload_via_link(
                session,
                token=token,
                stream=upload.stream,
                name=upload.filename or "file",
                storage=storage,
            )
            drop.done += 1
        except (Invalid, Conflict, LinkGone) as exc:
            drop.errors.append(exc.errors.get("file", [exc.message])[0])
    if len(uploads) > opened.remaining:
        drop.errors.append(f"Only {opened.remaining} more file(s) could be accepted on this link.")
    try:
        drop.opened = open_request_link(session, token=token)
    except LinkGone:
        pass  # used up by this very post: the page still thanks the guest
    return drop
