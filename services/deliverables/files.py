"""Deliverable version files: received through the files upload pipeline (the portal's size
limit and allow-list, typed by content, programs refused), kept under the deliverable, and
opened as a :class:`~portal.storage.Blob` for the one download responder."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from portal.errors import NotFound
from portal.filetypes import INLINE_TYPES
from portal.models import Deliverable, DeliverableVersion
from portal.storage import Blob, Storage, Upload, open_on_read
from services.files import receive
from services.files.access import portal_of
from services.files.uploads import Received


def receive_version_file(
    session: Session, *, deliverable: Deliverable, upload: Upload, storage: Storage
) -> Received:
    """The file of a new version, checked by the rules of the deliverable's portal (Invalid,
    with the Files tab's message, and nothing left in storage, when it is refused)."""
    portal = portal_of(session, deliverable.company_id)
    return receive(portal=portal, stream=upload.stream, name=upload.filename, storage=storage)


def new_key(company_id: int, deliverable_id: int) -> str:
    return f"deliverables/{company_id}/{deliverable_id}/{uuid.uuid4().hex}"


def version_blob(version: DeliverableVersion, *, storage: Storage) -> Blob:
    """A version for the download responder: its stored file (opened once the response is
    sent), or a redirect for a link."""
    name = version.original_name or f"version-{version.number}"
    if version.url:
        return Blob(name=name, content_type="", size=0, redirect_url=version.url)
    if not version.storage_key:
        raise NotFound("The file's content is missing.")
    return Blob(
        name=name,
        content_type=version.content_type or "application/octet-stream",
        size=version.size,
        stream=open_on_read(storage, version.storage_key),
        inline_ok=version.content_type in INLINE_TYPES,
    )
