from __future__ import annotations

import pytest

from tests.web.probe import build_path, probed_rules


@pytest.fixture
def world(probe_world):
    return probe_world


def test_every_route_argument_is_known_to_the_probe(app) -> None:
    _, unresolved = probed_rules(app)
    assert not unresolved, f"teach tests/web/probe.py these route arguments: {unresolved}"


@pytest.mark.parametrize("who", ["globex_admin", "retail_admin"])
def test_foreign_tenant_gets_404_everywhere(app, client, login, world, who) -> None:
    """Globex, and Acme's own child company, see nothing of Acme: every route answers 404."""
    login(getattr(world, who))
    rules, _ = probed_rules(app)
    assert len(rules) >= 4
    leaks = []
    for rule, method, resolvers in rules:
        path = build_path(rule, {name: fn(world) for name, fn in resolvers.items()})
        for headers in ({}, {"HX-Request": "true"}):
            resp = client.open(path, method=method, data={}, headers=headers)
            if resp.status_code != 404:
                leaks.append(f"{method} {path} {headers} -> {resp.status_code}")
    assert not leaks, "\n".join(leaks)


STAFF_ONLY = ("/admin/", "/p/<slug>/files/downloads", "/p/<slug>/files/requests")


def test_own_tenant_reaches_the_same_routes(app, client, login, world) -> None:
    """The probe is meaningful: the owner of the data gets through on GET routes."""
    rules, _ = probed_rules(app)
    for rule, method, resolvers in rules:
        if method != "GET" or rule.startswith("/api/"):
            continue
        # The staff area's "owner" is staff: clients never reach /admin/ or staff-only tabs.
        login(world.staff_admin if rule.startswith(STAFF_ONLY) else world.acme_admin)
        path = build_path(rule, {name: fn(world) for name, fn in resolvers.items()})
        resp = client.get(path)
        resp.close()  # streamed downloads hold their file open until closed
        assert resp.status_code in {200, 302}, path


@pytest.mark.parametrize("company", ["globex", "retail"])
def test_foreign_tokens_get_404_on_every_api_route(app, client, db, world, company) -> None:
    """/api/v1 probed with another company's API key (all scopes), /api/portal with the worker's
    service token speaking for another company (as its admin): 404 everywhere."""
    from services.accounts.tokens import create_api_key, create_service_token

    company_id = getattr(world, company).id
    _, key = create_api_key(db, name="probe", company_id=company_id)
    _, token = create_service_token(db, name="probe")
    rules, _ = probed_rules(app)
    api_rules = [r for r in rules if r[0].startswith("/api/")]
    assert api_rules
    leaks = []
    for rule, method, resolvers in api_rules:
        path = build_path(rule, {name: fn(world) for name, fn in resolvers.items()})
        if rule.startswith("/api/portal/"):
            headers = {
                "Authorization": f"Bearer {token}",
                "X-Portal-Company-Id": str(company_id),
                "X-Portal-User-Role": "admin",
            }
        else:
            headers = {"Authorization": f"Bearer {key}"}
        resp = client.open(path, method=method, json={}, headers=headers)
        if resp.status_code != 404:
            leaks.append(f"{method} {path} -> {resp.status_code}")
    assert not leaks, "\n".join(leaks)
