from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from tests.fakes.ad_platform import FakeAdPlatform


@pytest.fixture
def platform() -> Iterator[FakeAdPlatform]:
    with FakeAdPlatform() as fake:
        yield fake


@pytest.fixture
def platform_url(app, platform, monkeypatch) -> str:
    """Point the app's connectors at the fake platform server."""
    runtime = app.extensions["stoa_runtime"]
    monkeypatch.setattr(
        runtime, "settings", replace(runtime.settings, results_platform_url=platform.url)
    )
    return platform.url
