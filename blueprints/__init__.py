"""The one table of what the app serves: every blueprint, its URL prefix, the portal tabs."""

from __future__ import annotations

from importlib import import_module

from flask import Flask

from portal.models.company import IMPLEMENTED_TABS

# Portal pages under /p/<slug> that are not tabs of their own.
PORTAL_PAGES: tuple[str, ...] = (
    "activity",
    "announcements",
    "budgets",
    "contracts",
    "proposals",
    "mentions",
)

# (module, blueprint attribute, URL prefix) of everything outside the portal tabs.
BLUEPRINTS: tuple[tuple[str, str, str | None], ...] = (
    ("blueprints.health", "bp", None),
    ("blueprints.theme", "bp", None),
    ("blueprints.auth", "bp", None),
    ("blueprints.account", "bp", None),
    ("blueprints.notifications", "bp", None),
    ("blueprints.view_as", "bp", None),
    ("blueprints.admin.overview", "bp", "/admin"),
    ("blueprints.admin.pages", "bp", "/admin/pages"),
    ("blueprints.admin.companies", "bp", "/admin/companies"),
    ("blueprints.admin.portals", "bp", "/admin/portals"),
    ("blueprints.brand", "bp", None),
    ("blueprints.admin.api_keys", "bp", "/admin/api-keys"),
    ("blueprints.admin.webhooks", "bp", "/admin/webhooks"),
    ("blueprints.admin.announcements", "bp", "/admin/announcements"),
    ("blueprints.admin.invoices", "bp", "/admin/invoices"),
    ("blueprints.admin.contracts", "bp", "/admin/contracts"),
    ("blueprints.billing_webhooks", "bp", None),
    ("blueprints.admin.catalog", "bp", "/admin/catalog"),
    ("blueprints.admin.opportunities", "bp", "/admin/opportunities"),
    ("blueprints.admin.feedback", "bp", "/admin/feedback"),
    ("blueprints.admin.vault", "bp", "/admin/vault"),
    ("blueprints.admin.audit", "bp", "/admin/audit"),
    ("blueprints.admin.people", "bp", "/admin/people"),
    ("blueprints.admin.roles", "bp", "/admin/roles"),
    ("blueprints.admin.onboarding", "bp", "/admin/onboarding"),
    ("blueprints.dev", "bp", "/dev"),
    ("blueprints.portal.files", "public_bp", None),
    ("blueprints.portal.feedback", "public_bp", None),
)


def register(app: Flask) -> None:
    """Mount every blueprint: the table above, one per portal tab/page, then the API family."""
    from blueprints import api, errors

    errors.register(app)
    for module, attr, prefix in BLUEPRINTS:
        app.register_blueprint(getattr(import_module(module), attr), url_prefix=prefix)
    for tab in (*IMPLEMENTED_TABS, *PORTAL_PAGES):
        app.register_blueprint(import_module(f"blueprints.portal.{tab}").bp, url_prefix="/p/<slug>")
    api.register(app)
