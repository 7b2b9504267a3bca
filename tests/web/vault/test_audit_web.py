"""The audit log: every staff action, secure-value read and passphrase reveal; filters by
actor, company, action and date; paging; CSV export with formula cells neutralised; PMs see
only their companies' entries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from portal.models import ActivityLog
from portal.models.base import utcnow
from services import network, vault
from services.events.audit import safe_cell
from tests.factories import actor_of
from tests.factories.network import make_site
from tests.factories.vault import make_credential, make_type

URL = "/admin/audit"


@pytest.fixture
def world(db, tenants):
    from sqlmodel import select

    from portal.models.network import NetworkWlan

    tenants.router = make_type(db, tenants.staff_admin)
    tenants.acme_cred = make_credential(db, tenants.staff_admin, tenants.acme, tenants.router)
    tenants.globex_cred = make_credential(
        db, tenants.staff_admin, tenants.globex, tenants.router, name="Globex fw"
    )
    admin = actor_of(db, tenants.staff_admin)
    vault.read_secure_value(
        session=db, actor=admin, credential_id=tenants.acme_cred.id, field_id="password"
    )
    site = make_site(db, tenants.acme, name="Acme HQ")
    wlan = db.exec(select(NetworkWlan).where(NetworkWlan.site_id == site.id)).first()
    network.reveal_passphrase(
        session=db, actor=actor_of(db, tenants.pm), site_id=site.id, wlan_id=wlan.id
    )
    old = ActivityLog(
        company_id=tenants.globex.id,
        actor_id=tenants.staff_admin.id,
        actor_label='=HYPERLINK("http://evil.test")',
        action="task_created",
        description="+cmd|' /C calc'!A0",
        created_at=utcnow() - timedelta(days=40),
    )
    db.add(old)
    db.flush()
    return tenants


def test_every_kind_of_entry_is_there_both_ways(client, login, world) -> None:
    from tests.conftest import assert_both_ways

    login(world.staff_admin)
    full, part = assert_both_ways(client, URL)
    for body in (full, part):
        assert "Secure value read" in body and "WiFi passphrase revealed" in body
        assert "Credential added" in body and "Credential type added" in body


def test_filters(client, login, world) -> None:
    login(world.staff_admin)
    body = client.get(f"{URL}?action=credential_secret_read").get_data(as_text=True)
    assert (
        "Secure value read" in body and "WiFi passphrase revealed" not in body.split("<tbody>")[1]
    )
    body = client.get(f"{URL}?actor={world.pm.id}").get_data(as_text=True)
    rows = body.split("<tbody>")[1]
    assert "WiFi passphrase revealed" in rows and "Credential added" not in rows
    body = client.get(f"{URL}?company={world.globex.id}").get_data(as_text=True)
    rows = body.split("<tbody>")[1]
    assert "Globex fw" in rows and "HQ gateway" not in rows
    since = (utcnow() - timedelta(days=1)).date().isoformat()
    rows = client.get(f"{URL}?company={world.globex.id}&since={since}").get_data(as_text=True)
    assert "HYPERLINK" not in rows.split("<tbody>")[1]
    until = (utcnow() - timedelta(days=30)).date().isoformat()
    rows = client.get(f"{URL}?until={until}").get_data(as_text=True).split("<tbody>")[1]
    assert "HYPERLINK" in rows and "Globex fw" not in rows
    # nonsense filters are ignored, never an error
    assert client.get(f"{URL}?since=notadate&actor=x&company=-1&page=zz").status_code == 200


def test_paging(client, login, db, world) -> None:
    for i in range(60):
        db.add(ActivityLog(company_id=world.acme.id, action="task_created", description=f"row {i}"))
    db.flush()
    login(world.staff_admin)
    first = client.get(URL).get_data(as_text=True)
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get(f"{URL}?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second


def test_pm_sees_only_its_companies(client, login, world) -> None:
    login(world.pm)
    rows = client.get(URL).get_data(as_text=True).split("<tbody>")[1]
    assert "HQ gateway" in rows and "Globex" not in rows and "HYPERLINK" not in rows
    assert "Credential type added" not in rows  # agency-wide entries are not a company's
    assert client.get(f"{URL}?company={world.globex.id}").status_code == 200
    csv_text = client.get(f"{URL}/export.csv").get_data(as_text=True)
    assert "Globex" not in csv_text and "HQ gateway" in csv_text


def test_clients_never_reach_it(client, login, world) -> None:
    login(world.acme_admin)
    assert client.get(URL).status_code == 404
    assert client.get(f"{URL}/export.csv").status_code == 404


def test_csv_export_neutralises_formulas(client, login, world) -> None:
    login(world.staff_admin)
    resp = client.get(f"{URL}/export.csv?company={world.globex.id}")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert rows[0] == ["time_utc", "actor", "company", "action", "what", "object", "description"]
    evil = next(r for r in rows if "HYPERLINK" in r[1])
    assert evil[1].startswith("'=") and evil[6].startswith("'+")
    assert all(r[2] in {"Globex Test", "company"} for r in rows)
    filtered = client.get(f"{URL}/export.csv?action=credential_secret_read").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(filtered)))) == 2


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        (None, ""),
    ],
)
def test_safe_cell(raw, safe) -> None:
    assert safe_cell(raw) == safe


def test_query_count_does_not_grow(client, login, db, world, count_queries) -> None:
    login(world.staff_admin)
    with count_queries() as few:
        client.get(URL)
    for i in range(30):
        db.add(ActivityLog(company_id=world.acme.id, action="task_created", description=f"r{i}"))
    db.flush()
    with count_queries() as many:
        client.get(URL)
    assert many.count == few.count
