"""Markdown for user-written text: rendered by markdown-it-py, then sanitised by nh3.

Raw HTML in the source is not parsed as HTML at all, and the rendered result goes through an
allow-list, so whatever a note contains renders inert (SPEC §8 stored-XSS corpus).
"""

from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(["table", "strikethrough"])

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(source: str) -> Markup:
    """Safe HTML for ``source``: links get ``rel="noopener nofollow"``, no scripts, no styles."""
    html = _md.render(source or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener nofollow noreferrer",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 - sanitised above


def plain_excerpt(source: str, length: int = 140) -> str:
    """A one-line plain-text excerpt of markdown (notification bodies, email digests)."""
    stripped = nh3.clean(_md.render(source or ""), tags=set())
    text = " ".join(html.unescape(stripped).split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
