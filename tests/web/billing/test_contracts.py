"""Contracts with signers: upload, visibility by signer email, signing with a receipt."""

from __future__ import annotations

import io
import json

from sqlmodel import select

from portal.models import ContractSignature, Notification
from tests.conftest import assert_both_ways
from tests.factories.billing import CONTRACT_PDF, make_contract, sign_as

BASE = "/p/acme-test/invoices/contracts"


def test_staff_upload_a_contract_through_the_files_pipeline(client, login, db, tenants) -> None:
    login(tenants.staff_admin)
    _, part = assert_both_ways(client, BASE)
    assert "New contract" in part
    resp = client.post(
        BASE,
        data={
            "title": "Retainer 2027",
            "message": "Please sign by Friday.",
            "signer_name": [tenants.acme_admin.display_name, "Outside Counsel", ""],
            "signer_email": [tenants.acme_admin.email.upper(), "counsel@law.test", ""],
            "file": (io.BytesIO(CONTRACT_PDF), "retainer.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)[:400]
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Retainer 2027" in page and "0 of 2 signed" in page and "counsel@law.test" in page
    import hashlib

    assert hashlib.sha256(CONTRACT_PDF).hexdigest() in page
    note = db.exec(
        select(Notification).where(
            Notification.user_id == tenants.acme_admin.id, Notification.type == "contract_sent"
        )
    ).one()
    assert "Retainer 2027" in note.title


def test_a_refused_upload_or_bad_signer_keeps_the_form(client, login, tenants) -> None:
    login(tenants.staff_admin)
    resp = client.post(
        BASE,
        data={
            "title": "Bad",
            "signer_name": ["Someone"],
            "signer_email": ["not-an-email"],
            "file": (io.BytesIO(CONTRACT_PDF), "c.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422 and "not a valid email" in resp.get_data(as_text=True)
    resp = client.post(
        BASE,
        data={
            "title": "Script",
            "signer_name": ["A"],
            "signer_email": ["a@acme.test"],
            "file": (io.BytesIO(b"#!/bin/sh\nrm -rf /\n"), "c.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422


def test_clients_cannot_upload_contracts(client, login, tenants) -> None:
    login(tenants.acme_admin)
    assert "New contract" not in client.get(BASE).get_data(as_text=True)
    resp = client.post(
        BASE,
        data={"title": "X", "signer_name": ["A"], "signer_email": ["a@acme.test"]},
        content_type="multipart/form-data",
    )
    assert resp.status_code in (403, 422)


def test_visible_to_a_company_when_a_signer_is_its_contact(client, login, db, tenants) -> None:
    mine = make_contract(db, tenants.staff_admin, tenants.acme, [tenants.acme_viewer], title="Ours")
    external = make_contract(
        db, tenants.staff_admin, tenants.acme, [("Lawyer", "lawyer@law.test")], title="External"
    )
    retail = make_contract(
        db, tenants.staff_admin, tenants.retail, [tenants.retail_admin], title="Retail lease"
    )
    login(tenants.acme_admin)
    page = client.get(BASE).get_data(as_text=True)
    assert "Ours" in page and "Retail lease" in page  # group-aware: the child's signer
    assert "External" not in page
    assert client.get(f"{BASE}/{external.id}").status_code == 404
    login(tenants.retail_admin)
    page = client.get("/p/acme-retail-test/invoices/contracts").get_data(as_text=True)
    assert "Retail lease" in page and "Ours" not in page  # a child never sees its parent's
    assert client.get(f"/p/acme-retail-test/invoices/contracts/{mine.id}").status_code == 404
    login(tenants.globex_admin)
    assert client.get(f"{BASE}/{mine.id}").status_code == 404
    assert client.get(f"/p/globex-test/invoices/contracts/{mine.id}").status_code == 404
    assert client.get(f"{BASE}/{retail.id}/document").status_code == 404


def test_the_signer_signs_and_downloads_the_receipt(client, login, db, tenants) -> None:
    contract = make_contract(db, tenants.staff_admin, tenants.acme, [tenants.acme_viewer])
    login(tenants.acme_viewer)  # a viewer who is the signer signs (their own act)
    url = f"{BASE}/{contract.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Sign this contract" in page
    bad = client.post(f"{url}/sign", data={"typed_name": "Someone Else", "consent": "on"})
    assert bad.status_code == 422 and "exactly as shown" in bad.get_data(as_text=True)
    no_consent = client.post(f"{url}/sign", data={"typed_name": tenants.acme_viewer.display_name})
    assert no_consent.status_code == 422 and "Tick the box" in no_consent.get_data(as_text=True)
    resp = client.post(
        f"{url}/sign",
        data={"typed_name": f"  {tenants.acme_viewer.display_name.upper()} ", "consent": "on"},
        headers={"User-Agent": "Chromium test", "HX-Request": "true"},
    )
    assert resp.status_code in (200, 204) and resp.headers.get("HX-Redirect") == url
    signature = db.exec(
        select(ContractSignature).where(ContractSignature.contract_id == contract.id)
    ).one()
    assert signature.sha256 == contract.sha256 and signature.user_agent == "Chromium test"
    page = client.get(url).get_data(as_text=True)
    assert "Sign this contract" not in page and "Receipt" in page and ">Signed<" in page
    receipt = client.get(f"{url}/receipts/{signature.id}")
    assert receipt.status_code == 200 and "attachment" in receipt.headers["Content-Disposition"]
    data = json.loads(receipt.data)
    assert data["sha256"] == contract.sha256 and data["signer_email"] == tenants.acme_viewer.email
    assert data["ip_address"] and data["user_agent"] == "Chromium test" and data["signed_at"]
    text = client.get(f"{url}/receipts/{signature.id}?format=txt").get_data(as_text=True)
    assert f"sha256: {contract.sha256}" in text
    again = client.post(f"{url}/sign", data={"typed_name": "x", "consent": "on"})
    assert again.status_code in (409, 422)
    doc = client.get(f"{url}/document")
    assert doc.status_code == 200 and doc.data == CONTRACT_PDF


def test_only_the_named_signer_signs(client, login, db, tenants) -> None:
    contract = make_contract(db, tenants.staff_admin, tenants.acme, [tenants.acme_viewer])
    login(tenants.acme_admin)  # sees it (a signer is a contact) but is not a signer
    page = client.get(f"{BASE}/{contract.id}").get_data(as_text=True)
    assert "Sign this contract" not in page
    resp = client.post(
        f"{BASE}/{contract.id}/sign",
        data={"typed_name": tenants.acme_viewer.display_name, "consent": "on"},
    )
    assert resp.status_code == 403
    login(tenants.staff_admin)
    resp = client.post(
        f"{BASE}/{contract.id}/sign",
        data={"typed_name": tenants.acme_viewer.display_name, "consent": "on"},
    )
    assert resp.status_code == 403
    assert db.exec(select(ContractSignature)).all() == [] or all(
        s.contract_id != contract.id for s in db.exec(select(ContractSignature)).all()
    )


def test_signing_twice_is_a_conflict(client, login, db, tenants) -> None:
    contract = make_contract(db, tenants.staff_admin, tenants.acme, [tenants.acme_admin])
    sign_as(db, tenants.acme_admin, contract)
    login(tenants.acme_admin)
    resp = client.post(
        f"{BASE}/{contract.id}/sign",
        data={"typed_name": tenants.acme_admin.display_name, "consent": "on"},
    )
    assert resp.status_code == 409


def test_admin_list_shows_signature_status(client, login, db, tenants) -> None:
    contract = make_contract(
        db, tenants.staff_admin, tenants.acme, [tenants.acme_admin, tenants.acme_viewer]
    )
    sign_as(db, tenants.acme_admin, contract)
    login(tenants.staff_admin)
    page = client.get("/admin/contracts/").get_data(as_text=True)
    assert contract.title in page and "1 of 2 signed" in page
    resp = client.get("/admin/contracts/new?portal=acme-test")
    assert resp.status_code == 303 and "new=1" in resp.headers["Location"]
    login(tenants.acme_admin)
    assert client.get("/admin/contracts/").status_code == 404


def test_list_queries_stay_bounded(client, login, db, tenants, count_queries) -> None:
    for i in range(2):
        make_contract(db, tenants.staff_admin, tenants.acme, [tenants.acme_admin], title=f"C{i}")
    login(tenants.acme_admin)
    with count_queries() as few:
        assert client.get(BASE).status_code == 200
    for i in range(18):
        c = make_contract(
            db,
            tenants.staff_admin,
            tenants.acme,
            [tenants.acme_admin, tenants.acme_viewer],
            title=f"D{i}",
        )
        if i % 2:
            sign_as(db, tenants.acme_admin, c)
    with count_queries() as many:
        assert client.get(BASE).status_code == 200
    assert many.count == few.count
