"""A real HTTP endpoint on 127.0.0.1 that records webhook deliveries and checks signatures."""

from __future__ import annotations

import hashlib
import hmac
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    def signature_valid(self, secret: str) -> bool:
        expected = "sha256=" + hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers.get("X-Stoa-Signature", ""))


class Receiver:
    """Answers each POST with the next status of ``statuses`` (then ``default``)."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.statuses: list[int] = []
        self.default = 200
        self.delay = 0.0  # seconds each answer is held back (a slow receiver), released on exit
        self.in_flight = 0  # requests received and not yet answered
        self._lock = threading.Lock()
        self._closing = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.in_flight += 1
                if receiver.delay:
                    receiver._closing.wait(receiver.delay)
                with receiver._lock:
                    receiver.in_flight -= 1
                    receiver.requests.append(Received(dict(self.headers.items()), body))
                    status = receiver.statuses.pop(0) if receiver.statuses else receiver.default
                reply = b'{"ok":true}' if status < 300 else b"receiver says no"
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except OSError:  # the sender gave up waiting (a timeout, or it was killed)
                    self.close_connection = True

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/stoa"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def release(self) -> None:
        """Answer every held request now (and hold no more)."""
        self.delay = 0.0
        self._closing.set()

    def __exit__(self, *exc: object) -> None:
        self._closing.set()  # a held answer must not keep the server from stopping
        self.server.shutdown()
        self.server.server_close()
