"""Thumbnails in Files: made after an upload, shown lazily in the list, and as private as the
file (a foreign file's thumbnail is a 404)."""

from __future__ import annotations

import io
import re

from PIL import Image
from sqlmodel import select

from portal.models import PortalFile
from services.files.thumbnails import backfill
from tests.unit.files.test_thumbnails import _pdf, _png
from tests.web.files.test_files import chunked_upload, download


def test_an_uploaded_image_gets_a_thumbnail_in_the_list(db, client, login, tenants) -> None:
    login(tenants.acme_collab)
    done = chunked_upload(client, "acme-test", "hero.png", _png(1200, 900))
    file_id = done.get_json()["file_id"]
    page = client.get("/p/acme-test/files").get_data(as_text=True)
    img = re.search(
        rf'<img class="file-thumb" src="([^"]*/files/{file_id}/thumbnail[^"]*)"[^>]*>', page
    )
    assert img, page
    tag = img.group(0)
    assert 'width="40"' in tag and 'height="40"' in tag and 'loading="lazy"' in tag
    assert 'alt=""' in tag  # the file's name is the row's link text
    resp, body = download(client, img.group(1).replace("&amp;", "&"))
    assert resp.status_code == 200 and resp.mimetype == "image/jpeg"
    assert max(Image.open(io.BytesIO(body)).size) <= 192
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_a_pdf_gets_its_first_page_and_other_files_their_type_icon(
    db, client, login, tenants
) -> None:
    login(tenants.acme_collab)
    pdf_id = chunked_upload(client, "acme-test", "Report.pdf", _pdf()).get_json()["file_id"]
    csv_id = chunked_upload(client, "acme-test", "data.csv", b"a,b\n1,2\n").get_json()["file_id"]
    page = client.get("/p/acme-test/files").get_data(as_text=True)
    assert f"/files/{pdf_id}/thumbnail" in page
    assert f"/files/{csv_id}/thumbnail" not in page
    resp, _ = download(client, f"/p/acme-test/files/{csv_id}/thumbnail")
    assert resp.status_code == 404


def test_a_foreign_files_thumbnail_is_a_404(db, client, login, tenants) -> None:
    login(tenants.acme_collab)
    file_id = chunked_upload(client, "acme-test", "hero.png", _png(300, 300)).get_json()["file_id"]
    assert db.get(PortalFile, file_id).thumb_key
    login(tenants.globex_admin)
    resp, body = download(client, f"/p/acme-test/files/{file_id}/thumbnail")
    assert resp.status_code == 404 and b"JFIF" not in body
    resp, body = download(client, f"/p/globex-test/files/{file_id}/thumbnail")
    assert resp.status_code == 404 and b"JFIF" not in body


def test_a_new_version_gets_a_new_thumbnail(db, client, login, tenants) -> None:
    login(tenants.acme_collab)
    first = chunked_upload(client, "acme-test", "hero.png", _png(300, 300)).get_json()["file_id"]
    old_key = db.get(PortalFile, first).thumb_key
    again = chunked_upload(
        client, "acme-test", "hero.png", _png(300, 200, color=(0, 0, 200)), file_id=first
    )
    assert again.status_code == 201, again.get_json()
    db.expire_all()
    file = db.get(PortalFile, first)
    assert file.thumb_key and file.thumb_key != old_key
    assert f"/files/{first}/thumbnail?v=2" in client.get("/p/acme-test/files").get_data(
        as_text=True
    )


def test_backfill_makes_the_missing_ones_once(db, client, login, tenants) -> None:
    login(tenants.acme_collab)
    file_id = chunked_upload(client, "acme-test", "old.png", _png(500, 500)).get_json()["file_id"]
    file = db.get(PortalFile, file_id)
    file.thumb_key = None  # as if uploaded before thumbnails existed
    db.add(file)
    db.commit()
    assert backfill(db) == 1
    assert db.get(PortalFile, file_id).thumb_key
    assert backfill(db) == 0  # nothing left to do
    resp, _ = download(client, f"/p/acme-test/files/{file_id}/thumbnail")
    assert resp.status_code == 200
    rows = db.exec(select(PortalFile).where(PortalFile.thumb_key.is_not(None))).all()  # type: ignore[union-attr]
    assert [r.id for r in rows] == [file_id]
