"""POST /api/v1/sales/opportunities/{id}/refresh against a local fake CRM (reference 004)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlmodel import col, select

from portal.models import ActivityLog
from portal.tenancy import scoped
from tests.api.conftest import assert_envelope, bearer
from tests.factories import actor_of
from tests.factories.catalog import make_opportunity
from tests.fakes.crm import API_KEY, FakeCrm

API = "/api/v1/sales"

UPSTREAM = {
    "name": "Acme HQ network refresh (phase 2)",
    "notes": "Updated notes from the CRM",
    "type": {"id": 4, "name": "03. Negotiation"},
    "stage": {"id": 4, "name": "Negotiation"},
    "status": {"id": 1, "name": "Open"},
    "closedFlag": False,
    "expectedCloseDate": "2027-04-15T00:00:00.000Z",
    "closedDate": None,
}


@pytest.fixture
def world(db, tenants):
    tenants.opp = make_opportunity(
        db,
        tenants.acme,
        "Acme network refresh",
        crm_id="456",
        notes="Kept in Stoa",
        stage="Prospect",
        type_id=2,
    )
    tenants.local_opp = make_opportunity(db, tenants.acme, "Acme desk refresh")
    tenants.globex_opp = make_opportunity(db, tenants.globex, "Globex cameras", crm_id="789")
    return tenants


@pytest.fixture
def crm(runtime, monkeypatch):
    with FakeCrm() as fake:
        monkeypatch.setattr(
            runtime, "settings", replace(runtime.settings, crm_url=fake.url, crm_key=API_KEY)
        )
        yield fake


def _refresh(client, opp, headers=None):
    return client.post(f"{API}/opportunities/{opp.id}/refresh", headers=headers)


def test_refresh_keeps_what_the_crm_owns(client, db, make_key, world, crm) -> None:
    crm.opportunities["456"] = UPSTREAM
    resp = _refresh(client, world.opp, bearer(make_key()))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    data = resp.get_json()["data"]
    assert data["name"] == "Acme HQ network refresh (phase 2)"
    assert data["notes"] == "Updated notes from the CRM"
    assert data["type"] == {"id": 4, "name": "03. Negotiation"}
    assert data["stage"]["name"] == "Negotiation" and data["status"]["id"] == "open"
    assert data["expectedCloseDate"] == "2027-04-15" and data["closedFlag"] is False
    assert data["crmOpportunityId"] == "456" and data["lastRefreshedAt"]
    assert crm.requests == ["GET /api/v1/opportunities/456"]
    db.refresh(world.opp)
    assert world.opp.expected_close_date == date(2027, 4, 15)
    row = db.exec(
        select(ActivityLog).where(
            ActivityLog.action == "opportunity_refreshed", ActivityLog.object_id == world.opp.id
        )
    ).one()
    assert row.company_id == world.acme.id
    assert "name" in row.description and "stage" in row.description
    # the agency's pipeline: Acme's own people never see that row in their activity
    client_view = scoped(select(ActivityLog), actor_of(db, world.acme_admin), ActivityLog)
    assert row.id not in db.exec(client_view.with_only_columns(col(ActivityLog.id))).all()


def test_a_won_deal_in_the_crm_closes_it_here(client, db, make_key, world, crm) -> None:
    crm.opportunities["456"] = dict(
        UPSTREAM,
        type={"id": 99, "name": "Won"},
        status={"id": 5, "name": "Won"},
        closedFlag=True,
        closedDate="2027-03-01T10:00:00Z",
    )
    data = _refresh(client, world.opp, bearer(make_key())).get_json()["data"]
    assert data["status"]["id"] == "won" and data["closedFlag"] is True
    assert data["closedDate"].startswith("2027-03-01T10:00:00")
    assert data["type"]["name"] == "90. Won"  # matched by name past the ordering prefix


def test_unreachable_or_failing_crm_is_503_and_nothing_changes(
    client, db, make_key, world, crm
) -> None:
    headers = bearer(make_key())
    crm.opportunities["456"] = UPSTREAM
    crm.fail_next(2, 502)
    body = assert_envelope(_refresh(client, world.opp, headers), 503, "crm_unavailable")
    assert "HTTP 502" in body["message"] and "not changed" in body["message"]
    crm.opportunities["456"] = {"name": ""}
    assert_envelope(_refresh(client, world.opp, headers), 503, "crm_unavailable")
    crm.stop()
    body = assert_envelope(_refresh(client, world.opp, headers), 503, "crm_unavailable")
    assert "cannot be reached" in body["message"]
    db.refresh(world.opp)
    assert (world.opp.name, world.opp.notes, world.opp.stage) == (
        "Acme network refresh",
        "Kept in Stoa",
        "Prospect",
    )
    assert world.opp.last_refreshed_at is None
    assert not db.exec(
        select(ActivityLog).where(ActivityLog.action == "opportunity_refreshed")
    ).first()


def test_unknown_upstream_and_unlinked_opportunities_are_clear_409s(
    client, make_key, world, crm
) -> None:
    headers = bearer(make_key())
    body = assert_envelope(_refresh(client, world.opp, headers), 409, "crm_unknown_opportunity")
    assert "does not know this opportunity" in body["message"]
    body = assert_envelope(_refresh(client, world.local_opp, headers), 409, "no_crm_id")
    assert "no CRM id" in body["message"]
    assert crm.requests == ["GET /api/v1/opportunities/456"]


def test_wrong_key_is_reported_as_credentials(
    client, make_key, world, runtime, monkeypatch
) -> None:
    with FakeCrm(api_key="other") as fake:
        fake.opportunities["456"] = UPSTREAM
        monkeypatch.setattr(runtime, "settings", replace(runtime.settings, crm_url=fake.url))
        body = assert_envelope(_refresh(client, world.opp, bearer(make_key())), 503)
        assert "credentials" in body["message"] and "CRM_KEY" in body["message"]


def test_not_configured_stays_409(client, make_key, world) -> None:
    body = assert_envelope(
        _refresh(client, world.opp, bearer(make_key())), 409, "upstream_not_configured"
    )
    assert "No upstream CRM" in body["message"]


def test_another_tenants_opportunity_is_404_before_the_crm_is_asked(
    client, login, make_key, world, crm
) -> None:
    crm.opportunities["789"] = dict(UPSTREAM, name="Globex renamed")
    assert_envelope(_refresh(client, world.globex_opp, bearer(make_key(world.acme))), 404)
    login(world.pm)
    assert_envelope(_refresh(client, world.globex_opp), 404)
    assert crm.requests == []
