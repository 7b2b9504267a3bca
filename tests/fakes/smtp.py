"""A tiny SMTP server for tests: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT — no TLS, no auth.

It can be started and stopped on the same port (an SMTP server going down and coming back),
and records each message with its ``X-Stoa-Outbox-Id`` so a test can check every email
arrived exactly once.
"""

from __future__ import annotations

import socketserver
import threading
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage

from tests.live import free_port


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True  # the same port again after a stop
    daemon_threads = True


class FakeSmtp:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()  # recipients answered with 550
        self._lock = threading.Lock()
        self._server: socketserver.ThreadingTCPServer | None = None

    @property
    def outbox_ids(self) -> Counter:
        with self._lock:
            return Counter(str(m["X-Stoa-Outbox-Id"]) for m in self.messages)

    def _record(self, data: bytes) -> None:
        msg = message_from_bytes(data, policy=policy.default)
        with self._lock:
            self.messages.append(msg)  # type: ignore[arg-type]

    def start(self) -> FakeSmtp:
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self) -> None:
                self.reply("220 fake-smtp ready")
                while True:
                    raw = self.rfile.readline()
                    if not raw:
                        return
                    verb = raw.decode(errors="replace").strip().split(" ", 1)[0].upper()
                    if verb == "EHLO":
                        self.reply("250-fake-smtp")
                        self.reply("250 8BITMIME")
                    elif verb == "RCPT" and any(a in raw.decode().lower() for a in fake.refuse):
                        self.reply("550 no such user")
                    elif verb in {"HELO", "MAIL", "RCPT", "RSET", "NOOP"}:
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 end with <CRLF>.<CRLF>")
                        lines = []
                        while (line := self.rfile.readline()) not in (b".\r\n", b""):
                            lines.append(line[1:] if line.startswith(b"..") else line)
                        fake._record(b"".join(lines))
                        self.reply("250 queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("502 not implemented")

        self._server = _Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSmtp:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
