"""The login page names the demo accounts in development only (and only once they exist)."""

from __future__ import annotations

from dataclasses import replace

from services.accounts.demo import DEMO_ACCOUNTS, demo_accounts


def test_demo_accounts_only_in_development_once_loaded(db, make_user) -> None:
    assert demo_accounts(db, env="development") == []  # no demo data: nothing to show
    make_user(email=DEMO_ACCOUNTS[0][0], staff="admin")
    assert [e for e, _ in demo_accounts(db, env="development")][:2] == [
        "admin@northwind.test",
        "pm@northwind.test",
    ]
    assert demo_accounts(db, env="production") == []
    assert demo_accounts(db, env="test") == []


def test_login_page_lists_them_in_development(client, app, db, make_user, monkeypatch) -> None:
    make_user(email="admin@northwind.test", staff="admin")
    page = client.get("/login").get_data(as_text=True)
    assert "Demo accounts" not in page  # the suite runs as "test", like production
    runtime = app.extensions["stoa_runtime"]
    monkeypatch.setattr(runtime, "settings", replace(runtime.settings, env="development"))
    page = client.get("/login").get_data(as_text=True)
    assert "Demo accounts" in page and "owner@acme.test" in page and "stoa-demo" in page
