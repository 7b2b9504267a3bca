"""Fixtures the drills share with the API tests."""

from tests.api.conftest import make_key  # noqa: F401  (a fixture)
