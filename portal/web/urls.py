"""Where links point: ``safe_next`` (same-site redirects only) and ``base_url`` (absolute links)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request

from portal.runtime import get_runtime


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


def base_url(*, from_request: bool = False) -> str:
    """The site's root URL without a trailing slash: ``STOA_BASE_URL``, else the request's.

    ``from_request`` ignores the configuration and uses the request's host: the invitation and
    sign-in link emails still do (SPEC §4 wants configuration only; a later issue changes that).
    """
    if from_request:
        return request.host_url.rstrip("/")
    configured = get_runtime().settings.base_url
    return (configured or request.url_root).rstrip("/")
