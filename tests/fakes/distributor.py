"""A small distributor for tests: per-SKU stock over real HTTP with an ``X-API-KEY`` check.

A test sets ``stock[sku] = {"onHand": 7, ...}``, can make it fail (``fail_next``), slow
(``delay``) or unreachable (``stop``).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

API_KEY = "fake-distributor-key"
PREFIX = "/api/v1/inventory/"


class FakeDistributor:
    def __init__(self, api_key: str = API_KEY) -> None:
        self.api_key = api_key
        self.stock: dict[str, dict[str, Any]] = {}
        self.delay = 0.0
        self.failures: list[int] = []
        self.requests: list[str] = []
        self._stopped = threading.Event()
        self.server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeDistributor:
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
            sku = request.path[len(PREFIX) :]
            record = self.stock.get(sku)
            resp = self._json({"sku": sku, **record}) if record else self._json({}, 404)
        else:
            resp = self._json({"error": "not found"}, 404)
        return resp(environ, start_response)

    @staticmethod
    def _json(data: Any, status: int = 200) -> Response:
        return Response(json.dumps(data), status=status, mimetype="application/json")
