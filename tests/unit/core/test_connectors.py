"""The connector base (portal.connectors) against a real local HTTP server: timeouts, bounded
retries of idempotent calls, 5xx, refusals, bad JSON, and one error family for every area."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from portal.connectors import HttpConnector, UpstreamError, UpstreamRejected, UpstreamUnavailable
from tests.fakes.upstream import FakeUpstream


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    with FakeUpstream() as fake:
        yield fake


def client(url: str, **kwargs) -> tuple[HttpConnector, list[float]]:
    pauses: list[float] = []
    kwargs.setdefault("timeout", (1.0, 2.0))
    conn = HttpConnector(
        url,
        label="The platform",
        headers={"X-API-KEY": "sekrit-key"},
        sleep=pauses.append,
        **kwargs,
    )
    return conn, pauses


def test_a_call_sends_the_headers_and_reads_json(upstream) -> None:
    upstream.answer(200, {"items": [1, 2]})
    conn, _ = client(upstream.url + "/")
    assert conn.get_json("/v1/items") == {"items": [1, 2]}
    seen = upstream.requests[0]
    assert seen.path == "/v1/items" and seen.headers["X-Api-Key"] == "sekrit-key"
    assert seen.headers["Accept"] == "application/json"
    assert "sekrit" not in repr(conn)


def test_a_failing_read_is_retried_with_growing_pauses(upstream) -> None:
    upstream.answer(503, "busy", times=2)
    conn, pauses = client(upstream.url, retries=2, backoff=0.5)
    assert conn.get_json("/v1/items") == {"ok": True}
    assert len(upstream.requests) == 3
    assert pauses == [0.5, 1.0]


def test_retries_are_bounded_and_end_in_one_unavailable_error(upstream) -> None:
    upstream.answer(502, "bad gateway", times=5)
    conn, pauses = client(upstream.url, retries=2)
    with pytest.raises(UpstreamUnavailable, match=r"The platform failed \(HTTP 502\)") as err:
        conn.request("GET", "/v1/items")
    assert err.value.status == 502 and len(upstream.requests) == 3 and len(pauses) == 2


def test_a_creation_is_never_sent_twice(upstream) -> None:
    upstream.answer(500, "oops", times=3)
    conn, _ = client(upstream.url, retries=2)
    with pytest.raises(UpstreamUnavailable):
        conn.request("POST", "/v1/items", json={"name": "x"})
    assert [r.method for r in upstream.requests] == ["POST"]
    # a read sent by POST (a search) may say so and is retried
    conn.request("POST", "/v1/search", idempotent=True, json={"q": "x"})
    assert len(upstream.requests) == 4


def test_a_slow_answer_times_out_and_says_so(upstream) -> None:
    upstream.hold(5.0, times=2)
    conn, _ = client(upstream.url, timeout=(1.0, 0.1), retries=1)
    with pytest.raises(UpstreamUnavailable, match="did not answer within 0.1 seconds"):
        conn.request("GET", "/v1/items")
    assert len(upstream.requests) == 2


def test_an_unreachable_system_says_so() -> None:
    fake = FakeUpstream()
    url = fake.url
    fake.stop()
    conn, _ = client(url, retries=1)
    with pytest.raises(UpstreamUnavailable, match="The platform cannot be reached"):
        conn.request("GET", "/v1/items")


def test_refusals_are_not_retried(upstream) -> None:
    upstream.answer(404, {"error": "nope"})
    upstream.answer(401, {"error": "who"})
    upstream.answer(422, {"error": "bad"})
    conn, _ = client(upstream.url, retries=2)
    with pytest.raises(UpstreamRejected, match="does not know") as err:
        conn.request("GET", "/v1/items/9")
    assert err.value.status == 404
    with pytest.raises(UpstreamRejected, match="refused our credentials"):
        conn.request("GET", "/v1/items")
    with pytest.raises(UpstreamRejected, match=r"refused the request \(HTTP 422\)"):
        conn.request("PUT", "/v1/items/1", json={})
    assert len(upstream.requests) == 3


def test_an_answer_that_is_not_json_is_refused(upstream) -> None:
    upstream.answer(200, "<html>maintenance</html>")
    conn, _ = client(upstream.url)
    with pytest.raises(UpstreamRejected, match="not JSON"):
        conn.get_json("/v1/items")


def test_a_link_to_another_address_is_not_followed(upstream) -> None:
    conn, _ = client(upstream.url)
    with pytest.raises(UpstreamRejected, match="another address"):
        conn.request("GET", "http://169.254.169.254/latest/meta-data")
    conn.request("GET", upstream.url + "/v1/items?page=2")  # the same origin is fine
    assert [r.path for r in upstream.requests] == ["/v1/items"]


def test_every_area_connector_fails_with_the_base_errors(upstream) -> None:
    from services.catalog.distributor import DistributorClient, DistributorError
    from services.network.connector import ControllerClient, ControllerError
    from services.results.connectors import PlatformError, ShopifyConnector

    upstream.answer(503, "down", times=3)
    with pytest.raises(UpstreamUnavailable) as err:
        ControllerClient(upstream.url, "k", retries=0).sites()
    assert isinstance(err.value, ControllerError)
    with pytest.raises(UpstreamUnavailable) as err:
        DistributorClient(upstream.url, "k", retries=0).stock("SKU-1")
    assert isinstance(err.value, DistributorError)
    shop = ShopifyConnector(upstream.url, shop="s", access_token="t")
    shop.http.retries = 0
    with pytest.raises(UpstreamUnavailable) as err:
        shop.account()
    assert isinstance(err.value, PlatformError) and isinstance(err.value, UpstreamError)
