"""The bench's load generator against a small local server that drops idle keep-alive
connections, as gunicorn does after its 2 s ``--keep-alive``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal.bench.load import run_round


class _Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 0.2  # an idle keep-alive connection is closed after this

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        body = b"hello"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(httpd.server_address[1])
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_paced_round_survives_the_server_closing_idle_connections(server) -> None:
    """The "failed requests" of slow targets at half load: each connection waited longer than
    the server's keep-alive between requests, and the next request met a closed socket. A
    browser retries such a request on a new connection; so does the bench."""
    # one connection, a request every 0.5 s: it sits idle past the server's 0.2 s each time
    result = run_round("127.0.0.1", server, "/", connections=1, seconds=1.2, rate=2)
    assert result.errors == 0 and result.requests >= 2, (result.errors, result.requests)


class _Settling(BaseHTTPRequestHandler):
    """Sets a cookie on a request without it; with it, answers as the page cache would."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        settled = "state=settled" in (self.headers.get("Cookie") or "")
        body = b"page"
        self.send_response(200)
        if settled:
            self.send_header("X-Stoa-Cache", "hit")
        else:
            self.send_header("Set-Cookie", "state=settled; Path=/; HttpOnly")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_connection_keeps_the_cookies_it_is_given_and_counts_cached_answers() -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Settling)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        port = int(httpd.server_address[1])
        result = run_round(
            "127.0.0.1", port, "/", headers={"Cookie": "state=new"}, connections=2, seconds=0.5
        )
    finally:
        httpd.shutdown()
        httpd.server_close()
    # only each connection's first request came without the cookie the server set
    assert result.requests > 4 and result.cached == result.requests - 2


def _counting_server() -> tuple[ThreadingHTTPServer, list[str]]:
    """A server that notes the client address of each request it answers."""
    seen: list[str] = []

    class Counting(_Hello):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            seen.append(self.headers.get("X-Forwarded-For", ""))
            super().do_GET()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, seen


def test_connections_are_split_across_ports_as_a_proxy_would() -> None:
    """The scale-out round (two app processes, one database): half the connections go to each
    replica, and the round's count is the sum of what both answered."""
    (first, first_seen), (second, second_seen) = _counting_server(), _counting_server()
    ports = [int(first.server_address[1]), int(second.server_address[1])]
    try:
        result = run_round("127.0.0.1", 0, "/", ports=ports, connections=4, seconds=0.5)
    finally:
        for httpd in (first, second):
            httpd.shutdown()
            httpd.server_close()
    assert result.errors == 0 and first_seen and second_seen
    assert result.requests == len(first_seen) + len(second_seen)
    assert result.by_port == {ports[0]: len(first_seen), ports[1]: len(second_seen)}
    # connections 0 and 2 on the first port, 1 and 3 on the second: each keeps its own address
    assert set(first_seen) == {"10.77.0.1", "10.77.0.3"}
    assert set(second_seen) == {"10.77.0.2", "10.77.0.4"}
