"""The permission probe as one matrix: every role × every staff-area route (GET and writes).

The expected status comes from the permission registry, not from a hand-kept table:

- a client of any role (owner/admin, collaborator, viewer): 404 — the staff area does not exist;
- the admin holds ``*``: while it is served, the nodes the route demands (every
  ``require_staff``/``staff_blueprint(node=...)`` check, recorded as they run) are that
  route's requirement, and each of them must be a registered node;
- any other staff member (the built-in PM, a custom restricted role): 403 when the role lacks
  one of those nodes, otherwise the very answer the admin got.

Every request runs in a savepoint that is rolled back, so each starts from the same world.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlmodel import select

import portal.tenancy as tenancy
from portal.models import PortalTemplate, Role, UserRole
from portal.permissions import is_known
from portal.principal import SESSION_KEY
from services.accounts.auth import open_session
from tests.web.probe import ARG_RESOLVERS, WRITE_METHODS, build_path

# a custom role beside the built-in ones: sees every portal, reads invoices, nothing else
RESTRICTED_NODES = ["portal.all", "portal.read", "invoice.read"]
STAFF = ("admin", "pm", "restricted")
CLIENTS = ("client_owner", "client_collaborator", "client_viewer")
# staff-area arguments that are the agency's, not a tenant's (ARG_RESOLVERS has the rest)
AGENCY_ARGS = {
    "type_id": lambda w: w.acme_credential.type_id,
    "template_id": lambda w: w.template.id,
}


# a query a route needs to name its object (the admin's "new contract" names the portal)
QUERIES = {"/admin/contracts/new": "?portal=acme-test"}

# Routes allowed by either of several nodes ("announce to every portal" or "manage this
# portal"; "manage portals" or "invite people"): a role holding none of them gets 403. The
# nodes are registered ones; what is written by hand here is only that they are alternatives.
ANY_OF: dict[tuple[str, str], tuple[str, ...]] = {
    ("POST", "/admin/announcements/<int:announcement_id>/delete"): (
        "announcement.create",
        "portal.manage",
    ),
    **{
        ("POST", rule): ("portal.manage", "user.invite")
        for rule in (
            "/admin/people/<int:user_id>/deactivate",
            "/admin/people/<int:user_id>/reactivate",
            "/admin/people/invitations/<int:invitation_id>/resend",
            "/admin/people/invitations/<int:invitation_id>/revoke",
        )
    },
}


@pytest.fixture
def matrix_world(db, probe_world, make_user):
    w = probe_world
    w.template = PortalTemplate(name="Matrix template", welcome_message="Hi")
    db.add(w.template)
    db.flush()
    w.restricted = make_user(staff="custom", name="Rae Restricted")
    role = Role(name="Restricted", permissions=RESTRICTED_NODES)
    db.add(role)
    db.flush()
    db.add(UserRole(user_id=w.restricted.id, role_id=role.id))
    db.flush()
    w.people = {
        "admin": w.staff_admin,
        "pm": w.pm,
        "restricted": w.restricted,
        "client_owner": w.acme_admin,
        "client_collaborator": w.acme_collab,
        "client_viewer": w.acme_viewer,
    }
    return w


def _clients(app, db, world) -> dict[str, Any]:
    out = {}
    for name, user in world.people.items():
        client = app.test_client()
        key = open_session(db, user=user)
        with client.session_transaction() as sess:
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
            sess[SESSION_KEY] = key
        out[name] = client
    return out


def _staff_rules(app, world) -> list[tuple[str, str, str]]:
    resolvers = {**ARG_RESOLVERS, **AGENCY_ARGS}
    paths = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin"):
            continue
        values = {a: resolvers[a](world) for a in rule.arguments}
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.append((rule.rule, build_path(rule.rule, values), method))
    return paths


@contextmanager
def _recording(monkeypatch) -> Iterator[list[str]]:
    """The nodes ``require_staff`` demands while the block runs (staff_blueprint(node=...)
    and the services' checks both go through it)."""
    seen: list[str] = []
    original = tenancy.staff_can

    def spy(actor, node):  # noqa: ANN001, ANN202
        seen.append(node)
        return original(actor, node)

    monkeypatch.setattr(tenancy, "staff_can", spy)
    try:
        yield seen
    finally:
        monkeypatch.setattr(tenancy, "staff_can", original)


def _grants(db, user) -> list[str]:
    return [
        n
        for r in db.exec(select(Role).join(UserRole).where(UserRole.user_id == user.id))
        for n in r.permissions
    ]


def test_every_role_on_every_staff_route(app, db, matrix_world, monkeypatch) -> None:
    world = matrix_world
    clients = _clients(app, db, world)
    grants = {name: _grants(db, world.people[name]) for name in STAFF}
    conn = db.connection()
    rows: list[str] = []
    wrong: list[str] = []

    cookie = app.config["SESSION_COOKIE_NAME"]

    def ask(who: str, path: str, method: str) -> int:
        """One request from a fresh start: the database and the browser session (view-as
        would otherwise stay on) are put back as they were."""
        client = clients[who]
        saved = client.get_cookie(cookie)
        savepoint = conn.begin_nested()
        try:
            resp = client.open(path + QUERIES.get(path, ""), method=method, data={})
            resp.close()
            return resp.status_code
        finally:
            savepoint.rollback()
            if saved is not None:
                client.set_cookie(cookie, saved.value)

    routes = _staff_rules(app, world)
    assert len(routes) > 60
    for rule, path, method in routes:
        with _recording(monkeypatch) as needed:
            admin = ask("admin", path, method)
        unknown = sorted({n for n in [*needed, *ANY_OF.get((method, rule), ())] if not is_known(n)})
        if unknown:
            wrong.append(f"{method} {path}: checks unregistered nodes {unknown}")
        if admin >= 500 or (method not in WRITE_METHODS and admin >= 400):
            wrong.append(f"{method} {path}: admin -> {admin}")
        row = {"admin": admin}
        for who in STAFF[1:]:
            lacks = [n for n in needed if not tenancy.has_node(grants[who], n)]
            alternatives = ANY_OF.get((method, rule), ())
            if alternatives and not any(tenancy.has_node(grants[who], n) for n in alternatives):
                lacks.append(" or ".join(alternatives))
            expected = 403 if lacks else admin
            row[who] = got = ask(who, path, method)
            if got != expected:
                wrong.append(
                    f"{method} {path}: {who} -> {got}, expected {expected} (lacks {lacks})"
                )
        for who in CLIENTS:
            row[who] = got = ask(who, path, method)
            if got != 404:
                wrong.append(f"{method} {path}: {who} -> {got}, expected 404")
        rows.append(f"{method:6} {path:60} " + " ".join(f"{row[w]:3}" for w in (*STAFF, *CLIENTS)))
    header = f"{'':6} {'route':60} " + " ".join(w[:3] for w in (*STAFF, *CLIENTS))
    assert not wrong, "\n".join(wrong) + "\n\n" + header + "\n" + "\n".join(rows)
