from __future__ import annotations

import json

import pytest
from sqlalchemy import inspect, text
from sqlmodel import select

from portal.db import make_engine
from portal.migrations import downgrade, upgrade
from portal.models import ApiKey, Company, Portal, ServiceToken, User
from portal.principal import digest, find_api_key
from tests.conftest import scratch_database_url


def test_demo_is_idempotent_and_complete(app, db) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and "Demo data loaded." in first.output
    counts = (len(db.exec(select(User)).all()), len(db.exec(select(Company)).all()))
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "nothing added" in second.output
    assert (len(db.exec(select(User)).all()), len(db.exec(select(Company)).all())) == counts
    emails = set(db.exec(select(User.email)).all())
    assert {
        "admin@northwind.test",
        "pm@northwind.test",
        "owner@acme.test",
        "dev@acme.test",
        "viewer@acme.test",
        "buyer@acme-retail.test",
        "owner@globex.test",
    } <= emails
    retail = db.exec(select(Company).where(Company.slug == "acme-retail")).one()
    acme = db.exec(select(Company).where(Company.slug == "acme")).one()
    assert retail.parent_id == acme.id
    assert {p.slug for p in db.exec(select(Portal)).all()} >= {"acme", "acme-retail", "globex"}


@pytest.mark.parametrize("company", [None, "acme"])
def test_api_key_create_prints_the_secret_last(app, db, company) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["demo"])
    args = ["api-key", "create", "--name", "Zapier"] + (["--company", company] if company else [])
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("stoa_") and " " not in secret
    key = find_api_key(db, secret)
    assert key is not None and key.key_hash == digest(secret)
    assert secret not in {
        k.key_hash for k in db.exec(select(ApiKey)).all()
    }  # only the hash is kept
    assert (key.company_id is None) == (company is None)


def test_api_key_bad_input(app, db) -> None:
    runner = app.test_cli_runner()
    assert (
        runner.invoke(args=["api-key", "create", "--name", "x", "--company", "nope"]).exit_code != 0
    )
    bad = runner.invoke(args=["api-key", "create", "--name", "x", "--scopes", "root:all"])
    assert bad.exit_code != 0 and "Traceback" not in bad.output


def test_service_token_create(app, db) -> None:
    result = app.test_cli_runner().invoke(args=["service-token", "create", "--name", "worker"])
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("stoa_svc_")
    assert db.exec(select(ServiceToken).where(ServiceToken.token_hash == digest(secret))).one()


def test_create_admin(app, db) -> None:
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["create-admin", "boss@example.test", "--password", "a-long-password"])
    assert ok.exit_code == 0, ok.output
    user = db.exec(select(User).where(User.email == "boss@example.test")).one()
    assert user.is_staff
    weak = runner.invoke(args=["create-admin", "weak@example.test", "--password", "short"])
    assert weak.exit_code != 0 and "at least 10" in weak.output


def test_migrations_upgrade_and_downgrade() -> None:
    url, drop = scratch_database_url("stoa_mig")
    try:
        upgrade(url)
        engine = make_engine(url)
        assert {"user", "company", "portal", "activitylog", "apikey"} <= set(
            inspect(engine).get_table_names()
        )
        engine.dispose()
        downgrade(url, "base")
        engine = make_engine(url)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        engine.dispose()
        upgrade(url)
    finally:
        drop()


def test_existing_portals_get_the_projects_and_pages_tabs() -> None:
    url, drop = scratch_database_url("stoa_tabs")
    try:
        upgrade(url, "4550f3ab6d9f")
        engine = make_engine(url)
        old_tabs = '["dashboard", "tasks", "files", "team", "settings"]'
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO company (name, slug, created_at)"
                    " VALUES ('Old', 'old', CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO portal (company_id, title, slug, status, allow_uploads,"
                    " enabled_tabs, landing_tab, dashboard_enabled, created_at, max_upload_mb,"
                    " allowed_file_types) SELECT id, 'Old', 'old', 'active', true, :tabs,"
                    " 'dashboard', false, CURRENT_TIMESTAMP, 2048, '[]' FROM company"
                    " WHERE slug = 'old'"
                ),
                {"tabs": old_tabs},
            )
        engine.dispose()
        upgrade(url)
        engine = make_engine(url)
        with engine.connect() as conn:
            tabs = conn.execute(
                text("SELECT enabled_tabs FROM portal WHERE slug = 'old'")
            ).scalar_one()
        engine.dispose()
        tabs = json.loads(tabs) if isinstance(tabs, str) else tabs
        assert tabs == ["dashboard", "projects", "tasks", "files", "pages", "team", "settings"]
    finally:
        drop()


def test_outbox_migration_redacts_sent_links_and_round_trips() -> None:
    url, drop = scratch_database_url("stoa_outbox_mig")
    try:
        upgrade(url, "425d9ee6606c")
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO emailoutbox (to_email, subject, body_text, status, attempts,"
                    " created_at) VALUES ('a@x.test', 's', :sent, 'sent', 1, CURRENT_TIMESTAMP),"
                    " ('b@x.test', 's', :queued, 'queued', 0, CURRENT_TIMESTAMP)"
                ).bindparams(
                    sent="Join: https://p.test/invite/abcDEF123-_x\n",
                    queued="Sign in: https://p.test/magic/tok123\n",
                )
            )
        engine.dispose()
        upgrade(url)
        engine = make_engine(url)
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT status, body_text, next_attempt_at FROM emailoutbox ORDER BY id")
            ).all()
        assert rows[0][1] == "Join: https://p.test/invite/[redacted]\n"
        assert rows[1][1] == "Sign in: https://p.test/magic/tok123\n"  # not sent yet: kept
        assert rows[1][2] is not None  # a queued row is due for the sweep
        columns = {c["name"] for c in inspect(engine).get_columns("webhookdelivery")}
        assert "lease_until" in columns and "response_excerpt" not in columns
        engine.dispose()
        downgrade(url, "425d9ee6606c")
        engine = make_engine(url)
        columns = {c["name"] for c in inspect(engine).get_columns("emailoutbox")}
        assert "lease_until" not in columns and "next_attempt_at" not in columns
        assert "email_id" not in {c["name"] for c in inspect(engine).get_columns("invitation")}
        engine.dispose()
        upgrade(url)
    finally:
        drop()
