"""File request links: staff hand a contact a tokenised link to drop files without an account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import BinaryIO

from sqlmodel import Session, select

from portal.errors import DomainError, Forbidden, Invalid, NotFound
from portal.models import FileRequestLink, Portal, PortalFile, User
from portal.models.base import utcnow
from portal.storage import Storage, get_storage
from portal.tenancy import Actor, scoped
from services.accounts.tokens import digest, new_link_token
from services.files import _folder, _max_bytes, _store


class LinkGone(DomainError):
    """This upload link has expired or was revoked."""

    status = 410
    code = "link_gone"


def _require_staff(actor: Actor) -> None:
    if not (actor.is_staff and (actor.kind == "api_key" or actor.can("file.request"))):
        raise Forbidden("Only staff can manage file request links.")


def list_request_links(
    session: Session, *, actor: Actor, company_id: int, limit: int = 100
) -> list[FileRequestLink]:
    _require_staff(actor)
    return list(
        session.exec(
            scoped(select(FileRequestLink), actor, FileRequestLink)
            .where(FileRequestLink.company_id == company_id)
            .order_by(FileRequestLink.created_at.desc())  # type: ignore[attr-defined]
            .limit(limit)
        ).all()
    )


def create_request_link(
    session: Session,
    *,
    actor: Actor,
    portal: Portal,
    label: str,
    expires_in_days: object = 7,
    max_files: object = 10,
    folder_id: object = None,
) -> tuple[FileRequestLink, str]:
    """A new link; the token is returned once and stored hashed."""
    _require_staff(actor)
    errors: dict[str, list[str]] = {}
    label = (label or "").strip()[:200]
    if not label:
        errors["label"] = ["Say what the files are for, e.g. “Signed contracts”."]
    try:
        days = int(expires_in_days)  # type: ignore[call-overload]
        if not 1 <= days <= 90:
            raise ValueError
    except (TypeError, ValueError):
        errors["expires_in_days"] = ["Between 1 and 90 days."]
        days = 7
    try:
        count = int(max_files)  # type: ignore[call-overload]
        if not 1 <= count <= 100:
            raise ValueError
    except (TypeError, ValueError):
        errors["max_files"] = ["Between 1 and 100 files."]
        count = 10
    if errors:
        raise Invalid(errors=errors)
    folder = _folder(session, actor, portal.company_id, folder_id)
    token, token_hash = new_link_token()
    link = FileRequestLink(
        company_id=portal.company_id,
        token_hash=token_hash,
        label=label,
        folder_id=folder.id if folder else None,
        approver_id=actor.user_id,
        expires_at=utcnow() + timedelta(days=days),
        max_files=count,
        created_by_id=actor.user_id,
    )
    session.add(link)
    session.flush()
    return link, token


def revoke_request_link(
    session: Session, *, actor: Actor, company_id: int, link_id: object
) -> FileRequestLink:
    _require_staff(actor)
    try:
        pk = int(link_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise NotFound() from None
    link = session.exec(
        scoped(select(FileRequestLink), actor, FileRequestLink).where(
            FileRequestLink.id == pk, FileRequestLink.company_id == company_id
        )
    ).first()
    if link is None:
        raise NotFound()
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
        .join(Portal, Portal.company_id == FileRequestLink.company_id)
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
    temp = storage.write_temp(stream, max_bytes=_max_bytes(portal))
    guest = Actor(kind="anonymous", label=f"Guest via “{link.label}”"[:200])
    approver = session.get(User, link.approver_id) if link.approver_id else None
    if approver is None or not approver.is_active:
        approver = session.get(User, link.created_by_id) if link.created_by_id else None
    folder = None
    if link.folder_id:
        from portal.models import FileFolder

        folder = session.get(FileFolder, link.folder_id)
    file = _store(
        session,
        actor=guest,
        portal=portal,
        temp=temp,
        storage=storage,
        name=name,
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
