from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.network_controller import API_KEY, FakeController


@pytest.fixture
def controller() -> Iterator[FakeController]:
    with FakeController() as fake:
        yield fake


@pytest.fixture
def connector(controller):
    from services.network.connector import ControllerClient

    return ControllerClient(controller.url, API_KEY, timeout=(1.0, 1.0), retries=2, backoff=0)
