"""OpenAPI components are keyed by model class name: two models with one name silently
replace each other in /api/openapi.json (and then responses 'violate' the wrong schema)."""

from __future__ import annotations

import inspect
from collections import defaultdict
from importlib import import_module

from pydantic import BaseModel

from blueprints.api import API_MODULES


def test_api_model_names_are_unique() -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for module_name in (*API_MODULES, "blueprints.api.schemas"):
        module = import_module(module_name)
        for obj in vars(module).values():
            # the module's own models and those it imports (its *_schemas.py beside it)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseModel)
                and obj.__module__.startswith(("blueprints.", "portal.", "services."))
            ):
                seen[obj.__name__].add(obj.__module__)
    clashes = {name: sorted(mods) for name, mods in seen.items() if len(mods) > 1}
    assert not clashes, f"rename one of each: {clashes}"
