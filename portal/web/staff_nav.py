"""The staff tab bar's view data: Portals, then four menus of the links the actor may open.

The permission arithmetic lives here, not in ``templates/layouts/staff.html``: the layout
renders what :func:`staff_nav` returns (a menu with no link for the actor is left out).
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.tenancy import Actor


@dataclass(frozen=True)
class NavLink:
    key: str  # the page's ``staff_tab``: marks the open section
    endpoint: str
    label: str


@dataclass(frozen=True)
class NavGroup:
    title: str
    links: tuple[NavLink, ...]

    def current(self, staff_tab: str | None) -> NavLink | None:
        return next((link for link in self.links if link.key == staff_tab), None)


# (menu, [(key, endpoint, label, node the link needs — None: every staff member)])
_MENUS: tuple[tuple[str, tuple[tuple[str, str, str, str | None], ...]], ...] = (
    (
        "Clients",
        (
            ("companies", "admin_companies.index", "Companies", None),
            ("people", "people.index", "People", None),
            ("approvals", "admin.approvals", "Approvals", None),
            ("feedback", "feedback_admin.index", "Feedback", None),
            ("vault", "vault.index", "Vault", "credential.fetch.many"),
        ),
    ),
    (
        "Work",
        (
            ("templates", "admin_portals.template_index", "Templates", None),
            ("pages", "admin_pages.index", "Pages", None),
            ("announcements", "announcements_admin.admin_index", "Announcements", None),
            ("onboarding", "onboarding_admin.index", "Onboarding", "onboarding.manage"),
            ("catalog", "catalog_admin.index", "Catalog", "procurement.catalog.fetch.many"),
        ),
    ),
    (
        "Money",
        (
            ("invoices", "invoices_admin.index", "Invoices", "invoice.read"),
            ("contracts", "contracts_admin.index", "Contracts", "contract.read"),
            (
                "opportunities",
                "opportunities_admin.index",
                "Opportunities",
                "sales.opportunity.fetch.many",
            ),
        ),
    ),
    (
        "Settings",
        (
            ("roles", "roles_admin.index", "Roles", "role.read"),
            ("audit", "audit.index", "Audit log", "audit.read"),
            ("webhooks", "webhooks.index", "Webhooks", "webhook.manage"),
            ("api_keys", "api_keys.index", "API keys", "api_key.manage"),
            ("outbox", "dev.outbox", "Outbox", "dev.outbox"),
        ),
    ),
)

# Links that exist outside production only (the development outbox).
_DEV_ONLY = frozenset({"outbox"})


def staff_nav(actor: Actor, *, production: bool) -> list[NavGroup]:
    """The staff menus with the links ``actor`` may open; empty menus are left out."""
    groups = []
    for title, links in _MENUS:
        shown = tuple(
            NavLink(key, endpoint, label)
            for key, endpoint, label, node in links
            if (node is None or actor.can(node)) and not (production and key in _DEV_ONLY)
        )
        if shown:
            groups.append(NavGroup(title, shown))
    return groups
