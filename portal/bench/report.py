"""The SPEC §8 bars (issue 19) and the verdict ``stoa bench --check`` exits with."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Kind = Literal["page", "partial", "api"]

MAX_STATEMENTS = 12
PAGE_RATIO = 0.10  # dashboard and kanban pages
RATIO_PAGES = ("dashboard", "kanban")
PARTIAL_RATIO = 0.25
PAGE_P95_MS = 100.0  # at half of peak load
PARTIAL_P95_MS = 50.0
PARTIAL_GZIP_BYTES = 10 * 1024
FIRST_LOAD_GZIP_BYTES = 60 * 1024


@dataclass
class Result:
    name: str
    kind: Kind
    path: str
    rps: float = 0.0
    hello_rps: float = 0.0
    ratio: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    half_load_p95_ms: float = 0.0
    statements_small: int | None = None
    statements_large: int | None = None
    gzip_bytes: int = 0
    errors: int = 0
    # share of the measured answers the page cache gave (repeat views with no write between)
    cached_pct: float = 0.0
    # with every answer rendered (a hard reload: Cache-Control: no-cache), for cached targets
    rendered_rps: float | None = None
    rendered_ratio: float | None = None
    # the HTTP statuses of the failed requests (0: no response), to tell a 429 from a 500
    error_statuses: dict[int, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def misses(results: list[Result], first_load_gzip: int) -> list[str]:
    """Every bar a result misses, one readable line each (empty: all bars met)."""
    found: list[str] = []
    for r in results:
        if r.errors:
            found.append(f"{r.name}: {r.errors} failed requests {r.error_statuses}")
        if r.kind == "page" and r.name in RATIO_PAGES and r.ratio < PAGE_RATIO:
            found.append(f"{r.name}: {r.ratio:.3f}x hello < {PAGE_RATIO}x")
        if r.kind == "partial" and r.ratio < PARTIAL_RATIO:
            found.append(f"{r.name}: {r.ratio:.3f}x hello < {PARTIAL_RATIO}x")
        if r.kind == "page" and r.half_load_p95_ms > PAGE_P95_MS:
            found.append(
                f"{r.name}: p95 {r.half_load_p95_ms:.0f} ms at half load > {PAGE_P95_MS:.0f}"
            )
        if r.kind == "partial" and r.half_load_p95_ms > PARTIAL_P95_MS:
            found.append(
                f"{r.name}: p95 {r.half_load_p95_ms:.0f} ms at half load > {PARTIAL_P95_MS:.0f}"
            )
        if r.kind in ("page", "partial"):
            small, large = r.statements_small, r.statements_large
            if large is not None and large > MAX_STATEMENTS:
                found.append(f"{r.name}: {large} SQL statements > {MAX_STATEMENTS}")
            if small is not None and large is not None and small != large:
                found.append(f"{r.name}: SQL statements grow with data ({small} -> {large})")
        if r.kind == "partial" and r.gzip_bytes > PARTIAL_GZIP_BYTES:
            found.append(f"{r.name}: {r.gzip_bytes / 1024:.1f} KB gzipped > 10 KB")
    if first_load_gzip > FIRST_LOAD_GZIP_BYTES:
        found.append(f"first load: {first_load_gzip / 1024:.1f} KB JS+CSS gzipped > 60 KB")
    return found


def table(results: list[Result]) -> str:
    """The human-readable table printed before the JSON line."""
    head = (
        f"{'target':<28}{'ratio':>8}{'req/s':>9}{'p50':>8}{'p95':>8}{'p99':>8}"
        f"{'p95@½':>8}{'SQL s→l':>10}{'gzip KB':>9}{'cached':>8}{'render':>8}{'err':>5}"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        sql = f"{r.statements_small if r.statements_small is not None else '-'}→" + (
            f"{r.statements_large if r.statements_large is not None else '-'}"
        )
        rendered = f"{r.rendered_ratio:.3f}x" if r.rendered_ratio is not None else "-"
        lines.append(
            f"{r.name:<28}{r.ratio:>7.3f}x{r.rps:>9.1f}{r.p50_ms:>8.1f}{r.p95_ms:>8.1f}"
            f"{r.p99_ms:>8.1f}{r.half_load_p95_ms:>8.1f}{sql:>10}{r.gzip_bytes / 1024:>9.1f}"
            f"{r.cached_pct:>7.0f}%{rendered:>8}{r.errors:>5}"
        )
    return "\n".join(lines)
