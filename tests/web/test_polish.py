"""Small things a user (or their screen reader) notices: names that match what is shown, words that
wrap whole, a badge said once, icons that render, content inside landmarks."""

from __future__ import annotations

import re
from pathlib import Path

from portal.config import PROJECT_ROOT

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
            if re.search(r"\.(chip|badge)|-chips", selectors):
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
    assert "⚿" not in html
    # every empty state names an icon of the set; no call site passes a Unicode glyph
    icons = (TEMPLATES / "macros" / "_icons.html").read_text()
    names = set(re.findall(r'^  "(\w+)": ', icons, re.M))
    assert {"key", "inbox", "sparkle"} <= names
    for path in TEMPLATES.rglob("*.html"):
        for line in path.read_text().splitlines():
            if "empty_state(" in line:
                assert not re.search(r'"[^\x00-\x7f]{1,2}"\)', line), (path.name, line)
