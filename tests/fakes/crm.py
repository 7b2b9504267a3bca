"""A small upstream CRM for tests: opportunities by id over real HTTP with an ``X-API-KEY``
check, in reference 004's shape.

A test sets ``opportunities["456"] = {"name": ..., "stage": {"name": ...}, ...}``, can make it
fail (``fail_next``), slow (``delay``) or unreachable (``stop``).
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from tests.fakes.server import FakeServer

API_KEY = "fake-crm-key"
PREFIX = "/api/v1/opportunities/"


class FakeCrm(FakeServer):
    def __init__(self, api_key: str = API_KEY) -> None:
        super().__init__()
        self.api_key = api_key
        self.opportunities: dict[str, dict[str, Any]] = {}

    def respond(self, request: Request) -> Response:
        if request.headers.get("X-API-KEY") != self.api_key:
            return self.json_response({"error": "unauthorized"}, 401)
        if request.method == "GET" and request.path.startswith(PREFIX):
            crm_id = request.path[len(PREFIX) :]
            record = self.opportunities.get(crm_id)
            if record:
                return self.json_response({"id": crm_id, **record})
            return self.json_response({}, 404)
        return self.json_response({"error": "not found"}, 404)
