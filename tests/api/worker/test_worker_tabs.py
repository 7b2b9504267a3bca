"""A portal tab switched off is gone from the worker API too: every /api/portal route of that
tab answers 404 ``tab_disabled`` — except the shapes reference 000 defines (results and
connections answer ``dashboard_enabled: false`` while the dashboard is off)."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from blueprints.api.portal import WORKER_TABS, worker_tab
from portal.models import ALL_TABS, Portal
from tests.api.conftest import assert_envelope, bearer


def worker(token: str, company, role: str = "admin") -> dict[str, str]:
    return bearer(token, **{"X-Portal-Company-Id": company.id, "X-Portal-User-Role": role})


def _worker_routes(app) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/portal/"):
            continue
        path = re.sub(r"<int:[a-z_]+>", "1", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((method, path))
    return sorted(routes)


def test_every_worker_route_is_declared(app) -> None:
    """A new worker route names its tab (or None: not part of any tab) in WORKER_TABS."""
    for _, path in _worker_routes(app):
        segment = path.removeprefix("/api/portal/").split("/")[0]
        assert segment in WORKER_TABS, f"{path} belongs to no declared tab"
    assert {t for t in WORKER_TABS.values() if t} <= set(ALL_TABS)


def _switch_off(db, company, tab: str) -> None:
    portal = db.exec(select(Portal).where(Portal.company_id == company.id)).one()
    portal.enabled_tabs = [t for t in ALL_TABS if t != tab]
    db.add(portal)
    db.flush()


TABS = sorted({t for t in WORKER_TABS.values() if t})


@pytest.mark.parametrize("tab", TABS)
def test_each_tab_switched_off_404s_its_routes_only(app, db, client, tenants, service_token, tab):
    _switch_off(db, tenants.acme, tab)
    headers = worker(service_token, tenants.acme)
    for method, path in _worker_routes(app):
        resp = client.open(path, method=method, headers=headers, json={})
        if worker_tab(path) == tab:
            assert_envelope(resp, 404, "tab_disabled")
            assert tab in resp.get_json()["message"].lower()
        else:
            assert resp.status_code != 404 or resp.get_json()["code"] != "tab_disabled", (
                method,
                path,
            )
    # the other companies' portals keep the tab
    method, path = next((m, p) for m, p in _worker_routes(app) if worker_tab(p) == tab)
    other = client.open(path, method=method, headers=worker(service_token, tenants.globex), json={})
    assert other.status_code != 404 or other.get_json()["code"] != "tab_disabled"


def test_results_with_the_dashboard_off_keep_reference_shape(db, client, tenants, service_token):
    portal = db.exec(select(Portal).where(Portal.company_id == tenants.acme.id)).one()
    portal.dashboard_enabled = False
    db.add(portal)
    db.flush()
    headers = worker(service_token, tenants.acme)
    for path in ("/api/portal/results", "/api/portal/connections"):
        resp = client.get(path, headers=headers)
        assert resp.status_code == 200 and resp.get_json()["dashboard_enabled"] is False


def test_a_signed_in_client_meets_the_same_gate(db, client, login, tenants) -> None:
    _switch_off(db, tenants.acme, "notes")
    login(tenants.acme_admin)
    assert_envelope(client.get("/api/portal/notes"), 404, "tab_disabled")
    assert client.get("/api/portal/projects").status_code == 200
