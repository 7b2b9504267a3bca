"""Stored-XSS corpus: whatever a note or announcement contains renders inert."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from portal.text import ALLOWED_TAGS, is_same_site, plain_excerpt, render_markdown

CORPUS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    "<svg><script>alert(1)</script></svg>",
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<iframe src="https://evil.example"></iframe>',
    "<object data=x></object><embed src=x>",
    '<form action="https://evil.example"><input name=a></form>',
    '<p onclick="alert(1)">hi</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '"><img src=x onerror=alert(1)>',
    '[a](https://ok.example "title" onmouseover=alert(1))',
    "<a href='https://ok.example' onmouseover='alert(1)'>x</a>",
    "```\n<script>alert(1)</script>\n```",
    "<!-- <script>alert(1)</script> -->",
    "<base href='https://evil.example'>",
    "<meta http-equiv=refresh content='0;url=https://evil.example'>",
]


class _Elements(HTMLParser):
    """Every element and attribute the browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def _problems(html: str) -> list[str]:
    parser = _Elements()
    parser.feed(html)
    problems = []
    for tag, attrs in parser.found:
        if tag not in ALLOWED_TAGS:
            problems.append(f"tag {tag}")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                problems.append(f"attribute {name} on {tag}")
            if name in {"href", "src"}:
                scheme = (value or "").strip().split(":", 1)[0].lower()
                if ":" in (value or "") and scheme not in {"http", "https", "mailto"}:
                    problems.append(f"{name}={value}")
    return problems


@pytest.mark.parametrize("source", CORPUS)
def test_corpus_renders_inert(source: str) -> None:
    html = str(render_markdown(source))
    assert not _problems(html), html


def test_markdown_still_works() -> None:
    html = str(
        render_markdown("**bold** _it_ `code`\n\n- one\n- two\n\n[site](https://example.com)")
    )
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html and "<code>code</code>" in html
    assert "<li>one</li>" in html
    assert '<a href="https://example.com" rel="noopener nofollow noreferrer">site</a>' in html


def test_remote_images_become_links_so_reading_cannot_be_tracked() -> None:
    """Red-team #10: an image from another host tells that host who read the note, and when."""
    for src in [
        "https://tracker.example/p.gif",
        "http://tracker.example/p.gif",
        "//tracker.example/p.gif",
        "\\\\tracker.example/p.gif",
    ]:
        html = str(render_markdown(f"see ![pixel]({src}) here"))
        assert "<img" not in html, html
        if src.startswith("http"):
            assert f'<a href="{src}" rel="noopener nofollow noreferrer">pixel</a>' in html
    assert "src=" not in str(render_markdown("![a](data:image/png;base64,AAAA)"))
    # what a browser would read as another host, however it is written
    for url in ["//t.example/p", "/\\t.example/p", "\\\\t.example/p", " /\t/t.example", "x.gif"]:
        assert not is_same_site(url), url
    assert is_same_site("/files/1/download") and is_same_site("/%5Ct.example/p")


def test_images_from_this_site_still_show() -> None:
    html = str(render_markdown("![chart](/files/12/download?inline=1)"))
    assert '<img src="/files/12/download?inline=1" alt="chart">' in html


def test_plain_excerpt_strips_markup_and_truncates() -> None:
    assert plain_excerpt("Hello **there** <b>x</b>") == "Hello there <b>x</b>"
    assert len(plain_excerpt("word " * 100, 50)) == 50


def test_mentions_are_highlighted_outside_links_and_code() -> None:
    html = str(render_markdown("hi @bob, @dev@acme.test. a@b.co [@x](https://e.com) `@c`"))
    assert '<span class="mention">@bob</span>' in html
    assert '<span class="mention">@dev@acme.test</span>.' in html
    assert "a@b.co" in html and ">@x</a>" in html and "<code>@c</code>" in html
    assert html.count('class="mention"') == 2
    # the source cannot forge the highlight: raw HTML stays text
    assert '<span class="mention">' not in str(render_markdown('<span class="mention">x</span>'))


def test_the_rendered_html_of_a_text_is_kept_but_an_edit_renders_anew() -> None:
    """A list re-renders the same bodies on every view; the cache is keyed by the text itself."""
    from portal.text import MARKDOWN_CACHE_MAX_CHARS, _cached_render

    _cached_render.cache_clear()
    first = render_markdown("Hello **there** @dev")
    again = render_markdown("Hello **there** @dev")
    edited = render_markdown("Hello **you** @dev")
    assert first == again and "<strong>there</strong>" in first
    assert "<strong>you</strong>" in edited and "there" not in edited
    assert _cached_render.cache_info().hits == 1
    long = "word " * (MARKDOWN_CACHE_MAX_CHARS // 5 + 1)
    assert render_markdown(long).startswith("<p>word")
    assert _cached_render.cache_info().currsize == 2  # a very long text is not kept
    script = render_markdown("<script>alert(1)</script>")
    assert "<script>" not in render_markdown("<script>alert(1)</script>") == script
