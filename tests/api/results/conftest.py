from __future__ import annotations

from tests.unit.results.conftest import platform, platform_url  # noqa: F401 - fixtures
