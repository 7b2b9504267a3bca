"""/api/docs: a readable reference rendered on the server from /api/openapi.json.

Swagger UI and Redoc need inline scripts, which the CSP forbids; this page needs no script at
all and is built from the very document the API validates with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Response, current_app

from portal.web.htmx import render_page

REF_PREFIX = "#/components/schemas/"


@dataclass
class Row:
    name: str
    type: str
    required: bool
    notes: str
    ref: str | None = None


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    anchor: str
    parameters: list[Row]
    body: str | None
    responses: list[tuple[str, str, str | None]]  # status, description, schema name


@dataclass
class TagGroup:
    name: str
    description: str
    operations: list[Operation] = field(default_factory=list)


def type_of(schema: dict[str, Any]) -> tuple[str, str | None]:
    """A short human type (``array of PortalOut``, ``string | null``) and a schema to link."""
    if not isinstance(schema, dict):
        return "any", None
    if "$ref" in schema:
        name = schema["$ref"].removeprefix(REF_PREFIX)
        return name, name
    for key in ("anyOf", "oneOf"):
        if key in schema:
            parts = [type_of(s) for s in schema[key]]
            ref = next((r for _, r in parts if r), None)
            return " | ".join(t for t, _ in parts), ref
    if schema.get("type") == "array":
        inner, ref = type_of(schema.get("items", {}))
        return f"array of {inner}", ref
    if "enum" in schema:
        return " | ".join(f'"{v}"' for v in schema["enum"]), None
    if "const" in schema:
        return f'"{schema["const"]}"', None
    kind = schema.get("type", "any")
    if schema.get("format"):
        kind = f"{kind} ({schema['format']})"
    if kind == "object" and "additionalProperties" in schema:
        inner, ref = type_of(schema["additionalProperties"])
        return f"map of {inner}", ref
    return str(kind), None


def notes_of(schema: dict[str, Any]) -> str:
    notes = []
    if schema.get("description"):
        notes.append(schema["description"].replace("<br/>", " "))
    for key, label in (
        ("default", "default"),
        ("minimum", "min"),
        ("maximum", "max"),
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("pattern", "pattern"),
    ):
        value = schema.get(key)
        if value is not None:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            notes.append(f"{label} {value}")
    return "; ".join(notes)


def schema_rows(schema: dict[str, Any]) -> list[Row]:
    required = set(schema.get("required", []))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        kind, ref = type_of(prop)
        rows.append(Row(name, kind, name in required, notes_of(prop), ref))
    return rows


def build_reference(doc: dict[str, Any]) -> dict[str, Any]:
    tags = {t["name"]: TagGroup(t["name"], t.get("description", "")) for t in doc.get("tags", [])}
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            tag = (op.get("tags") or ["Other"])[0]
            group = tags.setdefault(tag, TagGroup(tag, ""))
            params = []
            for p in op.get("parameters", []):
                kind, ref = type_of(p.get("schema", {}))
                notes = notes_of({**p.get("schema", {}), "description": p.get("description")})
                params.append(
                    Row(f"{p['name']} ({p['in']})", kind, p.get("required", False), notes, ref)
                )
            body = None
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = type_of(content["application/json"].get("schema", {}))[1]
            responses = []
            for status, resp in sorted(op.get("responses", {}).items()):
                schema = resp.get("content", {}).get("application/json", {}).get("schema", {})
                responses.append((status, resp.get("description", ""), type_of(schema)[1]))
            group.operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    summary=op.get("summary", ""),
                    description=op.get("description", "").replace("<br/>", " "),
                    anchor=op.get("operationId", f"{method}-{path}"),
                    parameters=params,
                    body=body,
                    responses=responses,
                )
            )
    schemas = {
        name: {
            "rows": schema_rows(s),
            "description": (s.get("description") or "").replace("<br/>", " "),
            "variants": [type_of(v)[1] for v in s.get("oneOf", [])],
        }
        for name, s in sorted(doc.get("components", {}).get("schemas", {}).items())
    }
    return {
        "info": doc.get("info", {}),
        "security": doc.get("components", {}).get("securitySchemes", {}),
        "groups": [g for g in tags.values() if g.operations],
        "schemas": schemas,
    }


def api_docs() -> Response:
    reference = build_reference(current_app.api_doc)  # type: ignore[attr-defined]
    return render_page("api/docs.html", **reference)
