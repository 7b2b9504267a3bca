"""Repeat visits are fast: versioned static URLs cached for a year, gzip for text responses."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from portal.config import PROJECT_ROOT

GZ = {"Accept-Encoding": "gzip, deflate, br"}


def _static_links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_link_static_files_by_content_version(client, login, tenants) -> None:
    login(tenants.acme_admin)
    page = client.get("/p/acme-test/dashboard")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    links = _static_links(html)
    assert links and all(re.search(r"\?v=[0-9a-f]{12}$", link) for link in links), links

    css = next(link for link in links if link.split("?")[0].endswith(".css"))
    with client.get(css) as resp:
        assert resp.status_code == 200
        assert resp.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # an old or missing version is only revalidated, never pinned for a year
    with client.get(css.split("?")[0] + "?v=000000000000") as stale:
        assert stale.headers["Cache-Control"] == "no-cache"
    with client.get(css.split("?")[0]) as bare:
        assert bare.headers["Cache-Control"] == "no-cache"


def test_static_text_is_gzipped_once_and_identical(client) -> None:
    name = "js/app.js"
    original = (Path(PROJECT_ROOT) / "static" / name).read_bytes()
    with client.get(f"/static/{name}") as plain:
        assert plain.status_code == 200 and plain.get_data() == original
        assert "Content-Encoding" not in plain.headers
        assert "Accept-Encoding" in plain.headers.get("Vary", "")
    packed = client.get(f"/static/{name}", headers=GZ)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert len(packed.get_data()) < len(original)
    assert gzip.decompress(packed.get_data()) == original
    assert packed.headers.get("ETag") != plain.headers.get("ETag")
    # SVG is text too
    icon = client.get("/static/img/favicon.svg", headers=GZ)
    assert icon.headers["Content-Encoding"] == "gzip"
    assert (
        gzip.decompress(icon.get_data())
        == (Path(PROJECT_ROOT) / "static/img/favicon.svg").read_bytes()
    )


def test_pages_and_fragments_are_gzipped_when_accepted(client, login, tenants) -> None:
    login(tenants.acme_admin)
    plain = client.get("/p/acme-test/tasks")
    packed = client.get("/p/acme-test/tasks", headers=GZ)
    assert plain.status_code == packed.status_code == 200
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()).decode().count("<") > 10
    assert len(packed.get_data()) * 3 < len(plain.get_data())
    fragment = client.get("/p/acme-test/tasks", headers={**GZ, "HX-Request": "true"})
    assert fragment.headers.get("Content-Encoding") == "gzip"
    assert "<html" not in gzip.decompress(fragment.get_data()).decode()


def test_missing_static_file_is_a_plain_404(client) -> None:
    resp = client.get("/static/js/nope.js", headers=GZ)
    assert resp.status_code == 404


def test_a_static_name_too_long_for_the_file_system_is_not_found(client) -> None:
    """The file system refuses names past 255 bytes (ENAMETOOLONG): that is a missing file."""
    with client.get("/static/" + "9" * 400) as resp:
        assert resp.status_code == 404
    with client.get("/static/css/" + "x" * 5000 + ".css") as resp:
        assert resp.status_code == 404
