"""Demo task attachments: a few demo files linked to demo tasks (idempotent)."""

from __future__ import annotations

from sqlmodel import Session, select

from portal.models import Company, PortalFile, Task, TaskAttachment

# company slug -> (task title, file name)
DEMO_ATTACHMENTS = {
    "acme": [
        ("Logo concepts, round 2", "Logo teal.png"),
        ("Review the content inventory", "Keyword research.csv"),
        ("Wireframes for key pages", "Master services agreement.pdf"),
    ],
}


def load_demo_task_attachments(session: Session, companies: dict[str, Company]) -> bool:
    created = False
    for slug, pairs in DEMO_ATTACHMENTS.items():
        company = companies.get(slug)
        if company is None:
            continue
        for title, name in pairs:
            task = session.exec(
                select(Task).where(Task.company_id == company.id, Task.title == title)
            ).first()
            file = session.exec(
                select(PortalFile).where(
                    PortalFile.company_id == company.id, PortalFile.name == name
                )
            ).first()
            if task is None or file is None:
                continue
            exists = session.exec(
                select(TaskAttachment.id).where(
                    TaskAttachment.task_id == task.id, TaskAttachment.file_id == file.id
                )
            ).first()
            if exists is not None:
                continue
            session.add(
                TaskAttachment(
                    task_id=task.id,  # type: ignore[arg-type]
                    file_id=file.id,  # type: ignore[arg-type]
                    company_id=company.id,  # type: ignore[arg-type]
                    attached_by_id=file.uploaded_by_id,
                    created_at=file.created_at,
                )
            )
            session.flush()
            created = True
    return created
