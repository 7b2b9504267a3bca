"""Files service: cleanup repairs missed promotions, approvals waiting for me, sniffing."""

from __future__ import annotations

import io

import pytest
from sqlmodel import select

from portal.errors import Invalid
from portal.filetypes import safe_display_name, sniff
from portal.models import FileVersion, Portal, PortalFile
from portal.models.file import UploadStart
from portal.storage import LocalStorage
from portal.tenancy import actor_for_user
from services import files as svc


def _portal(db, company) -> Portal:
    return db.exec(select(Portal).where(Portal.company_id == company.id)).one()


def test_cleanup_finishes_a_promotion_a_crash_interrupted(db, tenants, tmp_path) -> None:
    storage = LocalStorage(tmp_path)
    actor = actor_for_user(db, tenants.acme_collab)
    file = svc.upload_stream(
        db,
        actor=actor,
        portal=_portal(db, tenants.acme),
        stream=io.BytesIO(b"%PDF-1.4\nhello"),
        name="x.pdf",
        storage=storage,
    )
    # the after-commit promotion never ran (the worker died right after the commit)
    assert not storage.exists(file.stored_key)
    stats = svc.cleanup_uploads(db, older_than_seconds=3600, storage=storage)
    assert stats["promoted"] == 1 and storage.exists(file.stored_key)
    row = db.exec(select(FileVersion).where(FileVersion.file_id == file.id)).one()
    assert row.pending_temp_ref is None


def test_abandoned_chunked_upload_is_removed(db, tenants, tmp_path) -> None:
    storage = LocalStorage(tmp_path)
    actor = actor_for_user(db, tenants.acme_collab)
    upload = svc.start_upload(
        db,
        actor=actor,
        portal=_portal(db, tenants.acme),
        data=UploadStart(name="a.pdf", size=10),
        storage=storage,
    )
    stats = svc.cleanup_uploads(db, older_than_seconds=0, storage=storage)
    assert stats["abandoned"] == 1 and stats["temp_removed"] == 1
    assert storage.temp_size(upload.temp_ref) is None


def test_pending_file_approvals_for_the_approver(db, tenants, tmp_path) -> None:
    storage = LocalStorage(tmp_path)
    uploader = actor_for_user(db, tenants.acme_collab)
    file = svc.upload_stream(
        db,
        actor=uploader,
        portal=_portal(db, tenants.acme),
        stream=io.BytesIO(b"%PDF-1.4\nplease"),
        name="sign.pdf",
        approver_id=tenants.acme_admin.id,
        storage=storage,
    )
    approver = actor_for_user(db, tenants.acme_admin)
    waiting = svc.pending_file_approvals(db, actor=approver.narrowed([tenants.acme.id]))
    assert [f.id for f in waiting.rows] == [file.id] and waiting.total == 1
    assert svc.pending_file_approvals(db, actor=uploader.narrowed([tenants.acme.id])).total == 0


def test_approver_must_belong_to_the_portal(db, tenants, tmp_path) -> None:
    with pytest.raises(Invalid):
        svc.upload_stream(
            db,
            actor=actor_for_user(db, tenants.acme_collab),
            portal=_portal(db, tenants.acme),
            stream=io.BytesIO(b"%PDF-1.4\n"),
            name="a.pdf",
            approver_id=tenants.globex_admin.id,
            storage=LocalStorage(tmp_path),
        )
    assert db.exec(select(PortalFile).where(PortalFile.name == "a.pdf")).first() is None
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # nothing stored either


@pytest.mark.parametrize(
    ("head", "name", "mime"),
    [
        (b"%PDF-1.7\n", "report", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "x.pdf", "image/png"),
        (b"a,b\n1,2\n", "data.csv", "text/csv"),
        (b"PK\x03\x04" + b"\x00" * 40, "bundle.zip", "application/zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "old.xls", "application/vnd.ms-excel"),
    ],
)
def test_sniff_by_content(head, name, mime) -> None:
    assert sniff(head, name) == mime


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("<img src=x onerror=alert(1)>.png", "img src=x onerror=alert(1).png"),
        ("  .hidden  ", "hidden"),
        ("a\x00b\nc.txt", "abc.txt"),
        ("", "file"),
    ],
)
def test_safe_display_names(raw, clean) -> None:
    assert safe_display_name(raw) == clean
