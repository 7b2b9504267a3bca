"""A portal's settings as staff edit them in /admin/portals, and its logo."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import BinaryIO

import pydantic
from pydantic import field_validator, model_validator
from sqlmodel import Session, col, select

from portal.db import after_commit
from portal.errors import Invalid, NotFound
from portal.filetypes import CATEGORIES, IMAGE_PREVIEW, sniff
from portal.models import IMPLEMENTED_TABS, Company, Portal, PortalTemplate
from portal.models.activity import Action
from portal.models.company import HEX_COLOUR_PATTERN, PortalStatusValue
from portal.storage import Blob, Storage, get_storage, open_on_read
from portal.tenancy import Actor, get_for_actor, require_staff
from portal.validation import InputModel
from services.events import activity

log = logging.getLogger(__name__)

# Tabs staff switch on and off; Settings is always there (a client's own preferences).
SWITCHABLE_TABS: tuple[str, ...] = tuple(t for t in IMPLEMENTED_TABS if t != "settings")
TAB_LABELS: dict[str, str] = {"tools": "Tools & Links"}
MAX_LOGO_BYTES = 2 * 1024 * 1024
LOGO_PREFIX = "/brand/logos/"
SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$"


def tab_label(tab: str) -> str:
    return TAB_LABELS.get(tab, tab.capitalize())


class PortalSettings(InputModel):
    """Everything the settings screen edits (reference 003: branding, tabs, landing, uploads)."""

    title: str = pydantic.Field(min_length=1, max_length=200)
    slug: str = pydantic.Field(min_length=1, max_length=60, pattern=SLUG_PATTERN)
    status: PortalStatusValue
    accent_color: str = pydantic.Field(default="", pattern=HEX_COLOUR_PATTERN)
    enabled_tabs: list[str] = pydantic.Field(default_factory=list)
    landing_tab: str = "dashboard"
    dashboard_enabled: bool = False
    allow_uploads: bool = True
    max_upload_mb: int = pydantic.Field(default=2048, ge=1, le=10240)
    allowed_file_types: list[str] = pydantic.Field(default_factory=list)
    welcome_message: str = pydantic.Field(default="", max_length=4000)

    @field_validator("slug", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("enabled_tabs")
    @classmethod
    def _tabs(cls, value: list[str]) -> list[str]:
        unknown = [t for t in value if t not in SWITCHABLE_TABS]
        if unknown:
            raise ValueError(f"Unknown tab: {', '.join(unknown)}.")
        if not value:
            raise ValueError("Keep at least one tab on.")
        return [t for t in SWITCHABLE_TABS if t in value]

    @field_validator("allowed_file_types")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        if any(t not in CATEGORIES for t in value):
            raise ValueError("Unknown file type.")
        if not value:
            raise ValueError("Allow at least one kind of file.")
        return [t for t in CATEGORIES if t in value]

    @model_validator(mode="after")
    def _landing_is_on(self) -> PortalSettings:
        if self.landing_tab not in (*self.enabled_tabs, "settings"):
            raise ValueError("landing_tab: The landing tab must be one of the tabs switched on.")
        return self


@dataclass(frozen=True)
class SettingsView:
    portal: Portal
    company: Company
    template: PortalTemplate | None


def get_settings(session: Session, *, actor: Actor, portal_id: int) -> SettingsView:
    """A portal the actor may see, for its settings screen."""
    portal = get_for_actor(session, Portal, portal_id, actor)
    company = session.get(Company, portal.company_id)
    assert company is not None
    template = session.get(PortalTemplate, portal.template_id) if portal.template_id else None
    return SettingsView(portal, company, template)


def _require_manage(actor: Actor) -> None:
    require_staff(actor, "portal.manage", "You cannot change this portal's settings.")


def update_settings(
    session: Session, *, actor: Actor, portal_id: int, data: PortalSettings
) -> Portal:
    """Save the settings screen (staff managing the portal); the slug stays unique."""
    portal = get_for_actor(session, Portal, portal_id, actor)
    _require_manage(actor)
    if data.slug != portal.slug:
        taken = session.exec(
            select(Portal.id).where(Portal.slug == data.slug, col(Portal.id) != portal.id)
        ).first()
        if taken is not None:
            raise Invalid(errors={"slug": ["Another portal uses that address."]})
    values = data.model_dump()
    values["accent_color"] = values["accent_color"] or None
    values["welcome_message"] = values["welcome_message"].strip() or None
    if set(values["allowed_file_types"]) == set(CATEGORIES):
        values["allowed_file_types"] = None  # the defaults, which follow new categories
    changed = sorted(k for k, v in values.items() if getattr(portal, k) != v)
    for name, value in values.items():
        setattr(portal, name, value)
    session.add(portal)
    session.flush()
    if changed:
        activity.record(
            session,
            actor=actor,
            company_id=portal.company_id,
            action=Action.portal_updated,
            object_type="portal",
            object_id=portal.id,
            object_label=portal.title,
            description=f"{actor.label} updated {', '.join(changed)}",
        )
    return portal


def upload_logo(
    session: Session,
    *,
    actor: Actor,
    portal_id: int,
    stream: BinaryIO,
    name: str,
    storage: Storage | None = None,
) -> Portal:
    """Store an image as the portal's logo: streamed through the files pipeline's temporary
    objects, typed by its content (PNG, JPEG, GIF or WebP only, at most 2 MB)."""
    portal = get_for_actor(session, Portal, portal_id, actor)
    _require_manage(actor)
    storage = storage or get_storage()
    try:
        temp = storage.write_temp(stream, max_bytes=MAX_LOGO_BYTES)
    except Invalid:
        raise Invalid(
            "That logo is too large.", errors={"logo": ["A logo may be at most 2 MB."]}
        ) from None
    message = "The logo must be an image: PNG, JPEG, GIF or WebP."
    try:
        mime = sniff(temp.head, name or "logo", ["images"])
    except Invalid:
        storage.discard(temp)
        raise Invalid(message, code="logo_not_image", errors={"logo": [message]}) from None
    if mime not in IMAGE_PREVIEW:
        storage.discard(temp)
        raise Invalid(message, code="logo_not_image", errors={"logo": [message]})
    key = f"{temp.sha256[:40]}.{mime.split('/')[1]}"

    def promote() -> None:
        try:
            storage.promote(temp, f"logos/{key}")
        except Exception:
            log.exception("promoting logo %s failed", key)

    after_commit(session, promote)
    portal.logo_url = LOGO_PREFIX + key
    session.add(portal)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=portal.company_id,
        action=Action.portal_updated,
        object_type="portal",
        object_id=portal.id,
        object_label=portal.title,
        description=f"{actor.label} changed the logo",
    )
    return portal


def remove_logo(session: Session, *, actor: Actor, portal_id: int) -> Portal:
    portal = get_for_actor(session, Portal, portal_id, actor)
    _require_manage(actor)
    portal.logo_url = None
    session.add(portal)
    session.flush()
    return portal


LOGO_KEY = re.compile(r"^[0-9a-f]{40}\.(png|jpeg|gif|webp)$")


def open_logo(session: Session, *, key: str, storage: Storage | None = None) -> Blob:
    """A portal's logo by its content key. Public: sign-in pages show it before anyone is
    signed in; the key is the image's own hash, so it names nothing but the image."""
    if not LOGO_KEY.match(key):
        raise NotFound()
    in_use = session.exec(
        select(Portal.id).where(col(Portal.logo_url) == LOGO_PREFIX + key)
    ).first()
    storage = storage or get_storage()
    if in_use is None or not storage.exists(f"logos/{key}"):
        raise NotFound()
    mime = "image/" + key.rsplit(".", 1)[1]
    return Blob(
        name=f"logo.{key.rsplit('.', 1)[1]}",
        content_type=mime,
        size=storage.size(f"logos/{key}"),
        stream=open_on_read(storage, f"logos/{key}"),
        inline_ok=True,
    )


@dataclass(frozen=True)
class Brand:
    """What a sign-in page shows of a portal: its title, logo, accent and address."""

    title: str
    slug: str
    logo_url: str | None
    accent_color: str | None


def _brand(portal: Portal | None) -> Brand | None:
    if portal is None or portal.status == "pending":
        return None
    return Brand(portal.title, portal.slug, portal.logo_url, portal.accent_color)


def brand_for_slug(session: Session, *, slug: str) -> Brand:
    """The public face of a live portal (a pending one does not exist yet)."""
    brand = _brand(session.exec(select(Portal).where(Portal.slug == slug[:80])).first())
    if brand is None:
        raise NotFound()
    return brand


def brand_for_company(session: Session, *, company_id: int) -> Brand | None:
    """The brand of a company's live portal, if it has one (an invitation's page)."""
    return _brand(session.exec(select(Portal).where(Portal.company_id == company_id)).first())
