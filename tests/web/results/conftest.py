from __future__ import annotations

from tests.api.conftest import service_token  # noqa: F401 - fixtures
from tests.unit.results.conftest import platform, platform_url  # noqa: F401 - fixtures
