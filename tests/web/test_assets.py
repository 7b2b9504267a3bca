"""Repeat visits are fast: versioned static URLs cached for a year, gzip for text responses."""

from __future__ import annotations

import gzip
import os
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

    js = next(link for link in links if link.split("?")[0].endswith(".js"))
    with client.get(js) as resp:
        assert resp.status_code == 200
        assert resp.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # an old or missing version is only revalidated, never pinned for a year
    with client.get(js.split("?")[0] + "?v=000000000000") as stale:
        assert stale.headers["Cache-Control"] == "no-cache"
    with client.get(js.split("?")[0]) as bare:
        assert bare.headers["Cache-Control"] == "no-cache"


def _stylesheet(client) -> str:
    html = client.get("/login").get_data(as_text=True)
    found = re.findall(r'<link rel="stylesheet" href="(/assets/[^"]+)"', html)
    assert len(found) == 1, found
    return found[0]


def test_the_one_stylesheet_is_immutable_and_gzipped_once(client, app) -> None:
    """The bundled stylesheet: pinned for a year under its hash, gzipped when accepted (the same
    bytes every time, built once), revalidated under any other version."""
    url = _stylesheet(client)
    plain = client.get(url)
    assert plain.status_code == 200 and plain.mimetype == "text/css"
    assert plain.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    css = plain.get_data()
    assert (Path(PROJECT_ROOT) / "static/css/tokens.css").read_bytes().strip() in css
    packed = client.get(url, headers=GZ)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert gzip.decompress(packed.get_data()) == css
    assert len(packed.get_data()) * 3 < len(css)
    assert packed.headers["ETag"] != plain.headers["ETag"]
    again = client.get(url, headers=GZ)
    assert again.get_data() == packed.get_data()
    bundle = app.extensions["stoa_stylesheet_bundle"]
    assert bundle.current() is bundle.current()  # built once, not per request
    # a browser revalidating gets a 304 without the body
    etag = packed.headers["ETag"]
    assert client.get(url, headers={**GZ, "If-None-Match": etag}).status_code == 304
    # an old or missing version is only revalidated, never pinned for a year
    stale = client.get(url.split("?")[0] + "?v=000000000000")
    assert stale.status_code == 200 and stale.headers["Cache-Control"] == "no-cache"
    assert client.get(url.split("?")[0]).headers["Cache-Control"] == "no-cache"


def test_the_stylesheet_is_rebuilt_on_edit_only_in_development(tmp_path: Path) -> None:
    from portal.web.assets import StaticVersions, StylesheetBundle

    (tmp_path / "css").mkdir()
    for name, rule in (("a", "a{color:red}"), ("b", "b{color:red}")):
        (tmp_path / "css" / f"{name}.css").write_text(rule)
    deployed = StylesheetBundle(StaticVersions(tmp_path, watch=False), ("a", "b"))
    developing = StylesheetBundle(StaticVersions(tmp_path, watch=True), ("a", "b"))
    first = deployed.current()
    assert first.body == b"/* css/a.css */\na{color:red}\n/* css/b.css */\nb{color:red}\n"
    assert gzip.decompress(first.gzipped) == first.body
    assert developing.current().version == first.version

    edited = tmp_path / "css" / "b.css"
    edited.write_text("b{color:blue}")
    later = edited.stat().st_mtime + 10
    os.utime(edited, (later, later))
    assert deployed.current() is first  # not read again
    rebuilt = developing.current()
    assert rebuilt.version != first.version and b"b{color:blue}" in rebuilt.body


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


def test_private_pages_are_never_stored(client, login, tenants) -> None:
    """Signed-in pages and fragments are ``no-store`` (kept out of the disk cache; Chromium's
    back/forward cache still takes them and drops them on sign-out: see the browser test)."""
    login(tenants.acme_admin)
    for headers in ({}, {"HX-Request": "true"}):
        resp = client.get("/p/acme-test/tasks", headers=headers)
        assert resp.status_code == 200
        assert resp.headers["Cache-Control"] == "no-store"


def test_missing_static_file_is_a_plain_404(client) -> None:
    resp = client.get("/static/js/nope.js", headers=GZ)
    assert resp.status_code == 404


def test_versions_are_hashed_once_outside_development(tmp_path: Path) -> None:
    """A deployment's static files are hashed once per process (a page links ~25 of them and
    must not stat each one per request); development follows edits."""
    from portal.web.assets import StaticVersions

    (tmp_path / "app.css").write_text("a{color:red}")
    deployed = StaticVersions(tmp_path, watch=False)
    developing = StaticVersions(tmp_path, watch=True)
    first, first_dev = deployed.version("app.css"), developing.version("app.css")
    assert first == first_dev and first is not None

    edited = tmp_path / "app.css"
    edited.write_text("a{color:blue}  /* edited */")
    later = edited.stat().st_mtime + 10  # a coarse clock must not hide the edit
    os.utime(edited, (later, later))
    assert deployed.version("app.css") == first  # not read again
    assert developing.version("app.css") not in (None, first_dev)  # the edit shows
    assert deployed.version("missing.css") is None


def test_unreadable_static_names_are_404_not_500(client) -> None:
    """A name too long for the file system, or with a NUL, names no file (the fuzz found 500s)."""
    for name in ("x" * 5000 + ".css", "css/base\x00.css"):
        resp = client.get(f"/static/{name}", headers={"Accept-Encoding": "gzip"})
        assert resp.status_code == 404, (name[:20], resp.status_code)
