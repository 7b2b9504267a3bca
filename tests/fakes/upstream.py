"""A scripted outside system for the connector base's tests, over real HTTP.

A test queues answers (``answer(status, body)``; a ``str`` body is sent as-is, anything else as
JSON), can make the next answers slow (``hold``: the answer waits until the fake stops or the
time passes) and reads what was asked (``requests``: method, path, headers). Without a queued
answer it says ``{"ok": true}``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

from tests.fakes.server import FakeServer


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]


class FakeUpstream(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.answers: list[tuple[int, Any, float]] = []
        self.requests: list[Seen] = []
        self._lock = threading.Lock()

    def answer(self, status: int = 200, body: Any = None, *, times: int = 1) -> None:
        with self._lock:
            self.answers.extend([(status, {"ok": True} if body is None else body, 0.0)] * times)

    def hold(self, seconds: float, *, times: int = 1) -> None:
        """The next ``times`` answers come after ``seconds`` (or when the fake stops)."""
        with self._lock:
            self.answers.extend([(200, {"ok": True}, seconds)] * times)

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        with self._lock:
            self.requests.append(Seen(request.method, request.path, dict(request.headers)))
            status, body, wait = self.answers.pop(0) if self.answers else (200, {"ok": True}, 0.0)
        if wait:
            self._stopped.wait(wait)  # the fake being slow, not the test waiting
        if isinstance(body, str):
            resp = Response(body, status=status, mimetype="text/plain")
        else:
            resp = self.json_response(body, status)
        return resp(environ, start_response)
