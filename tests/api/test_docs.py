"""/api/openapi.json and /api/docs are public, CSP-clean and list every operation."""

from __future__ import annotations


def test_openapi_json_is_public_json(client) -> None:
    resp = client.get("/api/openapi.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    doc = resp.get_json()
    assert doc["info"]["title"] == "Stoa API"
    assert {"bearerAuth", "apiKeyHeader", "session"} <= set(doc["components"]["securitySchemes"])


def test_docs_page_lists_every_operation_without_inline_script(client) -> None:
    doc = client.get("/api/openapi.json").get_json()
    resp = client.get("/api/docs")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    for path, item in doc["paths"].items():
        for op in item.values():
            assert f'id="{op["operationId"]}"' in html, path
    assert "<script>" not in html and "onclick" not in html and 'style="' not in html
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    assert "cdn" not in html.lower()
    assert 'id="schema-PortalOut"' in html


def test_docs_page_as_htmx_fragment(client) -> None:
    from tests.conftest import assert_both_ways

    full, part = assert_both_ways(client, "/api/docs")
    assert "Authentication" in part
