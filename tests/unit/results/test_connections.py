"""Connecting platforms: tested before saving, encrypted at rest, never shown or logged."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlmodel import select

from portal.errors import Forbidden, Invalid
from portal.models import Notification
from portal.models.results import (
    CampaignDaily,
    ConnectionCreate,
    MetricDaily,
    PlatformConnection,
)
from portal.tenancy import actor_for_user
from services import results as service
from services.demo.results_platforms import (
    DEMO_ADS_TOKEN,
    DEMO_CUSTOMER,
    DEMO_DEVELOPER_TOKEN,
    DEMO_SHOP,
    DEMO_SHOP_TOKEN,
)
from services.results.sync import sync_company
from tests.factories.results import enable_results, make_connection

SECRETS = (DEMO_SHOP_TOKEN, DEMO_ADS_TOKEN, DEMO_DEVELOPER_TOKEN)


def ads_input(token: str = DEMO_ADS_TOKEN) -> ConnectionCreate:
    return ConnectionCreate.model_validate(
        {
            "platform": "google_ads",
            "credentials": {
                "customer_id": DEMO_CUSTOMER,
                "developer_token": DEMO_DEVELOPER_TOKEN,
                "access_token": token,
            },
        }
    )


def shop_input(token: str = DEMO_SHOP_TOKEN) -> ConnectionCreate:
    return ConnectionCreate.model_validate(
        {"platform": "shopify", "credentials": {"shop": DEMO_SHOP, "access_token": token}}
    )


def test_a_connection_is_tested_encrypted_synced_and_its_pm_told(
    db, tenants, platform_url, platform, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    enable_results(db, tenants.acme)
    actor = actor_for_user(db, tenants.acme_collab)
    for data in (shop_input(), ads_input()):
        service.create_connection(session=db, actor=actor, company_id=tenants.acme.id, data=data)
    rows = db.exec(
        select(PlatformConnection).where(PlatformConnection.company_id == tenants.acme.id)
    ).all()
    assert {c.platform for c in rows} == {"shopify", "google_ads"}
    assert all(c.managed_by == "client" for c in rows)
    # the credentials are in no column in clear, and in no log line
    raw = db.execute(
        text("SELECT * FROM platform_connection WHERE company_id = :c"), {"c": tenants.acme.id}
    ).all()
    dump = repr(raw) + caplog.text
    for secret in SECRETS:
        assert secret not in dump
    assert service.credentials_of(rows[0])["access_token"] in SECRETS  # decryptable
    # the PM was notified
    notes = db.exec(select(Notification).where(Notification.user_id == tenants.pm.id)).all()
    assert any("connected" in n.title for n in notes)
    # and the sync ran (inline in tests): both tables filled, no error
    sync_company(session=db, company_id=tenants.acme.id)
    assert db.exec(select(MetricDaily.id).where(MetricDaily.metric == "revenue")).first()
    assert db.exec(select(CampaignDaily.id)).first()
    for c in rows:
        db.refresh(c)
        assert c.last_synced_at is not None and c.sync_error is None
    assert secrets_absent(caplog.text)


def secrets_absent(text_: str) -> bool:
    return not any(s in text_ for s in SECRETS)


def test_wrong_credentials_are_refused_and_nothing_is_stored(
    db, tenants, platform_url, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    enable_results(db, tenants.acme)
    actor = actor_for_user(db, tenants.acme_admin)
    with pytest.raises(Invalid, match="refused these credentials"):
        service.create_connection(
            session=db, actor=actor, company_id=tenants.acme.id, data=shop_input("shpat_wrong")
        )
    assert db.exec(select(PlatformConnection.id)).first() is None
    assert "shpat_wrong" not in caplog.text


def test_missing_credentials_are_a_validation_error() -> None:
    with pytest.raises(ValueError, match="needs access_token"):
        ConnectionCreate.model_validate({"platform": "shopify", "credentials": {"shop": "x"}})


def test_agency_managed_connections_stay_when_the_client_tries(db, tenants) -> None:
    enable_results(db, tenants.acme)
    agency = make_connection(db, tenants.acme, managed_by="agency")
    own = make_connection(db, tenants.acme, "shopify")
    client = actor_for_user(db, tenants.acme_admin)
    with pytest.raises(Forbidden, match="managed by your agency"):
        service.delete_connection(session=db, actor=client, connection_id=agency.id)
    viewer = actor_for_user(db, tenants.acme_viewer)
    with pytest.raises(Forbidden):
        service.delete_connection(session=db, actor=viewer, connection_id=own.id)
    service.delete_connection(session=db, actor=client, connection_id=own.id)
    service.delete_connection(
        session=db, actor=actor_for_user(db, tenants.staff_admin), connection_id=agency.id
    )
    assert db.exec(select(PlatformConnection.id)).first() is None


def test_a_failing_platform_is_recorded_and_the_numbers_kept(
    db, tenants, platform_url, platform
) -> None:
    enable_results(db, tenants.acme)
    connection = make_connection(db, tenants.acme, "shopify", days=5)
    before = db.exec(select(MetricDaily.id).where(MetricDaily.connection_id == connection.id)).all()
    platform.fail_next(10)
    sync_company(session=db, company_id=tenants.acme.id)
    db.refresh(connection)
    assert connection.sync_error and "failed" in connection.sync_error
    assert connection.last_attempt_at is not None and connection.last_synced_at is None
    after = db.exec(select(MetricDaily.id).where(MetricDaily.connection_id == connection.id)).all()
    assert before == after
