"""Factories: fixtures that return callables (``make_task(project, title=..., **fields)``),
the two-tenant world every web test starts from, and small helpers for service tests.

tests/conftest.py imports the fixtures, so every test can ask for them by name.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session

from portal import passwords
from portal.models import Company, Portal, PortalManager, Project, Task, TaskAssignee, User
from portal.tenancy import Actor, actor_for_user
from services.accounts.users import ADMIN_ROLE, PM_NODES, PM_ROLE, ensure_role, grant_role

PASSWORD = "correct-horse-battery"


def actor_of(db: Session, user: User) -> Actor:
    return actor_for_user(db, user)


@pytest.fixture
def make_company(db: Session) -> Callable[..., Company]:
    def make(
        name: str | None = None, *, parent: Company | None = None, **portal_fields: Any
    ) -> Company:
        slug = (name or f"co-{uuid.uuid4().hex[:8]}").lower().replace(" ", "-")
        company = Company(name=name or slug, slug=slug, parent_id=parent.id if parent else None)
        db.add(company)
        db.flush()
        db.add(Portal(company_id=company.id, title=company.name, slug=slug, **portal_fields))
        db.flush()
        return company

    return make


@pytest.fixture
def make_user(db: Session) -> Callable[..., User]:
    hashed = passwords.hash_password(PASSWORD)

    def make(
        company: Company | None = None,
        role: str = "collaborator",
        *,
        staff: str | None = None,
        email: str | None = None,
        assign: list[Company] | None = None,
        **fields: Any,
    ) -> User:
        address = email or f"u{uuid.uuid4().hex[:10]}@example.test"
        user = User(
            email=address,
            name=fields.pop("name", address.split("@")[0].title()),
            password_hash=hashed,
            **fields,
        )
        if staff:
            user.is_staff = True
        else:
            user.company_id = company.id if company else None
            user.client_role = role
        db.add(user)
        db.flush()
        if staff == "admin":
            grant_role(db, user=user, role=ensure_role(db, name=ADMIN_ROLE, permissions=["*"]))
        elif staff == "pm":
            grant_role(db, user=user, role=ensure_role(db, name=PM_ROLE, permissions=PM_NODES))
            for c in assign or []:
                db.add(PortalManager(user_id=user.id, company_id=c.id))  # type: ignore[arg-type]
            db.flush()
        return user

    return make


@pytest.fixture
def make_project(db: Session) -> Callable[..., Project]:
    def make(company: Company, name: str | None = None, **fields: Any) -> Project:
        project = Project(
            company_id=company.id, name=name or f"Project {uuid.uuid4().hex[:6]}", **fields
        )  # type: ignore[arg-type]
        db.add(project)
        db.flush()
        return project

    return make


class Tenants:
    """Two tenants: the Acme group (parent + child) and Globex, with a user of every role."""

    def __init__(
        self,
        make_company: Callable[..., Company],
        make_user: Callable[..., User],
        make_project: Callable[..., Project],
    ) -> None:
        self.acme = make_company("Acme Test")
        self.retail = make_company("Acme Retail Test", parent=self.acme)
        self.globex = make_company("Globex Test")
        self.acme_admin = make_user(self.acme, "admin")
        self.acme_collab = make_user(self.acme, "collaborator")
        self.acme_viewer = make_user(self.acme, "viewer")
        self.retail_admin = make_user(self.retail, "admin")
        self.globex_admin = make_user(self.globex, "admin")
        self.staff_admin = make_user(staff="admin")
        self.pm = make_user(staff="pm", assign=[self.acme])
        self.acme_project = make_project(self.acme, "Acme Website")
        self.retail_project = make_project(self.retail, "Retail Launch")
        self.globex_project = make_project(self.globex, "Globex Intranet")


@pytest.fixture
def tenants(
    make_company: Callable[..., Company],
    make_user: Callable[..., User],
    make_project: Callable[..., Project],
) -> Tenants:
    return Tenants(make_company, make_user, make_project)


@pytest.fixture
def make_task(db: Session) -> Callable[..., Any]:
    """``make_task(project, title=..., status=..., assignees=[user], **fields)``."""

    def make(project: Project, title: str | None = None, **fields: Any) -> Task:
        assignees = fields.pop("assignees", [])
        task = Task(
            company_id=project.company_id,
            project_id=project.id,  # type: ignore[arg-type]
            title=title or f"Task {uuid.uuid4().hex[:6]}",
            **fields,
        )
        db.add(task)
        db.flush()
        for user in assignees:
            db.add(TaskAssignee(company_id=project.company_id, task_id=task.id, user_id=user.id))  # type: ignore[arg-type]
        db.flush()
        return task

    return make
