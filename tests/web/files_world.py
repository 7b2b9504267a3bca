"""Acme file objects for the cross-tenant probe (a file, a request link, an upload in progress)."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from sqlmodel import Session, select

from portal.models import Portal
from portal.models.file import RequestLinkCreate, UploadStart
from portal.storage import get_storage
from portal.tenancy import actor_for_user
from services import files as file_service
from services.files import requests as file_requests


def add_acme_files(db: Session, tenants: Any) -> None:
    portal = db.exec(select(Portal).where(Portal.company_id == tenants.acme.id)).one()
    owner = actor_for_user(db, tenants.acme_admin)
    staff = actor_for_user(db, tenants.staff_admin)
    file = file_service.upload_stream(
        db, actor=owner, portal=portal, stream=io.BytesIO(b"%PDF-1.4\n%probe\n"), name="probe.pdf"
    )
    link, _ = file_requests.create_request_link(
        db, actor=staff, portal=portal, data=RequestLinkCreate(label="Probe")
    )
    upload = file_service.start_upload(
        db, actor=owner, portal=portal, data=UploadStart(name="big.pdf", size=10)
    )
    # its thumbnail (the job that makes one runs after a commit, which this world never does)
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(picture, "JPEG")
    picture.seek(0)
    store = get_storage()
    file.thumb_key = f"{file.stored_key}.thumb.jpg"
    store.promote(store.write_temp(picture), file.thumb_key)
    db.add(file)
    db.flush()
    tenants.acme_file_id = file.id
    tenants.acme_link_id = link.id
    tenants.acme_upload_token = upload.token
