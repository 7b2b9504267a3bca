"""Deliverable settings: categories and the agency-wide default revision allowance."""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from portal.errors import Invalid
from portal.models import DeliverableCategory, DeliverableSettings
from portal.models.deliverable import DEFAULT_REVISIONS_ALLOWED, MAX_REVISIONS
from portal.tenancy import Actor, require_staff


def _require_settings_admin(actor: Actor) -> None:
    require_staff(actor, "settings.deliverables", "Only the agency team can do that.")


def default_revisions_allowed(session: Session) -> int:
    row = session.exec(select(DeliverableSettings).limit(1)).first()
    return row.default_revisions_allowed if row else DEFAULT_REVISIONS_ALLOWED


def set_default_revisions_allowed(session: Session, *, actor: Actor, value: int) -> None:
    """The global allowance used when a category sets none (staff admins only)."""
    _require_settings_admin(actor)
    if not 0 <= value <= MAX_REVISIONS:
        raise Invalid(errors={"default_revisions_allowed": [f"Use 0 to {MAX_REVISIONS}."]})
    row = session.exec(select(DeliverableSettings).limit(1)).first() or DeliverableSettings()
    row.default_revisions_allowed = value
    session.add(row)
    session.flush()


def save_category(
    session: Session, *, actor: Actor, slug: str, name: str, revisions_allowed: int | None
) -> DeliverableCategory:
    """Create a category, or update the one with this slug (staff admins only)."""
    _require_settings_admin(actor)
    slug = slug.strip().lower()
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,59}", slug):
        errors["slug"] = ["Use lowercase letters, digits and dashes."]
    if not name or len(name) > 120:
        errors["name"] = ["Give the category a name (up to 120 characters)."]
    if revisions_allowed is not None and not 0 <= revisions_allowed <= MAX_REVISIONS:
        errors["revisions_allowed"] = [f"Use 0 to {MAX_REVISIONS}, or leave empty."]
    if errors:
        raise Invalid(errors=errors)
    category = session.exec(
        select(DeliverableCategory).where(DeliverableCategory.slug == slug)
    ).first() or DeliverableCategory(slug=slug, name=name)
    category.name = name
    category.revisions_allowed = revisions_allowed
    session.add(category)
    session.flush()
    return category


def list_categories(session: Session) -> list[DeliverableCategory]:
    return list(
        session.exec(select(DeliverableCategory).order_by(col(DeliverableCategory.name))).all()
    )
