"""One parser for integers from the outside world (query strings, form fields, JSON ids).

Only ASCII digits count (``"²"`` and ``"١"`` are not numbers here), and only values a database
id column can hold: anything else is ``None`` (or the default), never an exception.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from werkzeug.routing import IntegerConverter, UnicodeConverter

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER; also the bound the API schemas publish


def is_digits(text: str) -> bool:
    """``text`` is one or more ASCII digits (``str.isdigit`` also takes "²" and "١")."""
    return bool(text) and text.isascii() and text.isdigit()


def parse_int(
    raw: Any, *, default: int | None = None, minimum: int = 0, maximum: int = MAX_ID
) -> int | None:
    """``raw`` as an int within ``minimum…maximum``, else ``default``."""
    if isinstance(raw, bool):
        return default
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw if raw is not None else "").strip()
        if not is_digits(text) or len(text) > 12:
            return default
        value = int(text)
    return value if minimum <= value <= maximum else default


def arg_int(
    args: Mapping[str, Any], name: str, *, default: int | None = None, minimum: int = 0
) -> int | None:
    """An integer query/form argument, or ``default`` when absent or malformed."""
    return parse_int(args.get(name), default=default, minimum=minimum)


def page_arg(args: Mapping[str, Any], name: str = "page") -> int:
    """The 1-based page number of a listing (1 when absent or malformed)."""
    return parse_int(args.get(name), default=1, minimum=1) or 1


def id_list(raw: str | Iterable[Any]) -> list[int]:
    """Comma-separated (or iterable) ids, malformed entries dropped, order kept."""
    parts = raw.split(",") if isinstance(raw, str) else raw
    return [v for v in (parse_int(p, minimum=1) for p in parts) if v is not None]


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: ASCII digits naming a possible row, else no match (404).

    Werkzeug's own converter takes any Unicode digit ("١" is 1) and any size, which reached
    PostgreSQL as an out-of-range integer (a 500).
    """

    regex = r"[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        # Beyond the id column's range no row can exist: 0 names none, so the lookup answers
        # 404. (Refusing the match instead made Werkzeug answer 405 for POST when the same
        # path also had a GET rule, naming the other method.)
        number = int(value)
        return number if number <= MAX_ID else 0


class TextConverter(UnicodeConverter):
    """``<slug>``, ``<token>``, ``<upload_id>``…: a path segment without NUL characters.

    Nothing is named with a NUL; PostgreSQL cannot even compare one (a 500 when it was looked up).
    """

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 (werkzeug's name)
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]")
