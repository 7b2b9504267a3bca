from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

import pydantic
from pydantic import field_validator
from sqlalchemy import JSON, Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel, col

from portal.models.base import UTCDateTime, utcnow
from portal.validation import InputModel
from portal.web.args import MAX_ID


class Company(SQLModel, table=True):
    """A client company; ``parent_id`` makes a group (a parent and its children)."""

    __tenant_column__ = "id"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=80, unique=True, index=True)
    parent_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("company.id", ondelete="SET NULL"), index=True),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Permission nodes staff grant to this company's client roles beyond what the role brings
    # ({"admin": ["network.wifi.read.passphrase"]}); see portal.tenancy.with_company_grants.
    client_nodes: dict[str, list[str]] = Field(default_factory=dict, sa_type=JSON)


class PortalStatus(StrEnum):
    active = "active"
    pending = "pending"
    archived = "archived"


ALL_TABS: tuple[str, ...] = (
    "dashboard",
    "projects",
    "tasks",
    "files",
    "deliverables",
    "notes",
    "invoices",
    "results",
    "network",
    "pages",
    "tools",
    "team",
    "feedback",
    "onboarding",
    "settings",
)

# The tabs this build serves, in tab-bar order. A tab is one entry here plus
# blueprints/portal/<tab>.py, services/<tab>, templates/<tab>/ (blueprints/__init__.py mounts it).
IMPLEMENTED_TABS: tuple[str, ...] = (
    "dashboard",
    "projects",
    "tasks",
    "files",
    "deliverables",
    "notes",
    "invoices",
    "results",
    "network",
    "pages",
    "tools",
    "team",
    "feedback",
    "onboarding",
    "settings",
)


class Portal(SQLModel, table=True):
    """The branded space of one company."""

    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), unique=True, nullable=False
        )
    )
    title: str = Field(max_length=200)
    slug: str = Field(max_length=80, unique=True, index=True)
    status: str = Field(default=PortalStatus.active.value, max_length=16, index=True)
    accent_color: str | None = Field(default=None, max_length=7)
    logo_url: str | None = Field(default=None, max_length=500)
    allow_uploads: bool = True
    enabled_tabs: list[str] = Field(default_factory=lambda: list(ALL_TABS), sa_type=JSON)
    landing_tab: str = Field(default="dashboard", max_length=32)
    dashboard_enabled: bool = False
    welcome_message: str | None = Field(default=None, max_length=4000)
    template_id: int | None = None
    template_applied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Files tab: upload size limit and the content categories allowed (None = the defaults)
    max_upload_mb: int = Field(default=2048)
    allowed_file_types: list[str] | None = Field(default=None, sa_type=JSON)
    # Feedback tab: the lowest client role that may vote ("viewer" = everyone who sees it)
    feedback_vote_role: str = Field(default="viewer", max_length=16)
    # Feedback tab: the client's ideas and comments wait for the agency's approval
    feedback_moderation: bool = False

    @classmethod
    def __staff_only__(cls) -> Any:
        """A pending portal (being set up) exists for staff only: ``scoped()`` hides it."""
        return col(cls.status) == PortalStatus.pending.value


# Input families: validated at the edge (API bodies, the inbound webhook), taken by services.

PortalStatusValue = Literal["active", "pending", "archived"]
HEX_COLOUR_PATTERN = r"^(#[0-9a-fA-F]{6})?$"


class PortalCreate(InputModel):
    """A new client company and its portal (reference 003 ``POST /portals``)."""

    title: str = pydantic.Field(min_length=1, max_length=200)
    status: PortalStatusValue = "active"
    accent_color: str = pydantic.Field(
        default="", pattern=HEX_COLOUR_PATTERN, description="#rrggbb or empty"
    )
    allow_uploads: bool = True
    client_user_id: int = pydantic.Field(default=0, ge=0, le=MAX_ID, description="0 = unassigned")
    client_email: str | None = pydantic.Field(
        default=None, max_length=254, description="Assign this existing user as the client."
    )
    template_id: int = pydantic.Field(default=0, ge=0, le=MAX_ID, description="0 = no template")


class PortalUpdate(InputModel):
    """Changes to a portal; only the fields sent change (``null`` is refused where required)."""

    title: str | None = pydantic.Field(default=None, min_length=1, max_length=200)
    status: PortalStatusValue | None = None
    accent_color: str | None = pydantic.Field(default=None, pattern=HEX_COLOUR_PATTERN)
    allow_uploads: bool | None = None

    @field_validator("title", "status", "allow_uploads")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # runs only for fields sent: an explicit null cannot clear a required column
        if value is None:
            raise ValueError("A value is required.")
        return value
