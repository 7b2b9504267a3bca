"""A small upstream CRM for tests: opportunities by id over real HTTP with an ``X-API-KEY``
check, in reference 004's shape.

A test sets ``opportunities["456"] = {"name": ..., "stage": {"name": ...}, ...}``, can make it
fail (``fail_next``), slow (``delay``) or unreachable (``stop``).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

API_KEY = "fake-crm-key"
PREFIX = "/api/v1/opportunities/"


class FakeCrm:
    def __init__(self, api_key: str = API_KEY) -> None:
        self.api_key = api_key
        self.opportunities: dict[str, dict[str, Any]] = {}
        self.delay = 0.0
        self.failures: list[int] = []
        self.requests: list[str] = []
        self._stopped = threading.Event()
        self.server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeCrm:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if not self._stopped.is_set():
            self._stopped.set()
            self.server.shutdown()
            self.server.server_close()

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        self.failures.extend([status] * count)

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.requests.append(f"{request.method} {request.path}")
        if self.delay:
            time.sleep(self.delay)  # the fake being slow, not the test waiting
        if self.failures:
            resp = Response("upstream trouble", status=self.failures.pop(0), mimetype="text/plain")
        elif request.headers.get("X-API-KEY") != self.api_key:
            resp = self._json({"error": "unauthorized"}, 401)
        elif request.method == "GET" and request.path.startswith(PREFIX):
            crm_id = request.path[len(PREFIX) :]
            record = self.opportunities.get(crm_id)
            resp = self._json({"id": crm_id, **record}) if record else self._json({}, 404)
        else:
            resp = self._json({"error": "not found"}, 404)
        return resp(environ, start_response)

    @staticmethod
    def _json(data: Any, status: int = 200) -> Response:
        return Response(json.dumps(data), status=status, mimetype="application/json")
