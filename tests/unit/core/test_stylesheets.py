"""One home per CSS rule: no selector is defined twice in the same media context, across all files.

A second definition of a selector (or the same selector inside a group) overrides the first by
source order alone, so moving a file around changes the page. Merge them instead.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

CSS_DIR = Path(__file__).resolve().parents[3] / "static" / "css"


def _blocks(text: str) -> list[tuple[str, str]]:
    """Top-level ``(prelude, body)`` pairs of a stylesheet without comments."""
    blocks, i = [], 0
    while (start := text.find("{", i)) != -1:
        depth, end, quote = 1, start + 1, ""
        while depth:
            ch = text[end]
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "\"'":
                quote = ch
            elif ch in "{}":
                depth += 1 if ch == "{" else -1
            end += 1
        blocks.append((text[i:start].strip(), text[start + 1 : end - 1]))
        i = end
    return blocks


def _split_selectors(prelude: str) -> list[str]:
    """Split a selector list on its top-level commas (not those inside ``:is(a, b)``)."""
    parts, depth, current = [], 0, ""
    for ch in prelude:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return [" ".join(p.split()) for p in [*parts, current] if p.strip()]


def selector_definitions(sources: dict[str, str]) -> dict[tuple[str, str], list[str]]:
    """``(media context, selector) -> [file, ...]``, one entry per rule that defines it."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)

    def walk(text: str, media: str, name: str) -> None:
        for prelude, body in _blocks(text):
            if prelude.startswith("@media"):
                walk(body, " ".join(prelude.split()), name)
            elif not prelude.startswith("@"):
                for selector in _split_selectors(prelude):
                    found[(media, selector)].append(name)

    for name, text in sources.items():
        walk(re.sub(r"/\*.*?\*/", "", text, flags=re.S), "", name)
    return found


def duplicates(sources: dict[str, str]) -> dict[tuple[str, str], list[str]]:
    return {k: v for k, v in selector_definitions(sources).items() if len(v) > 1}


def test_no_selector_is_defined_twice() -> None:
    sheets = {p.name: p.read_text() for p in sorted(CSS_DIR.glob("*.css"))}
    assert len(sheets) > 3
    found = duplicates(sheets)
    listing = [f"{sel} ({media or 'all media'}): {files}" for (media, sel), files in found.items()]
    assert not found, "defined more than once:\n" + "\n".join(listing)


def test_the_check_sees_every_kind_of_duplicate() -> None:
    found = duplicates(
        {
            "a.css": """
                /* .in-a-comment { color: red } */
                .btn { color: red; }
                h1, h2 { margin: 0; }
                @media (max-width: 760px) { .btn { color: blue; } .grid { gap: 0; } }
                .x:is(.a, .b) { content: "{ not a block }"; }
            """,
            "b.css": """
                .btn:hover { color: red; }
                h1 { font-size: 2rem; }
                @media (max-width:  760px) { .grid { gap: 1px; } }
                .x:is(.a, .b) { color: red; }
                .in-a-comment { color: blue; }
            """,
        }
    )
    assert found == {
        ("", "h1"): ["a.css", "b.css"],
        ("@media (max-width: 760px)", ".grid"): ["a.css", "b.css"],
        ("", ".x:is(.a, .b)"): ["a.css", "b.css"],
    }
