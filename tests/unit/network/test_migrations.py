"""The network migrations up and down, keeping existing companies and portals."""

from __future__ import annotations

import json

from sqlalchemy import inspect, text

from portal.db import make_engine
from portal.migrations import downgrade, upgrade
from tests.conftest import scratch_database_url

BEFORE_NETWORK = "e7a1c2d4b5f6"


def test_network_migrations_upgrade_and_downgrade_keep_portals() -> None:
    url, drop = scratch_database_url("stoa_netmig")
    try:
        upgrade(url, BEFORE_NETWORK)
        engine = make_engine(url)
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
                    " allowed_file_types) SELECT id, 'Old', 'old', 'active', true, '[]',"
                    " 'dashboard', false, CURRENT_TIMESTAMP, 2048, '[]' FROM company"
                )
            )
        engine.dispose()
        upgrade(url)
        engine = make_engine(url)
        assert {"network_site", "network_device", "network_wlan"} <= set(
            inspect(engine).get_table_names()
        )
        with engine.connect() as conn:
            nodes = conn.execute(text("SELECT client_nodes FROM company")).scalar_one()
            assert conn.execute(text("SELECT count(*) FROM portal")).scalar_one() == 1
        assert (json.loads(nodes) if isinstance(nodes, str) else nodes) == {}
        engine.dispose()
        downgrade(url, BEFORE_NETWORK)
        engine = make_engine(url)
        tables = set(inspect(engine).get_table_names())
        assert not tables & {"network_site", "network_device", "network_wlan"}
        assert "client_nodes" not in {c["name"] for c in inspect(engine).get_columns("company")}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM portal")).scalar_one() == 1
        engine.dispose()
    finally:
        drop()
