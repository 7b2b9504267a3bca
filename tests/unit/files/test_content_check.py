"""Red-team #6: markup, scripts and dangerous extensions get through no side door."""

from __future__ import annotations

import pytest

from portal.errors import Invalid
from portal.filetypes import sniff

BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize(
    "head",
    [
        BOM + b"<html><body>hi</body></html>",
        b"<div>hello</div>",
        b"<!-- a note -->\n<p>hi</p>",
        b"<!-- one --> <!-- two -->\n<img src=x onerror=alert(1)>",
        b'<img src="x" onerror="alert(1)">',
        BOM + b"  \n\t<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"<script>alert(1)</script>",
        b"\n\n   <ScRiPt>alert(1)</script>",
        b"Harmless first line\nthen <script>alert(1)</script>",
        b"name,comment\nbob,<svg onload=alert(1)>\n",
        b"a,b\n1,2\n<iframe src=//evil.example>",
        BOM + b"<!DOCTYPE html><title>x</title>",
        b"<?xml version='1.0'?><svg/>",
        b"<a href='javascript:alert(1)'>click</a>",
        b"<body onload=alert(1)>",
    ],
)
def test_markup_near_the_start_is_refused(head) -> None:
    with pytest.raises(Invalid):
        sniff(head, "notes.txt")


def test_markup_after_the_first_kilobyte_is_only_text() -> None:
    head = b"x" * 1100 + b"\n<div>quoted later</div>\n"
    assert sniff(head, "long.txt") == "text/plain"


@pytest.mark.parametrize(
    "head",
    [
        b"Prices: 3 < 4 and 5 > 2\n",
        b"a,b\n1,<2\n",
        b"Email me at <bob@example.test>\n",
        BOM + b"plain text with a BOM\n",
    ],
)
def test_ordinary_text_still_passes(head) -> None:
    assert sniff(head, "notes.txt") == "text/plain"


@pytest.mark.parametrize(
    "head", [b"   #!/bin/sh\nrm -rf /\n", b"\n\t#!/usr/bin/env python\n", BOM + b"#!/bin/sh\n"]
)
def test_a_shebang_after_leading_space_is_a_script(head) -> None:
    with pytest.raises(Invalid, match="script"):
        sniff(head, "run.txt")


@pytest.mark.parametrize(
    "name", ["x.xhtml.", "x.xhtml..", "x.html ", "x.svg . .", "x.HTML.", "x.js\t", "x.php. "]
)
def test_trailing_dots_and_spaces_do_not_hide_an_extension(name) -> None:
    with pytest.raises(Invalid, match="can't be uploaded"):
        sniff(b"just some text\n", name)
