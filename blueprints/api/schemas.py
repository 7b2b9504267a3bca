"""Shapes shared by every API operation: the base model, the error envelope, pagination."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from portal.tenancy import FIELD_SCOPES, Actor, gate_fields, register_field_scope
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


def _fields_may_be_absent(schema: dict[str, Any]) -> None:
    schema.pop("required", None)
    schema["description"] = (
        schema.get("description", "") + " Field-gated: a field is present only when the caller "
        "holds its `<scope>.<field>` node (`<scope>.*`: all)."
    ).strip()


class GatedModel(BaseModel):
    """A staff API object whose fields are gated one by one (reference 004's field gating).

    Declare the object's scope on the class and serialize it with :func:`gated`::

        class CompanyOut(GatedModel, scope="obj.company", label="Company"):
            id: str
            name: str

        return gated(CompanyOut(id=..., name=...), actor)

    Declaring the class registers the family in ``portal.tenancy.FIELD_SCOPES`` (unless its
    area registered it already: then the class must declare exactly that family's fields) with
    one node per field (``obj.company.id``, ``obj.company.name`` …), so the permission
    catalogue and the role editor list them with no hand-kept list. Staff read a field when a
    role grants its node (``obj.company.*``, ``obj.*`` or ``*`` grant all); client principals
    and company keys read every field their tenancy already lets them reach (``client_fields``,
    all by default).
    The documented schema marks no field as required, since any may be gated away.
    """

    model_config = ConfigDict(json_schema_extra=_fields_may_be_absent)
    gate_scope: ClassVar[str] = ""

    def __init_subclass__(
        cls,
        *,
        scope: str = "",
        label: str = "",
        client_fields: tuple[str, ...] | None = None,
        attributes: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)  # the gate's keywords are read below, once built

    @classmethod
    def __pydantic_init_subclass__(
        cls,
        *,
        scope: str = "",
        label: str = "",
        client_fields: tuple[str, ...] | None = None,
        attributes: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if not scope:
            return
        cls.gate_scope = scope
        names = tuple(cls.model_fields)
        family = FIELD_SCOPES.get(scope)
        if family is not None:
            # an area registered the family itself (services need it for their pages too):
            # the API object must expose exactly the fields that family gates
            if set(names) != set(family.fields):
                raise TypeError(
                    f"{cls.__name__} fields {sorted(names)} differ from the {scope} field "
                    f"scope's {sorted(family.fields)}"
                )
            return
        register_field_scope(
            scope,
            names,
            client_fields=names if client_fields is None else client_fields,
            description=f"Which fields of a {label or scope} object one reads",
            attributes=attributes,
        )


def gated(obj: GatedModel, actor: Actor, *, omit: Iterable[str] = ()) -> dict[str, Any]:
    """THE serializer step of every field-gated API object: dump ``obj`` as JSON and keep only
    the fields ``actor`` may read under its class's scope (``portal.tenancy.gate_fields``).

    A role holding only ``obj.company.name`` gets company objects holding only ``name``.
    ``omit`` leaves out fields this answer does not carry at all (a list's per-row extras).
    """
    if not obj.gate_scope:
        raise TypeError(f"{type(obj).__name__} declares no gate scope")
    data = obj.model_dump(mode="json", exclude=set(omit) or None)
    return gate_fields(data, actor, obj.gate_scope)


class Empty(BaseModel):
    """``{}``: what reference 002 answers to a delete or a revoked vote."""
