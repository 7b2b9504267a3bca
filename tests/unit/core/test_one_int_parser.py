"""Integers from the outside world go through the one parser (portal/web/args.py).

``str.isdigit()`` is true for "²" and "١", which ``int()`` then refuses with a ValueError (a 500
the bad-input fuzz test found once in a while). So no code may test digits by itself."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ALLOWED = {Path("portal/web/args.py")}  # where is_digits lives


def test_no_code_tests_digits_outside_the_one_parser() -> None:
    offenders = []
    for folder in ("portal", "services", "blueprints"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if rel in ALLOWED:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if re.search(r"\.isdigit\(\)|\.isdecimal\(\)|\.isnumeric\(\)", line):
                    offenders.append(f"{rel}:{number}: {line.strip()}")
    assert not offenders, "use portal.web.args.parse_int:\n" + "\n".join(offenders)


def test_superscript_and_other_script_digits_are_not_ids() -> None:
    from portal.web.args import parse_int

    for raw in ("²", "١٢", "12²", " 7 "):
        assert parse_int(raw, minimum=1) == (7 if raw == " 7 " else None)
