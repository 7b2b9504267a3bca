"""What a file is, decided by its bytes: the allow-list, safe names, safe inline types."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import filetype

from portal.errors import Invalid

# Content categories a portal may allow (Portal.allowed_file_types; None = all of these).
CATEGORIES: dict[str, tuple[str, frozenset[str]]] = {
    "images": (
        "Images",
        frozenset(
            {"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/tiff"}
        ),
    ),
    "pdf": ("PDF documents", frozenset({"application/pdf"})),
    "office": (
        "Office documents",
        frozenset(
            {
                "application/msword",
                "application/vnd.ms-excel",
                "application/vnd.ms-powerpoint",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                "application/vnd.oasis.opendocument.text",
                "application/vnd.oasis.opendocument.spreadsheet",
                "application/vnd.oasis.opendocument.presentation",
                "application/rtf",
            }
        ),
    ),
    "text": ("Text and CSV", frozenset({"text/plain", "text/csv"})),
    "zip": (
        "Archives (zip)",
        frozenset({"application/zip", "application/gzip", "application/x-7z-compressed"}),
    ),
}
DEFAULT_CATEGORIES: tuple[str, ...] = tuple(CATEGORIES)

# Served inline for preview; everything else is an attachment. SVG is deliberately absent.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})
IMAGE_PREVIEW = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

_EXECUTABLE_MAGIC = (
    (b"\x7fELF", "a Linux program (ELF)"),
    (b"MZ", "a Windows program"),
    (b"\xfe\xed\xfa\xce", "a macOS program"),
    (b"\xfe\xed\xfa\xcf", "a macOS program"),
    (b"\xce\xfa\xed\xfe", "a macOS program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xca\xfe\xba\xbe", "a program"),
    (b"#!", "a script"),
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# How far into a text file markup is looked for: browsers that sniff decide within the first
# kilobytes, and a page needs its tags early to run.
MARKUP_WINDOW = 1024
# A text that *starts* (after a BOM and white space) with a tag, a comment, a doctype or an XML
# declaration is markup, whichever tag it is: "<div>", "<!-- -->", "<img onerror=…>", "<svg".
_STARTS_WITH_TAG = re.compile(rb"<[a-z!?/]", re.I)
# Anywhere in the window: tags that run script or make a browser treat the file as a page, and
# any tag carrying an event handler.
_ACTIVE_MARKUP = re.compile(
    rb"<(?:script|svg|iframe|frame|frameset|object|embed|applet|html|head|body|meta|link|base"
    rb"|style|form|math|template|img|video|audio|source|xml|\?php|\?xml|!doctype)\b"
    rb"|<[a-z][^>]*?\son[a-z]+\s*=",
    re.I,
)
_BLOCKED_EXT = frozenset(
    "exe dll so dylib bin com scr msi msp bat cmd ps1 psm1 vbs vbe js jse mjs wsf wsh sh bash zsh "
    "csh ksh php phtml pl py rb jar apk app deb rpm html htm xhtml shtml svg svgz hta lnk reg "
    "cpl gadget".split()
)
_OLE_BY_EXT = {
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "pps": "application/vnd.ms-powerpoint",
}
_MIME_ALIASES = {"application/x-gzip": "application/gzip", "image/jpg": "image/jpeg"}


def _refuse(message: str, code: str = "file_type_not_allowed") -> Invalid:
    return Invalid(message, code=code, errors={"file": [message]})


def _extension(name: str) -> str:
    """The extension a desktop would use: Windows drops trailing dots and spaces, so
    ``x.xhtml.`` and ``x.html `` are ``.xhtml`` and ``.html`` files."""
    name = re.sub(r"[\s.]+$", "", name)
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _text_start(head: bytes) -> bytes:
    """The head without a byte-order mark and leading white space: where a text really begins."""
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    return head.lstrip()


def _is_markup(head: bytes) -> bool:
    start = _text_start(head)
    return bool(_STARTS_WITH_TAG.match(start) or _ACTIVE_MARKUP.search(start, 0, MARKUP_WINDOW))


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for cut in range(4):  # the head may end in the middle of a UTF-8 sequence
        try:
            (head[: len(head) - cut] if cut else head).decode("utf-8")
            return True
        except UnicodeDecodeError:
            continue
    return False


def sniff(head: bytes, name: str, allowed: Iterable[str] | None = None) -> str:
    """The content type of a file from its first bytes, or Invalid if the portal refuses it.

    The declared type and the name's extension never make a file acceptable; a dangerous
    extension can still make an otherwise harmless file unacceptable.
    """
    if not head:
        raise _refuse("That file is empty.", "file_empty")
    for magic, what in _EXECUTABLE_MAGIC:
        # a script is a script after a BOM or leading blanks too (editors hide both)
        if head.startswith(magic) or (magic == b"#!" and _text_start(head).startswith(magic)):
            raise _refuse(
                f"“{name}” is {what}, whatever its name says. Programs and scripts can't be "
                "uploaded here."
            )
    ext = _extension(name)
    if ext in _BLOCKED_EXT:
        raise _refuse(f"Files ending in .{ext} can't be uploaded here.")
    kind = filetype.guess(head)
    if kind is not None:
        mime = _MIME_ALIASES.get(kind.mime, kind.mime)
    elif head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        mime = _OLE_BY_EXT.get(ext, "application/msword")
    elif head.startswith(b"{\\rtf"):
        mime = "application/rtf"
    elif _is_text(head):
        if _is_markup(head):
            raise _refuse("Web pages, SVG and markup files can't be uploaded here.")
        mime = "text/csv" if ext == "csv" else "text/plain"
    else:
        raise _refuse(f"We couldn't tell what kind of file “{name}” is, so it can't be uploaded.")
    categories = list(allowed) if allowed else list(DEFAULT_CATEGORIES)
    permitted = frozenset().union(*(CATEGORIES[c][1] for c in categories if c in CATEGORIES))
    if mime not in permitted:
        labels = ", ".join(CATEGORIES[c][0].lower() for c in categories if c in CATEGORIES)
        raise _refuse(f"“{name}” is {mime}; this portal accepts {labels}.")
    return mime


_UNSAFE_CHARS = re.compile(r'[<>:"|?*`$\\/]')


def safe_display_name(raw: str, fallback: str = "file") -> str:
    """A display name with no path parts, control characters or markup, at most 200 chars."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE_CHARS.sub("", name)
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 199 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else name[:200]
    return name or fallback


def human_size(size: int) -> str:
    """A byte count as people say it: ``1 byte``, ``1.5 KB``, ``2 GB`` (binary units; the
    ``filesize`` template filter, for stored files and upload limits alike)."""
    if size < 1024:
        return "1 byte" if size == 1 else f"{size} bytes"
    value, units = size / 1024, ["KB", "MB", "GB", "TB"]
    while round(value, 1) >= 1024 and len(units) > 1:
        value, units = value / 1024, units[1:]
    unit = units[0]
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text} {unit}"


def file_type_icon(file: Any) -> str:
    """The icon (portal/web/icons.py) that stands for a file without a thumbnail."""
    if getattr(file, "linked_url", None):
        return "link"
    content_type = getattr(file, "content_type", "") or ""
    if content_type.startswith("image/"):
        return "file-image"
    if content_type == "application/pdf" or content_type.startswith("text/"):
        return "file-text"
    return "file"
