"""One icon mechanism: SVGs vendored from npm (``lucide-static``, ISC licence) by ``make vendor``
into ``static/vendor/lucide-static/`` and drawn inline by the ``icon()`` template global.

Inline, so an icon inherits ``currentColor``, costs no request and needs no CSP exception. Each
file is read once per process (``functools.cache``), never per request. Decorative by default
(``aria-hidden``); pass ``label`` for an icon that carries meaning on its own (``role="img"``).
Unicode glyphs are not icons: a font without them shows a box.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from markupsafe import Markup, escape

from portal.config import PROJECT_ROOT

ICON_DIR = Path(PROJECT_ROOT) / "static" / "vendor" / "lucide-static"
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@functools.cache
def icon_body(name: str) -> str:
    """The shapes inside the vendored ``<svg>`` (whitespace collapsed); an unknown name raises."""
    if not _NAME.match(name):
        raise ValueError(f"not an icon name: {name!r}")
    text = (ICON_DIR / f"{name}.svg").read_text(encoding="utf-8")
    start = text.index(">", text.index("<svg")) + 1
    return " ".join(text[start : text.rindex("</svg>")].split())


def icon(name: str, cls: str = "icon", label: str | None = None) -> Markup:
    """``<svg>`` for the vendored icon ``name``; ``cls`` sizes it (CSS, ``1em`` by default)."""
    hidden = 'aria-hidden="true" focusable="false"'
    a11y = f'role="img" aria-label="{escape(label)}"' if label else hidden
    return Markup(
        f'<svg class="{escape(cls)}" viewBox="0 0 24 24" width="24" height="24" fill="none"'
        ' stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" '
        f"{a11y}>{icon_body(name)}</svg>"
    )
