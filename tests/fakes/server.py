"""The shape every small fake HTTP server here shares: a werkzeug server on 127.0.0.1 (a free
port unless one is given) in a daemon thread, used as a context manager.

A test can make it slow (``delay``: the fake sleeping, not the test waiting), fail
(``fail_next``: the next answers are these statuses, as plain text) or unreachable (``stop``),
and read what it was asked (``requests``). A subclass answers in :meth:`respond`.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Self

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


class FakeServer:
    def __init__(self, port: int = 0) -> None:
        self.delay = 0.0
        self.failures: list[int] = []  # statuses to answer next, one per request
        self.requests: list[Any] = []
        self._stopped = threading.Event()
        self.server = make_server("127.0.0.1", port, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Shut the server down: later requests find nobody listening."""
        if not self._stopped.is_set():
            self._stopped.set()
            if self.thread.is_alive():
                self.server.shutdown()
            self.server.server_close()

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        self.failures.extend([status] * count)

    def record(self, request: Request) -> None:
        self.requests.append(f"{request.method} {request.path}")

    def respond(self, request: Request) -> Response:
        raise NotImplementedError

    @staticmethod
    def json_response(
        data: Any, status: int = 200, headers: dict[str, str] | None = None
    ) -> Response:
        return Response(
            json.dumps(data), status=status, mimetype="application/json", headers=headers
        )

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.record(request)
        if self.delay:
            time.sleep(self.delay)  # the fake being slow, not the test waiting
        if self.failures:
            resp = Response("upstream trouble", status=self.failures.pop(0), mimetype="text/plain")
        else:
            resp = self.respond(request)
        return resp(environ, start_response)
