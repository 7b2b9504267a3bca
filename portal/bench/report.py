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


@dataclass
class ScaleOut:
    """One target served by one app process pinned to one core, then by two such processes
    (one core each) on the same database, the load's connections split between them."""

    name: str
    path: str
    page_cache: bool  # False: PAGE_CACHE_SECONDS=0, every request renders
    one_rps: float = 0.0
    two_rps: float = 0.0
    one_p95_ms: float = 0.0
    two_p95_ms: float = 0.0
    per_replica: list[int] = field(default_factory=list)  # requests each of the two answered
    # the CPU the replicas' processes got, in cores (CPU seconds over wall seconds): on a shared
    # machine the second core is not all theirs
    one_cores: float = 0.0
    two_cores: float = 0.0
    errors: int = 0
    error_statuses: dict[int, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.name} (page cache on)" if self.page_cache else self.name

    @property
    def ratio(self) -> float:
        """Two processes' throughput over one's: 2.0 is adding up exactly."""
        return self.two_rps / self.one_rps if self.one_rps else 0.0

    @property
    def one_rps_per_core(self) -> float:
        return self.one_rps / self.one_cores if self.one_cores else 0.0

    @property
    def two_rps_per_core(self) -> float:
        return self.two_rps / self.two_cores if self.two_cores else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "ratio": self.ratio,
            "one_rps_per_core": self.one_rps_per_core,
            "two_rps_per_core": self.two_rps_per_core,
        }


def misses(
    results: list[Result], first_load_gzip: int, scale_out: list[ScaleOut] | None = None
) -> list[str]:
    """Every bar a result misses, one readable line each (empty: all bars met)."""
    found: list[str] = []
    for s in scale_out or ():
        if s.errors:
            found.append(f"scale-out {s.label}: {s.errors} failed requests {s.error_statuses}")
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


def scale_out_json(
    rows: list[ScaleOut],
    cores: tuple[int, int] | None,
    *,
    threads: int,
    connections: int,
    load: tuple[float, float] = (0.0, 0.0),
) -> dict[str, Any]:
    """The final JSON object's ``scale_out``: how the replicas ran, and each target's figures."""
    if cores is None:
        return {"skipped": "needs two cores"}
    return {
        "cores": list(cores),
        "processes": [1, 2],
        "workers_per_process": 1,
        "threads": threads,
        "connections": connections,
        "one_database": True,
        "page_cache_seconds": 0,  # but on the rows with "page_cache": true
        # the machine's 1-minute load average before and after: others' work shares the cores
        "load_average": [round(x, 2) for x in load],
        "targets": {
            s.label: {k: round(v, 3) if isinstance(v, float) else v for k, v in s.as_json().items()}
            for s in rows
        },
    }


def scale_out_table(
    rows: list[ScaleOut], cores: tuple[int, int], load: tuple[float, float] = (0.0, 0.0)
) -> str:
    """The scale-out lines printed after the table: req/s of one process and of two, and two
    over one."""
    head = (
        f"{'scale-out target':<32}{'one req/s':>11}{'two req/s':>11}{'two/one':>9}"
        f"{'p95 one':>9}{'p95 two':>9}{'cores':>12}{'req/core-s':>14}{'split':>12}{'err':>5}"
    )
    lines = [
        f"Scale-out: one gunicorn process (1 worker x 4 threads) pinned to core {cores[0]}, then "
        f"two on cores {cores[0]} and {cores[1]}",
        "(one database, one instance folder; the connections split between them as a proxy "
        "would). PAGE_CACHE_SECONDS=0: every request renders, unless marked page cache on.",
        "cores: the CPU the replicas got (one -> two); req/core-s: requests per CPU second "
        f"they used (one -> two). Load average {load[0]:.1f} before, {load[1]:.1f} after.",
        head,
        "-" * len(head),
    ]
    for s in rows:
        split = "/".join(str(n) for n in s.per_replica)
        used = f"{s.one_cores:.2f}->{s.two_cores:.2f}"
        per_core = f"{s.one_rps_per_core:.0f}->{s.two_rps_per_core:.0f}"
        lines.append(
            f"{s.label:<32}{s.one_rps:>11.1f}{s.two_rps:>11.1f}{s.ratio:>8.2f}x"
            f"{s.one_p95_ms:>9.1f}{s.two_p95_ms:>9.1f}{used:>12}{per_core:>14}{split:>12}"
            f"{s.errors:>5}"
        )
    return "\n".join(lines)
