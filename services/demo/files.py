"""Demo files for the Files tab (idempotent: a file already there by name is left alone)."""

from __future__ import annotations

import io
import struct
import uuid
import zlib
from datetime import timedelta

from sqlmodel import Session, select

from portal.models import Company, FileFolder, FileVersion, PortalFile, User
from portal.models.base import utcnow
from portal.storage import get_storage
from services.files.access import portal_of
from services.files.thumbnails import thumbnail_for
from services.files.uploads import receive


def demo_png(rgb: tuple[int, int, int] = (15, 118, 110), size: int = 96) -> bytes:
    """A small solid-colour PNG, built by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * size
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


def demo_pdf(title: str) -> bytes:
    """A one-page PDF with a title line."""
    text = title.replace("(", "").replace(")", "")
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


# company slug -> (folder or None, name, kind, uploader email, approver email, status, days ago)
DemoFile = tuple[str | None, str, str, str, str | None, str, int]
DEMO_FILES: dict[str, list[DemoFile]] = {
    "acme": [
        (
            "Contracts",
            "Master services agreement.pdf",
            "pdf",
            "pm@northwind.test",
            None,
            "none",
            40,
        ),
        (
            "Contracts",
            "Statement of work Q3.pdf",
            "pdf",
            "pm@northwind.test",
            "owner@acme.test",
            "pending",
            2,
        ),
        ("Brand assets", "Logo teal.png", "png", "admin@northwind.test", None, "none", 20),
        (
            "Brand assets",
            "Logo draft.png",
            "png",
            "dev@acme.test",
            "pm@northwind.test",
            "rejected",
            5,
        ),
        (None, "Keyword research.csv", "csv", "dev@acme.test", None, "none", 9),
        (None, "Homepage wireframe.pdf", "pdf", "dev@acme.test", "owner@acme.test", "pending", 1),
        (None, "Launch checklist", "link", "pm@northwind.test", None, "none", 3),
    ],
    "acme-retail": [
        (None, "Store launch plan.pdf", "pdf", "pm@northwind.test", None, "none", 6),
    ],
    "globex": [
        (None, "Intranet architecture.pdf", "pdf", "admin@northwind.test", None, "none", 12),
    ],
}


def _content(kind: str, name: str) -> bytes:
    if kind == "pdf":
        return demo_pdf(name.rsplit(".", 1)[0])
    if kind == "png":
        return demo_png()
    return (
        b"keyword,volume,difficulty\nclient portal,2400,41\n"
        b"branded portal,880,33\nfile approval,590,28\n"
    )


def load_demo_files(session: Session, companies: dict[str, Company]) -> bool:
    """The demo files, each typed and checked by the one upload pipeline; their states and
    dates are the demo's own (so the rows are written here, not by the upload service)."""
    storage = get_storage()
    users = {u.email: u for u in session.exec(select(User)).all()}
    created = False
    for slug, entries in DEMO_FILES.items():
        company = companies[slug]
        assert company.id is not None
        portal = portal_of(session, company.id)
        folders: dict[str, FileFolder] = {}
        for folder_name, name, kind, uploader, approver, status, days in entries:
            exists = session.exec(
                select(PortalFile.id).where(
                    PortalFile.company_id == company.id, PortalFile.name == name
                )
            ).first()
            if exists is not None:
                continue
            folder = None
            if folder_name:
                folder = (
                    folders.get(folder_name)
                    or session.exec(
                        select(FileFolder).where(
                            FileFolder.company_id == company.id, FileFolder.name == folder_name
                        )
                    ).first()
                )
                if folder is None:
                    folder = FileFolder(company_id=company.id, name=folder_name)
                    session.add(folder)
                    session.flush()
                folders[folder_name] = folder
            who = users[uploader]
            when = utcnow() - timedelta(days=days)
            file = PortalFile(
                company_id=company.id,
                folder_id=folder.id if folder else None,
                name=name,
                uploaded_by_id=who.id,
                uploader_label=who.display_name,
                approver_id=users[approver].id if approver else None,
                approval_status=status,
                rejection_note="Please use the final colours." if status == "rejected" else None,
                approved_at=when + timedelta(hours=3) if status == "rejected" else None,
                created_at=when,
                updated_at=when,
            )
            if kind == "link":
                file.linked_url = "https://example.com/launch-checklist"
                session.add(file)
                session.flush()
                created = True
                continue
            received = receive(
                portal=portal, stream=io.BytesIO(_content(kind, name)), name=name, storage=storage
            )
            temp = received.temp
            content_type = received.content_type
            key = f"c{company.id}/{uuid.uuid4().hex}"
            storage.promote(temp, key)
            file.stored_key = key
            file.size = temp.size
            file.sha256 = temp.sha256
            file.content_type = content_type
            session.add(file)
            session.flush()
            assert file.id is not None
            thumbnail_for(session, file, storage)
            session.add(
                FileVersion(
                    file_id=file.id,
                    company_id=company.id,
                    version=1,
                    name=name,
                    stored_key=key,
                    size=temp.size,
                    content_type=content_type,
                    sha256=temp.sha256,
                    uploaded_by_id=who.id,
                    uploader_label=who.display_name,
                    created_at=when,
                )
            )
            created = True
    session.flush()
    return created
