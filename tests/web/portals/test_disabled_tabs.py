"""A tab switched off is gone, not only hidden: every route of it is 404, for everyone."""

from __future__ import annotations

from sqlmodel import select

from blueprints._portal import BLUEPRINT_TABS
from portal.models import Portal
from services.portals.settings import SWITCHABLE_TABS
from tests.web.probe import ARG_RESOLVERS, build_path


def _portal(db, company) -> Portal:
    return db.exec(select(Portal).where(Portal.company_id == company.id)).one()


def _tab_rules(app, tab: str) -> list[tuple[str, str]]:
    """(rule, method) of every route of the tab's blueprints — its own and the pages that are
    sections of it, like Invoices' budgets, contracts and proposals (the portal home excepted)."""
    return [
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if BLUEPRINT_TABS.get(rule.endpoint.split(".", 1)[0]) == tab
        and rule.endpoint != "dashboard.portal_home"
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]


def test_every_route_of_a_switched_off_tab_is_404(app, db, client, login, probe_world) -> None:
    """Each switchable tab off in turn: each of its routes (real Acme objects in the path, every
    method) is 404 for Acme's admin and for a staff admin; the portal's home avoids it."""
    world = probe_world
    portal = _portal(db, world.acme)
    failures = []
    for tab in SWITCHABLE_TABS:
        portal.enabled_tabs = [t for t in SWITCHABLE_TABS if t != tab]
        portal.dashboard_enabled = True
        portal.landing_tab = "tasks" if tab != "tasks" else "files"
        db.add(portal)
        db.commit()
        rules = _tab_rules(app, tab)
        assert rules, f"no routes found for the {tab} tab"
        for who in (world.acme_admin, world.staff_admin):
            login(who)
            for rule, method in rules:
                values = {
                    a: fn(world)
                    for a, fn in ARG_RESOLVERS.items()
                    if f":{a}>" in rule or f"<{a}>" in rule
                }
                path = build_path(rule, values)
                resp = client.open(path, method=method, data={})
                resp.close()
                if resp.status_code != 404:
                    failures.append(f"{tab} off: {who.email} {method} {path} -> {resp.status_code}")
            home = client.get(f"/p/{portal.slug}/")
            location = home.headers.get("Location", "")
            if home.status_code != 302 or location.endswith(f"/{tab}"):
                failures.append(f"{tab} off: home -> {home.status_code} {location}")
    assert not failures, "\n".join(failures)


def test_billing_sections_belong_to_invoices(app) -> None:
    rules = {rule for rule, _ in _tab_rules(app, "invoices")}
    for section in ("budgets", "contracts", "proposals"):
        assert any(f"/invoices/{section}" in r or f"/{section}" in r for r in rules), section


def test_a_switched_on_tab_answers(db, client, login, tenants) -> None:
    portal = _portal(db, tenants.acme)
    portal.enabled_tabs = ["tasks", "tools"]
    portal.landing_tab = "tasks"
    db.add(portal)
    db.commit()
    login(tenants.acme_admin)
    assert client.get(f"/p/{portal.slug}/tasks").status_code == 200
    assert client.get(f"/p/{portal.slug}/tools").status_code == 200
    assert client.get(f"/p/{portal.slug}/settings").status_code == 200  # never switched off
    assert client.get(f"/p/{portal.slug}/files").status_code == 404
