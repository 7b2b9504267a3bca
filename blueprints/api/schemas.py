"""Shapes shared by every API operation: the base model, the error envelope, pagination."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from portal.validation import checked_input

T = TypeVar("T")

MAX_LIMIT = 100
DEFAULT_LIMIT = 50
MAX_ID = 2**31 - 1  # ids beyond a 32-bit integer cannot exist; reject before the database sees them


def _id_in_range(value: str | None) -> str | None:
    if value and int(value) > MAX_ID:
        raise ValueError(f"No such id: ids go up to {MAX_ID}.")
    return value


# A string id (reference 000's style) whose digits must still name a possible row.
IdString = Annotated[str, AfterValidator(_id_in_range)]


class ApiModel(BaseModel):
    """Base of every request model: unknown keys are ignored, an absent body has no fields,
    NUL characters are refused (``portal.validation.checked_input``)."""

    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _checked_input(cls, data: Any) -> Any:
        return checked_input(data)


class ErrorData(BaseModel):
    status: int


class ErrorEnvelope(BaseModel):
    """Every error on /api/: ``{"code", "message", "data": {"status"}}``; 422 adds ``errors``."""

    code: str = Field(examples=["not_found"])
    message: str
    data: ErrorData
    errors: dict[str, list[str]] | None = Field(
        default=None, description="Present on 422: messages per field."
    )


# Declared on every operation so clients (and schemathesis) know each error's shape.
ERROR_RESPONSES: dict[int, type[BaseModel]] = {
    400: ErrorEnvelope,
    401: ErrorEnvelope,
    403: ErrorEnvelope,
    404: ErrorEnvelope,
    409: ErrorEnvelope,
    422: ErrorEnvelope,
    429: ErrorEnvelope,
}


class PageQuery(ApiModel):
    """``limit`` (default 50, clamped to 1..100) and ``offset`` (>= 0)."""

    limit: int = Field(
        default=DEFAULT_LIMIT,
        description="Page size: default 50, values outside 1..100 are clamped.",
    )
    offset: int = Field(default=0, ge=0, le=MAX_ID)

    @property
    def clamped_limit(self) -> int:
        return min(max(self.limit, 1), MAX_LIMIT)


class Page(BaseModel, Generic[T]):
    """A page of a list: ``items`` with ``limit``, ``offset`` and the ``total`` count."""

    items: list[T]
    limit: int
    offset: int
    total: int

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        return f"{params[0].__name__}Page"  # Page[PortalOut] is documented as PortalOutPage


def page_of(items: Sequence[Any], total: int, query: PageQuery) -> dict[str, Any]:
    return {
        "items": list(items),
        "limit": query.clamped_limit,
        "offset": query.offset,
        "total": total,
    }
