"""Field gating has one serializer step: every gated staff API object is a ``GatedModel``
serialized with ``gated()``; no API module filters fields by hand."""

from __future__ import annotations

import re
from pathlib import Path

from blueprints.api.schemas import GatedModel
from portal.tenancy import FIELD_SCOPES

API = Path(__file__).resolve().parents[2] / "blueprints" / "api"

# reference 004's gated objects (WiFi networks are gated in their service: their shape is the
# controller's configuration, not a declared model)
GATED_OBJECTS = {
    "obj.company",
    "obj.user",
    "obj.role",
    "obj.networkSite",
    "obj.credential",
    "obj.credentialType",
    "obj.catalogItem",
    "obj.opportunity",
}


def _gated_classes() -> dict[str, type[GatedModel]]:
    import blueprints.api.v1  # noqa: F401 - every API module, so every class is declared

    found: dict[str, type[GatedModel]] = {}
    todo: list[type[GatedModel]] = [GatedModel]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.gate_scope:
                found[sub.gate_scope] = sub
            todo.append(sub)
    return found


def test_every_gated_object_is_a_gated_model(app) -> None:
    classes = _gated_classes()
    assert GATED_OBJECTS <= set(classes), GATED_OBJECTS - set(classes)
    for scope in GATED_OBJECTS:
        assert set(classes[scope].model_fields) == set(FIELD_SCOPES[scope].fields), scope


def test_no_api_module_gates_fields_by_hand() -> None:
    by_hand = [
        p.relative_to(API).as_posix()
        for p in API.rglob("*.py")
        if p.name != "schemas.py" and re.search(r"\bgate_fields\(", p.read_text(encoding="utf-8"))
    ]
    assert not by_hand, f"serialize with gated(), not gate_fields(): {by_hand}"
