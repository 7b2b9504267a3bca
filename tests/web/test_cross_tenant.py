from __future__ import annotations

import pytest

from tests.api.conftest import bearer
from tests.web.probe import build_path, probe, probed_rules


@pytest.fixture
def world(probe_world):
    return probe_world


def test_every_route_argument_is_known_to_the_probe(app) -> None:
    _, unresolved = probed_rules(app)
    assert not unresolved, f"teach tests/web/probe.py these route arguments: {unresolved}"


FOREIGN_PEOPLE = ["globex_viewer", "globex_collab", "globex_admin", "retail_admin", "globex_pm"]


@pytest.mark.parametrize("who", FOREIGN_PEOPLE)
def test_foreign_people_learn_nothing_anywhere(app, client, login, world, who) -> None:
    """Globex's people of every role, the admin of Acme's own child company, and a project
    manager of another portal, signed in, on every route (HTML and API, with and without
    HTMX): 404, or the very answer an unknown id gets — never a success or redirect."""
    login(getattr(world, who))
    rules, _ = probed_rules(app)
    assert len(rules) >= 4
    variants = [{"data": {}}, {"data": {}, "headers": {"HX-Request": "true"}}]
    leaks = probe(client, rules, world, variants)
    assert not leaks, "\n".join(leaks)


@pytest.mark.parametrize("who", ["acme_viewer", "pm"])
def test_the_probe_sees_access_where_there_is_some(app, client, login, world, who) -> None:
    """The control: Acme's own viewer and Acme's project manager are reported by the probe."""
    login(getattr(world, who))
    rules, _ = probed_rules(app)
    gets = [r for r in rules if r[1] == "GET" and not r[0].startswith("/api/")]
    assert len(probe(client, gets, world, [{}])) > len(gets) // 3


STAFF_ONLY = (
    "/admin/",
    "/p/<slug>/files/downloads",
    "/p/<slug>/files/requests",
    "/p/<slug>/feedback/moderation",
)


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
def test_a_foreign_company_api_key_learns_nothing(app, client, db, world, company) -> None:
    """/api/v1 probed with another company's API key (all scopes): 404 everywhere."""
    from services.accounts.tokens import create_api_key

    _, key = create_api_key(db, name="probe", company_id=getattr(world, company).id)
    rules, _ = probed_rules(app)
    api_rules = [r for r in rules if r[0].startswith("/api/v1/")]
    assert api_rules
    leaks = probe(client, api_rules, world, [{"json": {}, "headers": bearer(key)}])
    assert not leaks, "\n".join(leaks)
    _, own = create_api_key(db, name="control", company_id=world.acme.id)
    gets = [r for r in api_rules if r[1] == "GET"]
    assert probe(client, gets, world, [{"headers": bearer(own)}]), "the control sees Acme"


@pytest.mark.parametrize("role", ["viewer", "collaborator", "admin"])
@pytest.mark.parametrize("company", ["globex", "retail"])
def test_the_portal_worker_for_a_foreign_company_learns_nothing(
    app, client, db, world, company, role
) -> None:
    """/api/portal with the worker's service token speaking for another company, as each role
    (with and without naming one of its users): 404 everywhere."""
    from services.accounts.tokens import create_service_token

    foreign = getattr(world, company)
    person = {"viewer": "globex_viewer", "collaborator": "globex_collab", "admin": "globex_admin"}
    as_company = bearer(
        create_service_token(db, name="probe")[1],
        **{"X-Portal-Company-Id": foreign.id, "X-Portal-User-Role": role},
    )
    variants = [{"json": {}, "headers": as_company}]
    if company == "globex":
        user_id = getattr(world, person[role]).id
        variants.append({"json": {}, "headers": {**as_company, "X-Portal-User-Id": str(user_id)}})
    rules, _ = probed_rules(app)
    api_rules = [r for r in rules if r[0].startswith("/api/portal/")]
    assert api_rules
    leaks = probe(client, api_rules, world, variants)
    assert not leaks, "\n".join(leaks)
    own = {**as_company, "X-Portal-Company-Id": str(world.acme.id)}
    gets = [r for r in api_rules if r[1] == "GET"]
    assert probe(client, gets, world, [{"headers": own}]), "the control sees Acme"
