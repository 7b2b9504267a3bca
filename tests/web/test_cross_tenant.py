from __future__ import annotations

import pytest

from tests.web.probe import build_path, probed_rules


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


def test_own_tenant_reaches_the_same_routes(app, client, login, world) -> None:
    """The probe is meaningful: the owner of the data gets through on GET routes."""
    login(world.acme_admin)
    rules, _ = probed_rules(app)
    for rule, method, resolvers in rules:
        if method != "GET" or rule.startswith("/api/"):
            continue
        path = build_path(rule, {name: fn(world) for name, fn in resolvers.items()})
        assert client.get(path).status_code in {200, 302}, path
