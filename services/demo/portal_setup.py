"""Demo portal templates, Tools & Links boards and a global guide."""

from __future__ import annotations

from sqlmodel import Session, select

from portal.models import Company, Guide, GuideAssignment, Portal, PortalTemplate, ToolLink

TEMPLATES = [
    {
        "name": "Website project",
        "description": "A new site: kickoff, content, launch.",
        "welcome_message": "Welcome! Everything for your new website lives here.",
        "task_lists": [
            {"name": "Kickoff", "tasks": ["Sign the contract", "Book the kickoff call"]},
            {"name": "Content", "tasks": ["Share brand assets", "Send the page copy"]},
        ],
        "tools": [
            {"title": "Shared drive", "url": "https://drive.example.com/shared"},
            {"title": "Book a call", "url": "https://calendar.example.com/northwind"},
        ],
    },
    {
        "name": "Retainer",
        "description": "Monthly support and reporting.",
        "welcome_message": "Your monthly support, reports and requests in one place.",
        "task_lists": [{"name": "Every month", "tasks": ["Review the monthly report"]}],
        "tools": [{"title": "Status page", "url": "https://status.example.com"}],
    },
]

LINKS = {
    "acme": [
        ("Brand guidelines", "https://brand.example.com/acme", "Logos, colours and type."),
        ("Staging site", "https://staging.acme.example.com", "Preview of the next release."),
        ("Analytics", "https://analytics.example.com/acme", "Traffic and conversions."),
    ],
    "globex": [("Shared drive", "https://drive.example.com/globex", "")],
}

GUIDE = (
    "How to review a deliverable",
    "Approve or ask for changes in two clicks.",
    "Open the Deliverables tab and choose the item waiting for you.\n\n"
    "Read it, then press Approve, or Request changes with a note saying what to change.",
)


def load_demo_portal_setup(session: Session, companies: dict[str, Company]) -> bool:
    """Templates, links and a guide for the demo (added once; returns True if anything was)."""
    if session.exec(select(PortalTemplate.id)).first() is not None:
        return False
    for data in TEMPLATES:
        session.add(PortalTemplate(**data))  # type: ignore[arg-type]
    for slug, links in LINKS.items():
        company = companies.get(slug)
        if company is None:
            continue
        for order, (title, url, description) in enumerate(links):
            session.add(
                ToolLink(
                    company_id=company.id,  # type: ignore[arg-type]
                    title=title,
                    url=url,
                    description=description,
                    sort_order=order,
                )
            )
    title, summary, body = GUIDE
    guide = Guide(title=title, summary=summary, body=body)
    session.add(guide)
    session.flush()
    for company in companies.values():
        session.add(GuideAssignment(guide_id=guide.id, company_id=company.id))  # type: ignore[arg-type]
    for portal in session.exec(select(Portal)).all():
        if "tools" not in (portal.enabled_tabs or []):
            portal.enabled_tabs = [*(portal.enabled_tabs or []), "tools"]
            session.add(portal)
    session.flush()
    return True
