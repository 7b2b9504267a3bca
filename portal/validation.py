"""Input families validate at the edge, the same way for HTML forms and API bodies.

A model family is ``XBase`` → ``XCreate`` / ``XUpdate`` (subclasses of :class:`InputModel`)
→ ``X(table=True)`` → ``XPublic``. A view turns a form into ``XCreate`` with :func:`validated`
(an :class:`~portal.errors.Invalid` with ``errors={field: [message]}`` → 422 and the form
re-rendered); an API operation declares ``XCreate`` (or a subclass) as its body. Services take
the validated model, never raw strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from portal.errors import Invalid

M = TypeVar("M", bound=BaseModel)


def has_nul(value: Any) -> bool:
    """A NUL character anywhere in a string, or in the keys/values of nested containers."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(v) for v in value)
    return False


def checked_input(data: Any) -> Any:
    """What every input model does first: an absent body (``None``: no JSON at all, or an
    empty one) has no fields, so the model's own defaults and messages apply; NUL is refused
    (PostgreSQL cannot store it, so it would otherwise become a 500)."""
    if data is None:
        return {}
    if has_nul(data):
        raise ValueError("Text may not contain NUL characters.")
    return data


class InputModel(BaseModel):
    """Base of every input model: unknown keys ignored, text stripped, an absent body empty,
    NUL refused (:func:`checked_input`)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _checked_input(cls, data: Any) -> Any:
        return checked_input(data)


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """pydantic errors as ``{field: [message]}`` (the shape of every 422 Stoa answers)."""
    errors: dict[str, list[str]] = {}
    for err in exc.errors(include_url=False, include_context=False, include_input=False):
        loc = [str(p) for p in err.get("loc", ()) if p != "__root__"]
        field = ".".join(loc) or "body"
        message = str(err.get("msg", "Invalid value.")).removeprefix("Value error, ")
        errors.setdefault(field, []).append(message)
    return errors


def validated(model: type[M], data: Mapping[str, Any] | Any) -> M:
    """``data`` as a ``model``, or :class:`Invalid` carrying the field messages.

    ``data`` may be anything a client sent (a decoded JSON body can be a number, a string or a
    list): only a mapping can hold fields, anything else is the same 422.
    """
    if not isinstance(data, Mapping):
        raise Invalid("Some fields need attention.", errors={"body": ["Send a JSON object."]})
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise Invalid("Some fields need attention.", errors=field_errors(exc)) from None


def form_data(form: Any, *, lists: Iterable[str] = ()) -> dict[str, Any]:
    """A submitted form as a plain dict: first value per key, all values for ``lists``.

    An unticked checkbox is absent from a form, so a form names the boxes it showed in hidden
    ``_boxes`` fields; each of those becomes ``True``/``False`` here.
    """
    data: dict[str, Any] = {k: form.get(k) for k in form.keys() if k != "_boxes"}
    for name in lists:
        data[name] = form.getlist(name)
    for box in form.getlist("_boxes") if hasattr(form, "getlist") else ():
        data[box] = box in form
    return data
