"""Thumbnails for the Files list: a small JPEG of an image (Pillow) or of a PDF's first page
(pypdfium2), made in a background job after the upload commits and kept through the storage layer
beside the file (``<stored key>.thumb.jpg``). A file without one shows its type icon.

Existing files get theirs from ``stoa files thumbnails`` (the backfill), which is safe to run
again: it only makes the ones still missing.
"""

from __future__ import annotations

import io
import logging
from typing import BinaryIO

from PIL import Image, ImageOps
from sqlmodel import Session, col, select

from portal.errors import NotFound
from portal.filetypes import IMAGE_PREVIEW
from portal.jobs import enqueue, job
from portal.models import PortalFile
from portal.storage import Blob, Storage, get_storage
from portal.tenancy import Actor
from services.files.access import get_file

log = logging.getLogger(__name__)

THUMB_JOB = "file_thumbnail"
BOX = 192  # px, the longer side: the list shows it at 48 CSS px, sharp on a 4x screen
THUMBNAIL_TYPES = IMAGE_PREVIEW | {"application/pdf"}
MAX_SOURCE_PIXELS = 60_000_000  # a larger image is not decoded (a decompression bomb)
MAX_SOURCE_BYTES = 50 * 1024 * 1024


class NoThumbnail(Exception):
    """The source cannot be drawn (damaged, encrypted, too large): the type icon stands in."""


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white (JPEG has no alpha; a transparent logo stays readable)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, "white")
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return image.convert("RGB")


def _image(data: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as source:
            width, height = source.size
            if width * height > MAX_SOURCE_PIXELS:
                raise NoThumbnail(f"{width}x{height} is too large")
            source.draft("RGB", (BOX, BOX))  # JPEG: decode at a reduced size
            image = ImageOps.exif_transpose(source)
            image.thumbnail((BOX, BOX))
            return _flatten(image)
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError) as exc:
        raise NoThumbnail(str(exc)) from exc


def _pdf_page(data: bytes) -> Image.Image:
    try:
        import pypdfium2 as pdfium
    except ImportError as exc:  # an environment installed before the dependency: icons stand in
        raise NoThumbnail("pypdfium2 is not installed (pip install -e .)") from exc

    try:
        pdf = pdfium.PdfDocument(data)
        try:
            if len(pdf) == 0:
                raise NoThumbnail("no pages")
            page = pdf[0]
            width, height = page.get_size()
            scale = BOX / max(width, height, 1)
            image = page.render(scale=scale).to_pil()
            page.close()
        finally:
            pdf.close()
    except pdfium.PdfiumError as exc:
        raise NoThumbnail(str(exc)) from exc
    image.thumbnail((BOX, BOX))
    return _flatten(image)


def make_thumbnail(stream: BinaryIO, content_type: str) -> bytes:
    """A JPEG at most ``BOX`` px on its longer side; :class:`NoThumbnail` when it cannot be."""
    if content_type not in THUMBNAIL_TYPES:
        raise NoThumbnail(f"no thumbnail for {content_type or 'this type'}")
    data = stream.read(MAX_SOURCE_BYTES + 1)
    if len(data) > MAX_SOURCE_BYTES:
        raise NoThumbnail("too large to draw")
    image = _pdf_page(data) if content_type == "application/pdf" else _image(data)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()


def thumbnail_for(session: Session, file: PortalFile, storage: Storage | None = None) -> bool:
    """Make and keep ``file``'s thumbnail now; False when it has none (a link, another type)."""
    if file.stored_key is None or file.content_type not in THUMBNAIL_TYPES:
        return False
    store = storage or get_storage()
    source_key = file.stored_key
    try:
        stream = store.open(source_key)
        try:
            jpeg = make_thumbnail(stream, file.content_type)
        finally:
            stream.close()
    except FileNotFoundError:  # not promoted yet: the backfill makes it later
        return False
    except NoThumbnail as exc:
        log.info("no thumbnail for file %s: %s", file.id, exc)
        return False
    key = f"{source_key}.thumb.jpg"
    temp = store.write_temp(io.BytesIO(jpeg))
    store.promote(temp, key)
    file.thumb_key = key
    session.add(file)
    return True


@job(THUMB_JOB)
def thumbnail_job(session: Session, file_id: int, stored_key: str) -> None:
    """After an upload: the thumbnail of that version (a newer one has its own job)."""
    file = session.get(PortalFile, file_id)
    if file is None or file.deleted_at is not None or file.stored_key != stored_key:
        return
    thumbnail_for(session, file)


def schedule_thumbnail(session: Session, file: PortalFile) -> None:
    """Forget the old version's thumbnail and make the new one once the upload commits."""
    file.thumb_key = None
    if file.id is not None and file.stored_key and file.content_type in THUMBNAIL_TYPES:
        enqueue(session, THUMB_JOB, file.id, file.stored_key)


def backfill(session: Session, *, storage: Storage | None = None, batch: int = 200) -> int:
    """Thumbnails for the files that lack one (the CLI's ``files thumbnails``); how many made."""
    made, after = 0, 0
    while True:
        rows = session.exec(
            select(PortalFile)
            .where(
                col(PortalFile.thumb_key).is_(None),
                col(PortalFile.deleted_at).is_(None),
                col(PortalFile.stored_key).is_not(None),
                col(PortalFile.content_type).in_(sorted(THUMBNAIL_TYPES)),
                col(PortalFile.id) > after,
            )
            .order_by(col(PortalFile.id))
            .limit(batch)
        ).all()
        if not rows:
            return made
        for file in rows:
            made += thumbnail_for(session, file, storage)
        after = rows[-1].id or after
        session.commit()


def open_thumbnail(
    session: Session, *, actor: Actor, file_id: int, storage: Storage | None = None
) -> Blob:
    """A visible file's thumbnail (a foreign or invisible file, or none made: NotFound)."""
    file = get_file(session, actor=actor, file_id=file_id)
    if file.thumb_key is None:
        raise NotFound()
    store = storage or get_storage()
    try:
        size = store.size(file.thumb_key)
        stream = store.open(file.thumb_key)
    except FileNotFoundError as exc:
        raise NotFound() from exc
    name = f"{file.name.rsplit('.', 1)[0]}-thumbnail.jpg"
    return Blob(name=name, content_type="image/jpeg", size=size, stream=stream, inline_ok=True)
