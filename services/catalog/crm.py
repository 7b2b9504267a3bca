"""The upstream CRM connector: a client for the sales system opportunities refresh from.

``GET /api/v1/opportunities/<id>`` answers one opportunity in reference 004's shape (the fields
the CRM owns): ``{"id", "name", "notes", "type": {"id", "name"}, "stage": {"name"},
"status": {"name"}, "closedFlag", "expectedCloseDate", "closedDate"}`` (dates as ISO strings),
authenticated by an ``X-API-KEY`` header. The transport (session, timeouts, a retry of failing
reads, one error per failure) is the shared :class:`portal.connectors.HttpConnector`; what fails
becomes a :class:`CrmError` whose message a person can read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

import requests

from portal.connectors import HttpConnector, UpstreamRejected, UpstreamUnavailable


class CrmError(Exception):
    """The CRM could not answer; ``message`` is fit to show staff (every instance is also a
    :class:`portal.connectors.UpstreamError`)."""

    message: str
    status: int | None


class CrmUnavailable(UpstreamUnavailable, CrmError):
    """Unreachable, too slow, or failing (5xx) even after a retry."""


class CrmRejected(UpstreamRejected, CrmError):
    """The CRM refused the request, does not know the opportunity, or answered nonsense."""


@dataclass(frozen=True)
class CrmOpportunity:
    """The fields of an opportunity the CRM owns (``None``: the CRM did not say)."""

    crm_id: str
    name: str
    notes: str
    type_id: int | None
    type_name: str
    stage: str
    status: str  # open / won / lost, or "" when the CRM's status maps to none of them
    closed: bool
    expected_close_date: date | None
    closed_at: datetime | None


class CrmClient(HttpConnector):
    label = "The CRM"
    unavailable_error = CrmUnavailable
    rejected_error = CrmRejected

    default_retries = 1
    default_backoff = 0.2

    def opportunity(self, crm_id: str) -> CrmOpportunity:
        """The CRM's current record of opportunity ``crm_id``."""
        body = self.get_json(f"/api/v1/opportunities/{quote(crm_id, safe='')}")
        return parse_opportunity(body, crm_id)

    def rejection(self, resp: requests.Response) -> UpstreamRejected:
        if resp.status_code in {401, 403}:
            return CrmRejected(
                "The CRM refused our credentials (check CRM_KEY).", status=resp.status_code
            )
        if resp.status_code == 404:
            return CrmRejected("The CRM does not know this opportunity.", status=404)
        return super().rejection(resp)


def _text(raw: Any) -> str:
    return raw.strip() if isinstance(raw, str) else ""


def _name_of(raw: Any) -> str:
    """A reference 004 ``{"id", "name"}`` object's name (or a bare string)."""
    if isinstance(raw, dict):
        return _text(raw.get("name"))
    return _text(raw)


def _datetime(raw: Any, field: str) -> datetime | None:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        raise CrmRejected(f"The CRM's {field} is not a date.")
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise CrmRejected(f"The CRM's {field} is not a date.") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _status(raw: Any, closed: bool) -> str:
    """Stoa's status for the CRM's one: "Won", "Lost", "Open" (also "90. Won") map; another
    name is open when the CRM does not call it closed, else none ("")."""
    words = re.findall(r"[a-z]+", _name_of(raw).lower())
    for status in ("won", "lost", "open"):
        if status in words:
            return status
    return "" if closed else "open"


def parse_opportunity(body: Any, crm_id: str) -> CrmOpportunity:
    """The CRM's record → a :class:`CrmOpportunity`; a malformed one is refused."""
    if not isinstance(body, dict):
        raise CrmRejected("The CRM's answer has no opportunity record.")
    name = _text(body.get("name"))
    if not name:
        raise CrmRejected("The CRM's opportunity has no name.")
    kind = body.get("type")
    type_id = kind.get("id") if isinstance(kind, dict) else None
    closed = body.get("closedFlag") is True
    expected = _datetime(body.get("expectedCloseDate"), "expected close date")
    return CrmOpportunity(
        crm_id=str(body.get("id") or crm_id),
        name=name[:200],
        notes=_text(body.get("notes"))[:4000],
        type_id=type_id if isinstance(type_id, int) and not isinstance(type_id, bool) else None,
        type_name=_name_of(kind),
        stage=_name_of(body.get("stage"))[:60],
        status=_status(body.get("status"), closed),
        closed=closed,
        expected_close_date=expected.date() if expected else None,
        closed_at=_datetime(body.get("closedDate"), "closed date"),
    )
