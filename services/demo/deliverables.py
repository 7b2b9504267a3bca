"""Demo deliverables (part of ``load_demo``): every status, versions and receipts; idempotent."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import timedelta

from sqlmodel import Session, select

from portal.models import (
    ActivityLog,
    Company,
    Deliverable,
    DeliverableCategory,
    DeliverableVersion,
    User,
)
from portal.models.base import utcnow
from portal.models.deliverable import DeliverableCreate, RevisionRequest, VersionCreate
from portal.storage import Upload
from portal.tenancy import Actor, actor_for_user
from services import deliverables as service
from services.files.access import portal_of

CATEGORIES = [("web-pages", "Web pages", 3), ("branding", "Branding", 2), ("copy", "Copy", None)]

# company slug -> (name, category, source, script); the script is a list of steps.
# "v" uploads a new version (or link), "submit", "revise:<note>", "approve", "release".
DEMO: dict[str, list[tuple[str, str | None, str, list[str]]]] = {
    "acme": [
        (
            "Homepage design",
            "web-pages",
            "file",
            [
                "submit",
                "revise:Make the hero image larger and the call to action clearer.",
                "v",
                "approve",
            ],
        ),
        ("Brand guidelines", "branding", "file", ["submit"]),
        (
            "About page copy",
            "copy",
            "link",
            ["submit", "revise:Please shorten the founder story to two paragraphs."],
        ),
        ("Logo refresh", "branding", "file:gate", []),
        ("Social media kit", "branding", "file:noapproval", []),
        (
            "Pricing page",
            "web-pages",
            "file:rev2",
            ["submit", "revise:Swap the plan order.", "v", "revise:Add the annual discount.", "v"],
        ),
        ("Careers page", "web-pages", "file", []),
    ],
    "acme-retail": [
        ("Store launch banners", "branding", "file", ["submit"]),
        ("Launch email", "copy", "link", []),
        ("Window poster", "branding", "file", ["submit", "approve"]),
    ],
    "globex": [
        (
            "Intranet wireframes",
            "web-pages",
            "link",
            ["submit", "revise:The navigation needs a search box."],
        ),
        ("Security review report", None, "file", ["submit", "approve"]),
        ("Migration plan", None, "file", []),
    ],
}


def demo_pdf(title: str, version: int) -> bytes:
    """A small, valid one-page PDF naming the deliverable and its version."""
    text = f"{title} - version {version}".replace("(", "").replace(")", "")
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _source(name: str, kind: str, number: int) -> tuple[str | None, Upload | None]:
    """A version's link, or its file."""
    if kind.startswith("link"):
        slug = name.lower().replace(" ", "-")
        return f"https://docs.example.com/{slug}/v{number}", None
    filename = f"{name.lower().replace(' ', '-')}-v{number}.pdf"
    return None, Upload(stream=io.BytesIO(demo_pdf(name, number)), filename=filename)


def _run(session: Session, d: Deliverable, step: str, staff: Actor, client: Actor) -> None:
    assert d.id is not None
    if step == "submit":
        service.submit(session, actor=staff, deliverable_id=d.id)
    elif step.startswith("revise:"):
        service.request_revision(
            session, actor=client, deliverable_id=d.id, data=RevisionRequest(note=step[7:])
        )
    elif step == "v":
        url, upload = _source(d.name, "link" if d.linked else "file", d.current_version + 1)
        service.add_version(
            session,
            actor=staff,
            deliverable_id=d.id,
            data=VersionCreate(url=url, note="Changes as requested"),
            upload=upload,
        )
    elif step == "approve":
        service.approve(
            session,
            actor=client,
            deliverable_id=d.id,
            ip_address="198.51.100.23",
            user_agent="Mozilla/5.0 (demo data)",
        )


def load_demo_deliverables(
    session: Session,
    *,
    companies: Mapping[str, Company],
    staff: Mapping[str, User],
    clients: Mapping[str, User],
) -> bool:
    """Create the demo categories and deliverables that are missing."""
    created = False
    for slug, name, revisions in CATEGORIES:
        if (
            session.exec(
                select(DeliverableCategory).where(DeliverableCategory.slug == slug)
            ).first()
            is None
        ):
            session.add(DeliverableCategory(slug=slug, name=name, revisions_allowed=revisions))
            created = True
    session.flush()
    for company_slug, items in DEMO.items():
        company = companies[company_slug]
        assert company.id is not None
        client_actor = actor_for_user(session, clients[company_slug])
        staff_actor = actor_for_user(session, staff[company_slug])
        for age, (name, category, kind, steps) in enumerate(items):
            exists = session.exec(
                select(Deliverable.id).where(
                    Deliverable.company_id == company.id, Deliverable.name == name
                )
            ).first()
            if exists is not None:
                continue
            url, upload = _source(name, kind, 1)
            d = service.create_deliverable(
                session,
                actor=staff_actor,
                portal=portal_of(session, company.id),
                data=DeliverableCreate(
                    name=name,
                    url=url,
                    category=category,
                    require_approval=not kind.endswith(":noapproval"),
                    internal_gate=kind.endswith(":gate"),
                    revisions_allowed=2 if kind.endswith(":rev2") else None,
                    description=f"{name} for {company.name}.",
                ),
                upload=upload,
            )
            for step in steps:
                _run(session, d, step, staff_actor, client_actor)
            stamp = utcnow() - timedelta(days=2 * age, hours=3)
            d.created_at = stamp - timedelta(days=7)
            d.updated_at = stamp
            session.add(d)
            for v in session.exec(
                select(DeliverableVersion).where(DeliverableVersion.deliverable_id == d.id)
            ).all():
                v.created_at = stamp - timedelta(days=d.current_version - v.number)
                session.add(v)
            history = session.exec(
                select(ActivityLog).where(
                    ActivityLog.object_type == "deliverable", ActivityLog.object_id == d.id
                )
            ).all()
            for offset, row in enumerate(sorted(history, key=lambda a: a.id or 0)):
                row.created_at = stamp - timedelta(hours=len(history) - offset)
                session.add(row)
            created = True
    session.flush()
    return created
