"""Small things a user (or their screen reader) notices: names that match what is shown, words that
wrap whole, a badge said once, icons that render, content inside landmarks."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from portal.config import PROJECT_ROOT
from portal.web.icons import ICON_DIR, icon, icon_body

BASE = "/p/acme-test"
CSS = Path(PROJECT_ROOT) / "static" / "css"
TEMPLATES = Path(PROJECT_ROOT) / "templates"


def _rule(sheet: str, selector: str) -> str:
    """The declarations of the one rule whose selector list is exactly ``selector``."""
    text = (CSS / sheet).read_text()
    match = re.search(r"(?m)^" + re.escape(selector) + r"\s*\{([^}]*)\}", text)
    assert match, f"{selector} not in {sheet}"
    return match.group(1)


def test_user_menu_name_contains_the_visible_name(client, login, tenants) -> None:
    login(tenants.acme_collab)
    html = client.get(f"{BASE}/dashboard").get_data(as_text=True)
    summary = re.search(r'<summary class="menu-trigger"([^>]*)>(.*?)</summary>', html, re.S)
    assert summary
    visible = re.search(r'<span class="menu-name">([^<]+)</span>', summary.group(2))
    assert visible
    label = re.search(r'aria-label="([^"]*)"', summary.group(1))
    # axe label-content-name-mismatch: the spoken name includes the words on the button
    if label:
        assert visible.group(1).strip().lower() in label.group(1).lower(), label.group(1)


def test_chips_and_badges_wrap_between_words_only() -> None:
    for selector in (".badge", ".chip"):
        rule = _rule("components.css", selector)
        assert "overflow-wrap: normal" in rule and "word-break: normal" in rule, selector
    # a long badge wraps onto a second line instead of running out of its box
    assert "nowrap" not in _rule("components.css", ".badge")
    for sheet in CSS.glob("*.css"):
        for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", sheet.read_text()):
            if re.search(r"\.(chip|badge)|-chips|\.check code", selectors):
                assert "anywhere" not in body and "break-all" not in body, (sheet.name, selectors)


def test_a_milestone_says_milestone_once(client, login, tenants, make_task) -> None:
    task = make_task(
        tenants.acme_project, "Go live", status="open", type="milestone", is_milestone=True
    )
    login(tenants.acme_collab)
    html = client.get(f"{BASE}/tasks/{task.id}").get_data(as_text=True)
    badges = re.search(r'<div class="drawer-badges">(.*?)</div>', html, re.S)
    assert badges
    assert len(re.findall(r">\s*Milestone\s*<", badges.group(1))) == 1, badges.group(1)
    # another type still says what it is
    bug = make_task(tenants.acme_project, "Fix it", status="open", type="bug", is_milestone=True)
    html = client.get(f"{BASE}/tasks/{bug.id}").get_data(as_text=True)
    assert ">Bug<" in html and ">Milestone<" in html


def test_empty_states_draw_svg_icons_not_glyphs(client, login, tenants) -> None:
    login(tenants.staff_admin)
    html = client.get("/admin/api-keys/").get_data(as_text=True)
    assert "No API keys yet" in html
    icon = re.search(r'<div class="empty-icon" aria-hidden="true">(.*?)</div>', html, re.S)
    assert icon
    svg = icon.group(1).strip()
    assert svg.startswith("<svg") and 'aria-hidden="true"' in svg and "<path" in svg, svg
    # the shapes are lucide-static's "key", read from the vendored file
    assert icon_body("key") in svg
    assert "⚿" not in html
    # scope chips wrap at the colon, between words
    assert "<code>deliverables:<wbr>read</code>" in html


# Non-ASCII characters a template or stylesheet may hold: typography inside running text (the
# separator dot, dashes (an em dash alone in a cell reads "none"), ellipsis, curly quotes, the
# multiplication sign of "3.2×", the minus of "−€10", the bullets that mask a secret). Everything
# else that draws a picture (arrows, ticks, triangles, crosses, the braille drag handle, boxes) is
# an icon and comes from icon().
TYPOGRAPHY = set("·–—…“”‘’×−•")
STATIC = Path(PROJECT_ROOT) / "static"


def _sources() -> list[Path]:
    files = list(TEMPLATES.rglob("*.html"))
    for ext in ("css", "js"):
        files += [p for p in STATIC.rglob(f"*.{ext}") if "vendor" not in p.parts]
    return files


def test_no_unicode_glyph_is_used_as_an_icon() -> None:
    found = []
    for path in _sources():
        text = path.read_text()
        for n, line in enumerate(text.splitlines(), 1):
            for char in re.findall(r"[^\x00-\x7f]", line):
                if char not in TYPOGRAPHY:
                    found.append(f"{path.relative_to(PROJECT_ROOT)}:{n}: {char!r}")
            # "×" is text ("3.2×"), never a close button on its own; CSS draws no glyph either (an
            # em dash alone in a cell is the text "none" and stays)
            if re.search(r">\s*×\s*<|\bcontent:\s*['\"][^\x00-\x7f]", line):
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{n}: lone symbol")
    assert found == [], found


def test_every_icon_drawn_is_vendored_from_npm() -> None:
    used: set[str] = set()
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        used |= set(re.findall(r"""\bicon\(\s*["']([a-z0-9-]+)["']""", text))
        otherwise = r"""\bicon\(\s*["'][a-z0-9-]+["'] if [^)]*? else ["']([a-z0-9-]+)["']"""
        used |= set(re.findall(otherwise, text))
        used |= set(re.findall(r'empty_state\(.*, "([a-z0-9-]+)"\)', text))
    assert {"key", "inbox", "x", "grip-vertical", "arrow-left"} <= used
    vendored = {p.stem for p in ICON_DIR.glob("*.svg")}
    assert used <= vendored, used - vendored
    assert (ICON_DIR / "LICENSE").exists()
    # the Makefile copies exactly the vendored set from the pinned package
    makefile = (Path(PROJECT_ROOT) / "Makefile").read_text()
    listed = re.search(r"^LUCIDE_ICONS =((?:.*\\\n)*.*)$", makefile, re.M)
    assert listed and set(listed.group(1).replace("\\", " ").split()) == vendored
    package = json.loads((Path(PROJECT_ROOT) / "package.json").read_text())
    assert re.fullmatch(r"\d+\.\d+\.\d+", package["dependencies"]["lucide-static"])
    # no hand-drawn icon left in a template (the feedback status dot is a colour swatch)
    for path in TEMPLATES.rglob("*.html"):
        for svg in re.findall(r"<svg[^>]*>", path.read_text()):
            assert "fb-dot" in svg or "{{ cls }}" in svg, (path.name, svg)


def test_icons_inherit_the_text_colour_and_are_read_once(app) -> None:
    from markupsafe import Markup

    svg = icon("x", label="Close")
    assert isinstance(svg, Markup)
    assert 'stroke="currentColor"' in svg and 'role="img" aria-label="Close"' in svg
    assert 'aria-hidden="true"' in icon("x")
    before = icon_body.cache_info().hits
    with app.test_request_context():
        app.jinja_env.from_string('{{ icon("x") }}{{ icon("x") }}').render()
    assert icon_body.cache_info().hits >= before + 2
    for bad in ("../secret", "X", ""):
        try:
            icon(bad)
        except (ValueError, FileNotFoundError):
            continue
        raise AssertionError(bad)


class _OutsideLandmarks(HTMLParser):
    """Text in <body> that no landmark (header, main, footer, nav, aside) holds. The skip link and
    the live toast region are exempt, as axe's ``region`` rule exempts them."""

    LANDMARKS = {"header", "main", "footer", "nav", "aside"}
    VOID = {"meta", "link", "img", "input", "br", "hr", "source", "area", "col", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.in_body = False
        self.stray: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.in_body = True
            return
        if tag in self.VOID or not self.in_body:
            return
        a = dict(attrs)
        held = (
            tag in self.LANDMARKS
            or a.get("class") == "skip-link"
            or a.get("id") == "toasts"
            or tag in {"script", "template"}
        )
        self.stack.append((tag, held))

    def handle_endtag(self, tag: str) -> None:
        if self.stack and tag not in self.VOID:
            while self.stack:
                if self.stack.pop()[0] == tag:
                    break

    def handle_data(self, data: str) -> None:
        if self.in_body and data.strip() and not any(h for _, h in self.stack):
            self.stray.append(data.strip())


def test_account_and_error_pages_keep_their_content_in_landmarks(client, login, tenants) -> None:
    pages = [client.get("/no/such/page").get_data(as_text=True)]
    login(tenants.pm)  # /account is for staff (a client's account lives in their portal)
    pages += [client.get(url).get_data(as_text=True) for url in ("/account", "/no/such/page")]
    for html in pages:
        assert "<main" in html
        parser = _OutsideLandmarks()
        parser.feed(html)
        assert parser.stray == [], parser.stray


def test_htmx_adds_no_inline_indicator_styles(client, login, tenants) -> None:
    # htmx would otherwise inject a <style> element the CSP refuses (a console report per page)
    login(tenants.pm)
    for url in (f"{BASE}/dashboard", "/account"):
        html = client.get(url).get_data(as_text=True)
        config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
        assert config and json.loads(config.group(1))["includeIndicatorStyles"] is False
