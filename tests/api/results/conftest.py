from __future__ import annotations

from tests.unit.results.conftest import (  # noqa: F401 - fixtures
    ask_llm,
    chat_model,
    platform,
    platform_url,
)
