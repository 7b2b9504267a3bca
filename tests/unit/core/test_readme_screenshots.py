"""The README's "first five minutes" shows the portal: images in the repository, linked
relatively, small enough to load quickly (PNG, under 200 KB, 1280 px wide)."""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image

from portal.config import PROJECT_ROOT

ROOT = Path(PROJECT_ROOT)


def test_the_first_five_minutes_has_two_small_screenshots() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## The first five minutes", 1)[1].split("\n## ", 1)[0]
    images = re.findall(r"!\[([^\]]+)\]\(([^)]+)\)", section)
    assert len(images) >= 2, images
    for alt, target in images:
        assert alt.strip() and not re.match(r"[a-z]+:|/|\.\.", target), target
        path = ROOT / target
        assert path.parent == ROOT / "docs" / "screenshots" and path.suffix == ".png"
        assert path.stat().st_size < 200_000, (target, path.stat().st_size)
        with Image.open(path) as image:
            assert image.format == "PNG" and image.width == 1280
