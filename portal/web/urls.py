"""Where links point: ``safe_next`` (same-site redirects only) and ``base_url`` (absolute links)."""

from __future__ import annotations

from typing import Any
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


# A number no route sees: ``id_url`` builds the URL once with it, then splices each real id in.
_ID_SENTINEL = 918273645


class IdUrl:
    """``url_for(endpoint, **{key: id}, **values)`` for many ids, with one ``url_for`` in all.

    A list of 100 cards with three links each called ``url_for`` 300 times (a third of the
    kanban's rendering). The URL of one object differs from another's only in its id, so it is
    built once with a sentinel id and each card's URL is string concatenation.
    """

    __slots__ = ("_head", "_tail")

    def __init__(self, endpoint: str, key: str, **values: Any) -> None:
        from flask import url_for

        built = url_for(endpoint, **{**values, key: _ID_SENTINEL})
        head, found, tail = built.partition(str(_ID_SENTINEL))
        if not found or str(_ID_SENTINEL) in tail:
            raise ValueError(f"{endpoint}: {key} does not appear once in {built}")
        self._head, self._tail = head, tail

    def __call__(self, object_id: int) -> str:
        return f"{self._head}{int(object_id)}{self._tail}"


def id_url(endpoint: str, key: str, **values: Any) -> IdUrl:
    """Template global: ``{% set task_url = id_url('tasks.task', 'task_id') %}`` then
    ``task_url(t.id)`` per row."""
    return IdUrl(endpoint, key, **values)
