"""One pagination: ``paginate(session, stmt, page=…, per_page=…)`` → ``Page[T]``.

Pages are 1-based; a page past the end shows the last page (a shared link never lands on
an empty list just because rows were deleted). Templates render it with ``macros/pager.html``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.sql import Select
from sqlmodel import Session

T = TypeVar("T")
U = TypeVar("U")

MAX_PER_PAGE = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    page: int
    per_page: int
    more: bool = False  # ``total`` is a lower bound: rows were counted only so far ahead

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def map(self, fn: Callable[[T], U]) -> Page[U]:
        """The same page with every item transformed (rows → view rows)."""
        return Page(
            [fn(item) for item in self.items], self.total, self.page, self.per_page, self.more
        )

    def __iter__(self) -> Any:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


def clamp_page(page: int | None, *, total: int, per_page: int) -> int:
    """A requested page number brought inside 1…last."""
    pages = max(1, -(-total // per_page))
    return min(max(1, page or 1), pages)


def count(session: Session, stmt: Select[*tuple[Any, ...]]) -> int:
    """Rows a select would return (ordering dropped)."""
    return int(
        session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar()
        or 0
    )


@dataclass(frozen=True)
class Head(Generic[T]):
    """The first rows of a list and how many there are in all (the "waiting for you" lists:
    a few rows on the dashboard, the true total beside them)."""

    rows: list[T]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def head(session: Session, stmt: Any, *, order_by: Sequence[Any], limit: int) -> Head[Any]:
    """The first ``limit`` rows of ``stmt`` in ``order_by`` order, counted only when there are
    more (one query when the list is short)."""
    rows = list(session.exec(stmt.order_by(*order_by).limit(limit)).all())
    total = len(rows) if len(rows) < limit else count(session, stmt)
    return Head(rows=rows, total=total)


def paginate(
    session: Session,
    stmt: Any,
    *,
    page: int | None,
    per_page: int,
    scalars: bool = True,
    total: int | None = None,
) -> Page[Any]:
    """Run ``stmt`` for one page. ``scalars=False`` keeps multi-column rows as tuples.

    ``total`` skips the count query when the caller already knows it.
    """
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    total = count(session, stmt) if total is None else total
    number = clamp_page(page, total=total, per_page=per_page)
    limited = stmt.limit(per_page).offset((number - 1) * per_page)
    result = session.execute(limited)
    items: list[Any] = list(result.scalars().all()) if scalars else [tuple(r) for r in result.all()]
    return Page(items, total, number, per_page)
