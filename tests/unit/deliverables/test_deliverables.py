from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from sqlmodel import select

from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.models import (
    ActivityLog,
    ApprovalReceipt,
    Deliverable,
    DeliverableCategory,
    DeliverableVersion,
    Notification,
)
from portal.models.deliverable import RevisionExtension, RevisionRequest, VersionCreate
from portal.validation import validated
from services import deliverables as service
from services.deliverables import settings as deliverable_settings
from services.deliverables.queries import approvals_queue, list_deliverables, waiting_for
from tests.factories.deliverables import PDF, actor, make_deliverable, pdf, portal_of


def _actions(db, d) -> list[str]:
    return list(
        db.exec(
            select(ActivityLog.action)
            .where(ActivityLog.object_type == "deliverable", ActivityLog.object_id == d.id)
            .order_by(ActivityLog.id)
        ).all()
    )


def _notified(db, type_: str) -> set[int]:
    return set(db.exec(select(Notification.user_id).where(Notification.type == type_)).all())


def test_full_cycle_records_every_step(db, tenants) -> None:
    t = tenants
    pm, client = actor(db, t.pm), actor(db, t.acme_collab)
    d = make_deliverable(db, t.pm, t.acme, revisions_allowed=2)
    assert (d.status, d.current_version, d.visible_version) == ("pending", 1, 1)

    service.submit(db, actor=pm, deliverable_id=d.id)
    assert d.status == "in_review"
    # client collaborators and admins are told; viewers can't act, so they aren't
    assert _notified(db, "deliverable_in_review") == {t.acme_collab.id, t.acme_admin.id}

    service.request_revision(
        db, actor=client, deliverable_id=d.id, data=RevisionRequest(note="Bigger logo")
    )
    assert (d.status, d.revisions_used, d.revision_note) == ("revision_requested", 1, "Bigger logo")
    assert t.pm.id in _notified(db, "deliverable_revision_requested")

    service.add_version(
        db,
        actor=pm,
        deliverable_id=d.id,
        data=VersionCreate(note="Logo"),
        upload=pdf(PDF + b"v2"),
    )
    assert (d.status, d.current_version) == ("in_review", 2)

    receipt = service.approve(
        db,
        actor=client,
        deliverable_id=d.id,
        version_number=2,
        ip_address="198.51.100.4",
        user_agent="pytest",
    )
    assert d.status == "approved" and d.approved_by_id == t.acme_collab.id and d.approved_at
    assert receipt.sha256 == hashlib.sha256(PDF + b"v2").hexdigest()
    assert (receipt.version_number, receipt.ip_address) == (2, "198.51.100.4")
    assert receipt.approver_email == t.acme_collab.email
    assert t.pm.id in _notified(db, "deliverable_approved")
    assert _actions(db, d) == [
        "deliverable_uploaded",
        "deliverable_in_review",
        "deliverable_revision_requested",
        "deliverable_uploaded",
        "deliverable_in_review",
        "deliverable_approved",
    ]


def test_revision_note_is_required(db, tenants) -> None:
    """The rule lives in the input model the form and the API both validate with."""
    d = make_deliverable(db, tenants.pm, tenants.acme)
    service.submit(db, actor=actor(db, tenants.pm), deliverable_id=d.id)
    with pytest.raises(Invalid) as exc:
        validated(RevisionRequest, {"note": "   "})
    assert "note" in exc.value.errors
    assert d.status == "in_review" and d.revisions_used == 0


def test_revision_limit_is_409_until_the_pm_extends_it(db, tenants) -> None:
    pm, client = actor(db, tenants.pm), actor(db, tenants.acme_admin)
    d = make_deliverable(db, tenants.pm, tenants.acme, revisions_allowed=1)
    service.submit(db, actor=pm, deliverable_id=d.id)
    service.request_revision(
        db, actor=client, deliverable_id=d.id, data=RevisionRequest(note="Round one")
    )
    service.add_version(
        db, actor=pm, deliverable_id=d.id, data=VersionCreate(url="https://figma.com/file/2")
    )
    with pytest.raises(Conflict) as exc:
        service.request_revision(
            db, actor=client, deliverable_id=d.id, data=RevisionRequest(note="Round two")
        )
    assert exc.value.status == 409 and exc.value.code == "revision_limit_reached"
    assert d.revisions_used == 1 and d.status == "in_review"

    with pytest.raises(Forbidden):
        service.extend_revisions(
            db, actor=client, deliverable_id=d.id, data=RevisionExtension(extra=1)
        )
    assert d.revisions_allowed == 1
    service.extend_revisions(db, actor=pm, deliverable_id=d.id, data=RevisionExtension(extra=1))
    service.request_revision(
        db, actor=client, deliverable_id=d.id, data=RevisionRequest(note="Round two")
    )
    assert (d.revisions_allowed, d.revisions_used) == (2, 2)
    assert "deliverable_revisions_extended" in _actions(db, d)


def test_approval_binds_to_the_version_hash(db, tenants) -> None:
    pm, client = actor(db, tenants.pm), actor(db, tenants.acme_collab)
    d = make_deliverable(db, tenants.pm, tenants.acme)
    service.submit(db, actor=pm, deliverable_id=d.id)
    first = service.approve(db, actor=client, deliverable_id=d.id, version_number=1)

    service.add_version(
        db, actor=pm, deliverable_id=d.id, data=VersionCreate(), upload=pdf(PDF + b"changed")
    )
    assert d.status == "in_review"  # a new version re-opens review
    assert d.approved_by_id is None and d.approved_at is None
    assert first.sha256 == hashlib.sha256(PDF).hexdigest()  # the receipt keeps the old hash

    with pytest.raises(Conflict) as exc:  # approving what the client saw before v2 arrived
        service.approve(db, actor=client, deliverable_id=d.id, version_number=1)
    assert exc.value.code == "version_changed"
    second = service.approve(db, actor=client, deliverable_id=d.id, version_number=2)
    assert second.sha256 != first.sha256
    assert (
        len(db.exec(select(ApprovalReceipt).where(ApprovalReceipt.deliverable_id == d.id)).all())
        == 2
    )


def test_receipts_are_immutable(db, tenants) -> None:
    d = make_deliverable(db, tenants.pm, tenants.acme)
    service.submit(db, actor=actor(db, tenants.pm), deliverable_id=d.id)
    receipt = service.approve(db, actor=actor(db, tenants.acme_collab), deliverable_id=d.id)
    receipt.sha256 = "0" * 64
    db.add(receipt)
    with pytest.raises(ValueError, match="immutable"):
        db.flush()
    db.rollback()


def test_no_approval_needed_is_approved_with_null_approver(db, tenants) -> None:
    d = make_deliverable(db, tenants.pm, tenants.acme, require_approval=False)
    assert d.status == "approved" and d.approved_by_id is None and d.approved_at is None
    with pytest.raises(Conflict):
        service.submit(db, actor=actor(db, tenants.pm), deliverable_id=d.id)
    service.add_version(
        db,
        actor=actor(db, tenants.pm),
        deliverable_id=d.id,
        data=VersionCreate(),
        upload=pdf(b"%PDF-2"),
    )
    assert d.status == "approved" and d.approved_by_id is None
    assert (
        db.exec(select(ApprovalReceipt).where(ApprovalReceipt.deliverable_id == d.id)).first()
        is None
    )


def test_internal_gate_hides_versions_until_released(db, tenants) -> None:
    pm, client = actor(db, tenants.pm), actor(db, tenants.acme_collab)
    d = make_deliverable(db, tenants.pm, tenants.acme, internal_gate=True)
    assert d.visible_version is None
    with pytest.raises(NotFound):
        service.get_deliverable(db, actor=client, deliverable_id=d.id)
    assert list_deliverables(db, actor=client, company_id=tenants.acme.id).total == 0
    with pytest.raises(Conflict) as exc:
        service.submit(db, actor=pm, deliverable_id=d.id)
    assert exc.value.code == "internal_approval_required"

    v1 = db.exec(select(DeliverableVersion).where(DeliverableVersion.deliverable_id == d.id)).one()
    service.internal_approve(db, actor=pm, deliverable_id=d.id, version_id=v1.id)
    assert v1.internal_approved_by_id == tenants.pm.id and v1.internal_approved_at
    service.submit(db, actor=pm, deliverable_id=d.id)
    assert service.get_deliverable(db, actor=client, deliverable_id=d.id).id == d.id

    service.add_version(
        db, actor=pm, deliverable_id=d.id, data=VersionCreate(), upload=pdf(PDF + b"2")
    )
    assert d.status == "pending" and (d.current_version, d.visible_version) == (2, 1)
    v2 = db.exec(
        select(DeliverableVersion).where(
            DeliverableVersion.deliverable_id == d.id, DeliverableVersion.number == 2
        )
    ).one()
    with pytest.raises(NotFound):
        service.get_version(db, actor=client, deliverable_id=d.id, version_id=v2.id)
    assert service.get_version(db, actor=pm, deliverable_id=d.id, version_id=v2.id)[1].id == v2.id
    row = list_deliverables(db, actor=client, company_id=tenants.acme.id).rows[0]
    assert row.version.number == 1  # the client still sees the released version


def test_only_the_right_people_act(db, tenants) -> None:
    pm = actor(db, tenants.pm)
    d = make_deliverable(db, tenants.pm, tenants.acme)
    with pytest.raises(Conflict) as exc:  # not sent yet
        service.approve(db, actor=actor(db, tenants.acme_collab), deliverable_id=d.id)
    assert exc.value.code == "invalid_transition"
    service.submit(db, actor=pm, deliverable_id=d.id)
    with pytest.raises(Conflict):
        service.submit(db, actor=pm, deliverable_id=d.id)
    for who in (tenants.acme_viewer, tenants.pm, tenants.staff_admin):
        with pytest.raises(Forbidden):
            service.approve(db, actor=actor(db, who), deliverable_id=d.id)
    with pytest.raises(Forbidden):
        make_deliverable(db, tenants.acme_admin, tenants.acme, name="By a client")
    for who in (tenants.globex_admin, tenants.retail_admin):
        with pytest.raises(NotFound):
            service.approve(db, actor=actor(db, who), deliverable_id=d.id)
    with pytest.raises(NotFound):  # a PM not assigned to Globex cannot create there
        make_deliverable(db, tenants.pm, tenants.globex, name="Not for Globex")
    assert d.status == "in_review" and d.approved_by_id is None
    assert db.exec(select(ApprovalReceipt)).first() is None
    names = set(db.exec(select(Deliverable.name)).all())
    assert "By a client" not in names and "Not for Globex" not in names


def test_revisions_allowed_come_from_category_then_global_setting(db, tenants) -> None:
    db.add(DeliverableCategory(slug="web-pages", name="Web pages", revisions_allowed=5))
    db.add(DeliverableCategory(slug="copy", name="Copy"))
    db.flush()
    admin = actor(db, tenants.staff_admin)
    deliverable_settings.set_default_revisions_allowed(db, actor=admin, value=4)
    assert (
        make_deliverable(db, tenants.pm, tenants.acme, category="web-pages").revisions_allowed == 5
    )
    assert make_deliverable(db, tenants.pm, tenants.acme, category="copy").revisions_allowed == 4
    assert make_deliverable(db, tenants.pm, tenants.acme).revisions_allowed == 4
    with pytest.raises(Invalid):
        make_deliverable(db, tenants.pm, tenants.acme, name="Uncategorisable", category="nope")
    with pytest.raises(Forbidden):
        deliverable_settings.set_default_revisions_allowed(db, actor=actor(db, tenants.pm), value=1)
    assert deliverable_settings.default_revisions_allowed(db) == 4
    assert db.exec(select(Deliverable).where(Deliverable.name == "Uncategorisable")).first() is None


def test_links_and_validation(db, tenants) -> None:
    d = make_deliverable(db, tenants.pm, tenants.acme, upload=None, url="https://figma.com/f/1")
    v = db.exec(select(DeliverableVersion).where(DeliverableVersion.deliverable_id == d.id)).one()
    assert d.linked and v.sha256 == hashlib.sha256(b"https://figma.com/f/1").hexdigest()
    assert _actions(db, d) == ["deliverable_linked"]
    with pytest.raises(Invalid) as exc:
        make_deliverable(db, tenants.pm, tenants.acme, upload=None, url="javascript:alert(1)")
    assert "url" in exc.value.errors
    with pytest.raises(Invalid):
        make_deliverable(db, tenants.pm, tenants.acme, upload=None)
    assert len(db.exec(select(Deliverable)).all()) == 1


def test_waiting_for_and_approvals_queue(db, tenants) -> None:
    pm = actor(db, tenants.pm)
    review = make_deliverable(db, tenants.pm, tenants.acme, name="In review")
    service.submit(db, actor=pm, deliverable_id=review.id)
    make_deliverable(db, tenants.pm, tenants.acme, name="Draft")
    gated = make_deliverable(db, tenants.pm, tenants.acme, name="Gated", internal_gate=True)
    make_deliverable(db, tenants.staff_admin, tenants.globex, name="Globex work")

    names = [
        r.deliverable.name
        for r in waiting_for(
            db, actor=actor(db, tenants.acme_collab).narrowed([tenants.acme.id])
        ).rows
    ]
    assert names == ["In review"]
    viewer = actor(db, tenants.acme_viewer).narrowed([tenants.acme.id])
    assert waiting_for(db, actor=viewer).total == 0

    queue = approvals_queue(db, actor=pm)
    assert [(r.deliverable.name, r.needs) for r in queue] == [
        ("Gated", "release"),
        ("Draft", "submit"),
        ("In review", "client"),
    ]
    assert {r.needs for r in queue if r.deliverable.id == gated.id} == {"release"}
    assert "Globex work" not in {r.deliverable.name for r in queue}  # not the PM's portal
    assert "Globex work" in {
        r.deliverable.name for r in approvals_queue(db, actor=actor(db, tenants.staff_admin))
    }
    assert approvals_queue(db, actor=actor(db, tenants.acme_admin)) == []


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (b"%PDF-1.4", "x.dat", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n....", "x.pdf", "image/png"),
        (b"PK\x03\x04rest", "brief.docx", "application/zip"),
        (
            _docx(),
            "brief",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (b"plain notes", "notes.txt", "text/plain"),
    ],
)
def test_content_type_comes_from_the_bytes(db, tenants, head, name, expected) -> None:
    """A version is typed by the files pipeline: by its bytes, never by its name."""
    d = make_deliverable(db, tenants.pm, tenants.acme, upload=pdf(head, name))
    assert _version(db, d).content_type == expected


@pytest.mark.parametrize(
    ("head", "name", "fragment"),
    [
        (b"\x7fELF\x02\x01\x01\x00", "brief.pdf", "Linux program"),
        (b"MZ\x90\x00", "setup.docx", "Windows program"),
        (b"<html><script>alert(1)</script>", "x.pdf", "markup"),
    ],
)
def test_programs_and_markup_are_refused_before_anything_is_written(
    db, tenants, head, name, fragment
) -> None:
    d = make_deliverable(db, tenants.pm, tenants.acme)
    with pytest.raises(Invalid) as exc:
        service.add_version(
            db,
            actor=actor(db, tenants.pm),
            deliverable_id=d.id,
            data=VersionCreate(),
            upload=pdf(head, name),
        )
    assert fragment in exc.value.errors["file"][0]
    assert d.current_version == 1
    assert (
        len(
            db.exec(
                select(DeliverableVersion).where(DeliverableVersion.deliverable_id == d.id)
            ).all()
        )
        == 1
    )


def test_the_portal_allow_list_applies_to_versions(db, tenants) -> None:
    portal = portal_of(db, tenants.acme)
    portal.allowed_file_types = ["images"]
    db.add(portal)
    db.flush()
    with pytest.raises(Invalid) as exc:
        make_deliverable(db, tenants.pm, tenants.acme, name="Report")
    assert "accepts images" in exc.value.errors["file"][0]


def _version(db, d) -> DeliverableVersion:
    return db.exec(
        select(DeliverableVersion).where(
            DeliverableVersion.deliverable_id == d.id,
            DeliverableVersion.number == d.current_version,
        )
    ).one()


def test_demo_deliverables_cover_every_status_and_stay_idempotent(db) -> None:
    from portal.models import Company, Deliverable
    from services.demo import load_demo

    load_demo(db)
    rows = db.exec(select(Deliverable, Company.slug).join(Company)).all()
    by_company: dict[str, set[str]] = {}
    for d, slug in rows:
        by_company.setdefault(slug, set()).add(d.status)
    assert by_company["acme"] == {"pending", "in_review", "revision_requested", "approved"}
    assert {"pending", "in_review", "approved"} <= by_company["acme-retail"]
    assert {"pending", "revision_requested", "approved"} <= by_company["globex"]
    assert any(d.current_version > 1 for d, _ in rows)
    assert any(not d.require_approval and d.approved_by_id is None for d, _ in rows)
    assert any(d.visible_version is None for d, _ in rows)  # the internal gate
    receipts = db.exec(select(ApprovalReceipt)).all()
    assert {r.company_id for r in receipts} == {c.id for c in db.exec(select(Company)).all()}
    assert load_demo(db) is False
    assert len(db.exec(select(Deliverable)).all()) == len(rows)
