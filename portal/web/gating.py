"""Field gating on pages: the API's ``gated()`` step for templates.

A page showing a gated object passes it through ``gate_object`` (in a template: the ``gated``
filter, ``{% set item = row.item|gated("obj.catalogItem") %}``). It answers from the very
registry the API uses (``portal.tenancy.FIELD_SCOPES`` and ``readable_fields``): an attribute
showing a field the actor's roles do not grant comes back :class:`Withheld`, which renders as
a muted "Hidden" — so a template shows fields without one ``if`` per field and role.

The object's ``id`` always passes: it names the row in links, and the row itself is already
one the actor may reach (tenancy decided that before the page was built).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from portal.tenancy import FIELD_SCOPES, Actor, FieldScope, readable_fields

WITHHELD_HTML = Markup(
    '<span class="withheld" title="Your role does not show this field">Hidden</span>'
)


class Withheld:
    """A field value the viewer may not read. Renders "Hidden"; anything read from it is
    withheld too; it is never equal to, nor greater or less than, a real value."""

    __slots__ = ("field",)

    def __init__(self, field: str) -> None:
        self.field = field

    def __html__(self) -> str:
        return str(WITHHELD_HTML)

    def __str__(self) -> str:
        return "Hidden"

    def __bool__(self) -> bool:
        return True  # "is it set?" — the viewer cannot know: render the marker, not "none"

    def __iter__(self) -> Any:
        return iter(())

    def __getattr__(self, name: str) -> Withheld:
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Withheld)

    def __hash__(self) -> int:
        return hash(("withheld", self.field))

    def __lt__(self, other: object) -> bool:
        return False

    __le__ = __gt__ = __ge__ = __lt__


def is_withheld(value: object) -> bool:
    return isinstance(value, Withheld)


class GatedObject:
    """A read-only view of ``obj``: attributes showing withheld fields are :class:`Withheld`."""

    __slots__ = ("_obj", "_family", "_allowed")

    def __init__(self, obj: Any, family: FieldScope, allowed: frozenset[str]) -> None:
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_family", family)
        object.__setattr__(self, "_allowed", allowed)

    def __getattr__(self, name: str) -> Any:
        field = self._family.field_of(name) if name != "id" else None
        if field is not None and field not in self._allowed:
            return Withheld(field)
        return getattr(self._obj, name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a gated object is read-only")


def gate_object(obj: Any, actor: Actor, scope: str) -> Any:
    """``obj`` as ``actor`` may see it under ``scope`` (itself when every field is readable)."""
    if obj is None or isinstance(obj, GatedObject):
        return obj
    family = FIELD_SCOPES[scope]
    allowed = readable_fields(actor, scope)
    if allowed >= set(family.fields):
        return obj
    return GatedObject(obj, family, allowed)


def passes_withheld(fn: Any) -> Any:
    """Wrap a formatting filter so a withheld value stays withheld (``|timeago``, ``|date``)."""

    def wrapped(value: Any, *args: Any, **kwargs: Any) -> Any:
        return value if isinstance(value, Withheld) else fn(value, *args, **kwargs)

    wrapped.__name__ = getattr(fn, "__name__", "filter")
    wrapped.__doc__ = fn.__doc__
    return wrapped
