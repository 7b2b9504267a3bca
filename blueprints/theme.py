"""Branding colours as a stylesheet, so the CSP needs no inline styles."""

from __future__ import annotations

import re

from flask import Blueprint, Response, request

bp = Blueprint("theme", __name__)

HEX = re.compile(r"^[0-9a-fA-F]{6}$")
DEFAULT_ACCENT = "4f46e5"


def _luminance(hex6: str) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex6[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast_text(hex6: str) -> str:
    # WCAG: pick the text colour with the better contrast against the accent
    lum = _luminance(hex6)
    return "#ffffff" if (1.05 / (lum + 0.05)) >= ((lum + 0.05) / 0.05) else "#111827"


@bp.get("/theme.css")
def theme_css() -> Response:
    accent = request.args.get("accent", DEFAULT_ACCENT).lstrip("#")
    if not HEX.match(accent):
        accent = DEFAULT_ACCENT
    css = (
        ":root{"
        f"--accent:#{accent.lower()};"
        f"--accent-contrast:{_contrast_text(accent)};"
        f"--accent-soft:color-mix(in srgb,#{accent.lower()} 12%,white);"
        f"--accent-strong:color-mix(in srgb,#{accent.lower()} 80%,black);"
        "}"
    )
    resp = Response(css, mimetype="text/css")
    resp.headers["Cache-Control"] = "public, max-age=86400"
    return resp
