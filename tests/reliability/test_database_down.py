"""PostgreSQL down or frozen: pages and the API answer 503 with Retry-After (never a 500 or a
hang), /healthz stays up without touching the database, /readyz answers within two seconds."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from portal import create_app
from tests.conftest import TMP
from tests.live import free_port


def _app(url: str):
    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "down-secret",
            "STOA_ENV": "test",
            "INSTANCE_PATH": str(TMP / "down-instance"),
            "JOBS_IN_PROCESS": True,
            "REDIS_URL": "",
        }
    )


@pytest.fixture
def frozen_database() -> Iterator[int]:
    """A port that accepts connections and then never says a word (a frozen server)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    stop = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        server.close()


def test_a_database_that_refuses_connections_is_a_503_not_a_500() -> None:
    app = _app(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/stoa")
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    page = client.get("/login")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "10"
    assert "reach our database" in page.get_data(as_text=True)
    api = client.get("/api/v1/verify", headers={"Authorization": "Bearer stoa_nope"})
    assert api.status_code == 503
    assert api.get_json()["code"] == "unavailable"
    assert client.get("/readyz").status_code == 503


def test_a_frozen_database_does_not_hang_the_probes(frozen_database) -> None:
    app = _app(f"postgresql+psycopg://postgres@127.0.0.1:{frozen_database}/stoa")
    client = app.test_client()
    started = time.monotonic()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503
    assert client.get("/readyz").status_code == 503  # the first check still hangs: no new one
    assert time.monotonic() - started < 4.5
    page = client.get("/login")  # gives up after the connect timeout, with a 503
    assert page.status_code == 503
