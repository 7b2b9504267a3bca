"""Where links point: ``safe_next`` (same-site redirects only) and ``base_url`` (absolute links)."""

from __future__ import annotations

from urllib.parse import urlsplit

from portal.runtime import get_runtime

DEVELOPMENT_BASE_URL = "http://127.0.0.1:8000"


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths; anything else (``//evil``, ``https://…``) is dropped."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith(("//", "/\\"))
    ):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


def base_url() -> str:
    """The site's public root URL without a trailing slash, from configuration only.

    ``STOA_BASE_URL`` (required in production); development falls back to the address
    ``make run`` serves. Never the request's Host or X-Forwarded-Host: those are the caller's
    to choose, and an emailed sign-in link built from them hands the token to whoever forged
    them.
    """
    configured = get_runtime().settings.base_url
    return (configured or DEVELOPMENT_BASE_URL).rstrip("/")
