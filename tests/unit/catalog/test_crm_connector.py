"""The upstream CRM connector: reference 004's record read, refusals and a slow CRM."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.catalog.crm import CrmClient, CrmRejected, CrmUnavailable, parse_opportunity
from tests.fakes.crm import API_KEY, FakeCrm


def test_a_record_in_reference_shape_is_read() -> None:
    record = parse_opportunity(
        {
            "id": 456,
            "name": " Network refresh ",
            "notes": None,
            "type": {"id": 3, "name": "02. Quoted"},
            "stage": {"id": 4, "name": "Negotiation"},
            "status": {"id": 6, "name": "Lost"},
            "closedFlag": True,
            "expectedCloseDate": "2026-04-15T00:00:00.000Z",
            "closedDate": "2026-04-20T09:30:00",
        },
        "456",
    )
    assert (record.crm_id, record.name, record.notes) == ("456", "Network refresh", "")
    assert (record.type_id, record.stage, record.status) == (3, "Negotiation", "lost")
    assert record.expected_close_date == date(2026, 4, 15)
    assert record.closed_at == datetime(2026, 4, 20, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "closed", "expected"),
    [
        ("Open", False, "open"),
        ("90. Won", True, "won"),
        ("No decision", True, ""),
        (None, False, "open"),
    ],
)
def test_statuses_map_to_stoas_or_none(status, closed, expected) -> None:
    body = {"name": "x", "status": {"name": status} if status else None, "closedFlag": closed}
    assert parse_opportunity(body, "1").status == expected


@pytest.mark.parametrize(
    "body", [[], "nope", {"name": ""}, {"name": "x", "expectedCloseDate": "someday"}]
)
def test_a_malformed_record_is_refused(body) -> None:
    with pytest.raises(CrmRejected):
        parse_opportunity(body, "1")


def test_a_slow_crm_is_unavailable_not_a_hang() -> None:
    with FakeCrm() as fake:
        fake.opportunities["1"] = {"name": "x"}
        fake.delay = 0.5  # the fake being slow: the client gives up after 0.1 s
        client = CrmClient(fake.url, API_KEY, timeout=(1.0, 0.1), retries=0)
        with pytest.raises(CrmUnavailable) as caught:
            client.opportunity("1")
    assert caught.value.timed_out and "did not answer" in caught.value.message
