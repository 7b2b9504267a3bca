from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from tests.fakes.ad_platform import FakeAdPlatform
from tests.fakes.chat_model import FakeChatModel, point_llm_at


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


@pytest.fixture
def chat_model() -> Iterator[FakeChatModel]:
    with FakeChatModel() as fake:
        yield fake


@pytest.fixture
def ask_llm(app, chat_model, monkeypatch) -> FakeChatModel:
    """Configure Ask's model (``ASK_LLM_*``) to the fake chat model, with a short timeout."""
    point_llm_at(app, monkeypatch, chat_model)
    return chat_model
