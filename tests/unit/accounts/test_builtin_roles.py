"""Built-in roles keep up with new default nodes on existing installs, without undoing an
admin's customisations (``update_builtin_roles``, run by ``stoa db upgrade`` and a migration)."""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlmodel import select

from portal.db import make_engine
from portal.migrations import upgrade
from portal.models import Role
from services.accounts.users import PM_NODES, PM_ROLE, update_builtin_roles
from tests.conftest import scratch_database_url

# The PM role's nodes as an install created before this session's areas had them.
LEGACY_PM = [
    "portal.read",
    "portal.write",
    "portal.manage",
    "user.invite",
    "project.*",
    "task.*",
    "file.*",
    "deliverable.*",
    "note.*",
    "invoice.read",
    "budget.*",
    "page.*",
    "network.read",
    "network.wifi.read.*",
    "obj.*",
]
NEW_SINCE = {"user.view_as", "contract.read", "credential.fetch", "audit.read"}
BEFORE = "268df6045e7d"  # the head before the built-in roles' ledger


def _customised(nodes: list[str]) -> list[str]:
    """An admin took ``user.invite`` away from PMs and gave them ``invoice.write``."""
    return [n for n in nodes if n != "user.invite"] + ["invoice.write"]


def test_an_old_pm_role_gains_the_new_defaults_and_keeps_its_customisations(db) -> None:
    role = Role(name=PM_ROLE, permissions=_customised(LEGACY_PM), default_nodes=LEGACY_PM)
    db.add(role)
    db.flush()
    added = update_builtin_roles(db)
    db.refresh(role)
    assert NEW_SINCE <= set(role.permissions)
    assert "invoice.write" in role.permissions  # the admin's addition stays
    assert "user.invite" not in role.permissions  # the admin's removal stays removed
    assert NEW_SINCE <= set(added[PM_ROLE])
    assert set(role.default_nodes or ()) == set(PM_NODES)
    # idempotent: a second run changes nothing
    assert update_builtin_roles(db) == {}
    db.refresh(role)
    assert sorted(role.permissions) == sorted(
        set(_customised(LEGACY_PM)) | set(PM_NODES) - {"user.invite"}
    )


def test_a_default_removed_after_the_update_stays_removed(db) -> None:
    role = Role(name=PM_ROLE, permissions=list(PM_NODES), default_nodes=list(PM_NODES))
    db.add(role)
    db.flush()
    role.permissions = [n for n in PM_NODES if n != "contract.read"]
    db.flush()
    assert update_builtin_roles(db) == {}
    db.refresh(role)
    assert "contract.read" not in role.permissions


def test_no_builtin_role_yet_is_left_alone(db) -> None:
    assert update_builtin_roles(db) == {}
    assert db.exec(select(Role)).all() == []


def test_db_upgrade_updates_the_builtin_roles(app, db) -> None:
    db.add(Role(name=PM_ROLE, permissions=list(LEGACY_PM), default_nodes=list(LEGACY_PM)))
    db.commit()
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "user.view_as" in result.output  # says what it added
    db.expire_all()
    role = db.exec(select(Role).where(Role.name == PM_ROLE)).one()
    assert NEW_SINCE <= set(role.permissions)


def _nodes(value: object) -> list[str]:
    return json.loads(value) if isinstance(value, str) else list(value)  # type: ignore[arg-type]


def test_the_migration_updates_an_existing_pm_role() -> None:
    url, drop = scratch_database_url("stoa_roles_mig")
    try:
        upgrade(url, BEFORE)
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO role (name, description, permissions, created_at)"
                    " VALUES (:name, '', :nodes, CURRENT_TIMESTAMP)"
                ),
                {"name": PM_ROLE, "nodes": json.dumps(_customised(LEGACY_PM))},
            )
        engine.dispose()
        upgrade(url)
        engine = make_engine(url)
        with engine.connect() as conn:
            nodes = _nodes(
                conn.execute(
                    text("SELECT permissions FROM role WHERE name = :n"), {"n": PM_ROLE}
                ).scalar_one()
            )
        engine.dispose()
        assert NEW_SINCE <= set(nodes)
        assert "invoice.write" in nodes and "user.invite" not in nodes
        from portal.migrations import downgrade

        downgrade(url, BEFORE)
        engine = make_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM role")).scalar_one() == 1
        engine.dispose()
    finally:
        drop()
