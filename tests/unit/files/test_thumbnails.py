"""Thumbnails are drawn from real images and PDFs, small, and refused for what cannot be drawn."""

from __future__ import annotations

import io

import pytest
from fpdf import FPDF
from PIL import Image

from portal.filetypes import file_type_icon
from portal.models import PortalFile
from portal.web.icons import ICON_DIR
from services.files.thumbnails import BOX, NoThumbnail, make_thumbnail


def _png(width: int, height: int, mode: str = "RGB", color: object = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), color).save(out, "PNG")  # type: ignore[arg-type]
    return out.getvalue()


def _pdf(text: str = "Quarterly report") -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_fill_color(20, 90, 200)
    pdf.rect(0, 0, 210, 60, style="F")  # a blue band across the top of the first page
    pdf.set_font("Helvetica", size=28)
    pdf.text(20, 100, text)
    pdf.add_page()
    return bytes(pdf.output())


def _open(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    assert image.format == "JPEG"
    return image


def test_an_image_shrinks_into_the_box_keeping_its_shape() -> None:
    thumb = _open(make_thumbnail(io.BytesIO(_png(1600, 800)), "image/png"))
    assert thumb.size == (BOX, BOX // 2)
    r, g, b = thumb.convert("RGB").getpixel((10, 10))  # type: ignore[misc]
    assert r > 150 and g < 80 and b < 80  # still red


def test_a_transparent_logo_sits_on_white() -> None:
    thumb = _open(make_thumbnail(io.BytesIO(_png(300, 300, "RGBA", (0, 0, 0, 0))), "image/png"))
    assert min(thumb.convert("RGB").getpixel((5, 5))) > 240  # type: ignore[arg-type]


def test_a_small_image_is_not_blown_up() -> None:
    thumb = _open(make_thumbnail(io.BytesIO(_png(40, 30)), "image/png"))
    assert thumb.size == (40, 30)


def test_a_pdf_shows_its_first_page() -> None:
    thumb = _open(make_thumbnail(io.BytesIO(_pdf()), "application/pdf"))
    width, height = thumb.size
    assert height == BOX and 0.6 < width / height < 0.8  # A4, portrait
    r, g, b = thumb.convert("RGB").getpixel((width // 2, 5))  # type: ignore[misc]
    assert b > 150 and r < 80  # the blue band of page one
    assert min(thumb.convert("RGB").getpixel((width // 2, height - 5))) > 230  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "image/png"),  # damaged
        (b"%PDF-1.7\n garbage \n%%EOF\n", "application/pdf"),  # damaged
        (b"hello", "text/plain"),  # not a picture
    ],
)
def test_what_cannot_be_drawn_has_no_thumbnail(data: bytes, content_type: str) -> None:
    with pytest.raises(NoThumbnail):
        make_thumbnail(io.BytesIO(data), content_type)


def test_a_file_without_a_thumbnail_shows_its_type_icon() -> None:
    cases = [
        (PortalFile(company_id=1, name="a.png", content_type="image/png"), "file-image"),
        (PortalFile(company_id=1, name="a.pdf", content_type="application/pdf"), "file-text"),
        (PortalFile(company_id=1, name="a.zip", content_type="application/zip"), "file"),
        (PortalFile(company_id=1, name="site", linked_url="https://example.com"), "link"),
    ]
    for file, name in cases:
        assert file_type_icon(file) == name
        assert (ICON_DIR / f"{name}.svg").exists()
