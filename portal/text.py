"""Markdown for user-written text: rendered by markdown-it-py, then sanitised by nh3.

Raw HTML in the source is not parsed as HTML at all, and the rendered result goes through an
allow-list, so whatever a note contains renders inert (SPEC §8 stored-XSS corpus).
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from markupsafe import Markup

# ``@name`` or ``@someone@example.com``, not the middle of an address or a path
MENTION_RE = re.compile(
    r"(?<![\w@/])@([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
    r"|[A-Za-z][\w.-]*)"
)


def _highlight_mentions(state: StateCore) -> None:
    """Wrap ``@mentions`` in plain text (not in links or code) in ``<span class="mention">``.

    The span is the only markup the renderer emits that the source could not produce itself.
    """
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        out: list[Token] = []
        in_link = 0
        for tok in block.children:
            in_link += {"link_open": 1, "link_close": -1}.get(tok.type, 0)
            if tok.type != "text" or in_link or "@" not in tok.content:
                out.append(tok)
                continue
            pos = 0
            for m in MENTION_RE.finditer(tok.content):
                name = m.group(0).rstrip(".-_")
                if pos < m.start():
                    out.append(_token("text", tok.content[pos : m.start()]))
                out += [
                    _token("html_inline", '<span class="mention">'),
                    _token("text", name),
                    _token("html_inline", "</span>"),
                ]
                pos = m.start() + len(name)
            out.append(_token("text", tok.content[pos:]))
        block.children = out


def _token(kind: str, content: str) -> Token:
    tok = Token(kind, "", 0)
    tok.content = content
    return tok


# Browsers drop tabs, newlines and leading control characters from URLs and read ``\\`` as ``/``.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]")


def is_same_site(url: str) -> bool:
    """``url`` is a path on this site (``/files/1``), not another host or a scheme."""
    cleaned = _URL_NOISE.sub("", url or "").replace("\\", "/")
    return cleaned.startswith("/") and not cleaned.startswith("//")


def render_image(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    """An image from this site shows; one from elsewhere becomes a link to it.

    Fetching a remote image would tell its host who read the text and when (a tracking pixel).
    """
    tok = tokens[idx]
    src = str(tok.attrGet("src") or "")
    alt = renderer.renderInlineAsText(tok.children or [], options, env)
    if is_same_site(src):
        return f'<img src="{html.escape(src)}" alt="{html.escape(alt)}">'
    return f'<a href="{html.escape(src)}">{html.escape(alt or src)}</a>'


def local_images_only(tag: str, attribute: str, value: str) -> str | None:
    """nh3 attribute filter: an ``<img>`` keeps its ``src`` only when it is on this site."""
    if tag == "img" and attribute == "src" and not is_same_site(value):
        return None
    return value


_md = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(["table", "strikethrough"])
_md.core.ruler.push("mentions", _highlight_mentions)
_md.add_render_rule("image", render_image)

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "img", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "span": {"class"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}


# Rendered HTML is a pure function of the source text (no request, user or time goes in), so a
# process-wide cache keyed by the text can never be stale: an edited note is a new key. Lists
# re-render the same bodies on every view (a notes page: a fifth of its CPU). Bounded by entries
# and by the length of what it keeps.
MARKDOWN_CACHE_ENTRIES = 4096
MARKDOWN_CACHE_MAX_CHARS = 8000


def render_markdown(source: str) -> Markup:
    """Safe HTML for ``source``: links get ``rel="noopener nofollow"``, no scripts, no styles."""
    source = source or ""
    if len(source) <= MARKDOWN_CACHE_MAX_CHARS:
        return Markup(_cached_render(source))  # noqa: S704 - sanitised in _render
    return Markup(_render(source))  # noqa: S704 - sanitised in _render


@functools.lru_cache(maxsize=MARKDOWN_CACHE_ENTRIES)
def _cached_render(source: str) -> str:
    return _render(source)


def _render(source: str) -> str:
    html = _md.render(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener nofollow noreferrer",
        strip_comments=True,
        attribute_filter=local_images_only,
    )


def plain_excerpt(source: str, length: int = 140) -> str:
    """A one-line plain-text excerpt of markdown (notification bodies, email digests)."""
    stripped = nh3.clean(_md.render(source or ""), tags=set())
    text = " ".join(html.unescape(stripped).split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
