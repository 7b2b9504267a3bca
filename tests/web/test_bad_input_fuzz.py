"""Bad input never becomes a 500: every rule of ``app.url_map`` (HTML and API, GET and writes)
is requested as staff admin and as a client admin with hostile path values, query arguments,
form fields and JSON bodies.

Path arguments get ids beyond 2**63, negatives, Unicode digits, ``NaN``, very long strings and
NUL bytes; so do the common query arguments. Write methods get forms and JSON bodies built from
the field names of every input model (numbers of 10**30, wrong types, deep nesting). Any
response >= 500, or an exception escaping a view, fails the test.

The value combinations are sampled (a fixed rotation, so failures reproduce), but every rule
and method is requested with every role.
"""

from __future__ import annotations

import itertools
import json
import traceback
from collections.abc import Iterator, Sequence
from typing import Any, get_args

import pytest
from flask import Flask
from pydantic import BaseModel

from blueprints.api.schemas import ApiModel
from portal.validation import InputModel
from services.accounts.tokens import create_service_token
from tests.web.probe import ARG_RESOLVERS

BAD_VALUES: tuple[str, ...] = (
    str(2**63),
    str(2**63 + 1),
    str(2**31),
    "-1",
    "²",
    "٣",
    "NaN",
    "1e400",
    "9" * 400,
    "x" * 5000,
    "\x00",
    "1\x00",
    "",
)
# NUL anywhere in a query or form is refused before any view runs (a 400): sending it in every
# request would hide what the other values do, so only some requests carry it.
TEXT_VALUES = tuple(v for v in BAD_VALUES if "\x00" not in v)
QUERY_ARGS: tuple[str, ...] = (
    "page",
    "person",
    "project",
    "assignee",
    "order",
    "per_page",
    "status",
    "q",
    "limit",
    "offset",
    "folder",
    "version",
    "action",
    "filter",
    "company_id",
    "is_staff",
    "email",
    "format",
    "inline",
    "next",
    "list",
    "category",
    "sort",
)
# Plausible values for string fields, so a body's one bad number is not hidden behind an
# earlier validation error of a neighbouring field.
PLAUSIBLE: dict[str, Any] = {
    "email": "fuzz@example.test",
    "url": "https://example.test/fuzz.pdf",
    "name": "fuzz.pdf",
    "filename": "fuzz.pdf",
    "due_date": "2026-01-31",
    "date": "2026-01-31",
    "role": "collaborator",
    "status": "todo",
    "resourceType": "project",
    "action": "create_portal",
}
WRONG_TYPES: tuple[Any, ...] = ([], {"x": [1]}, "NaN", True, None, -1.5, "²", [10**30])
DEPTHS = (63, 200)
WRITE = ("POST", "PUT", "PATCH", "DELETE")
DESTRUCTIVE = ("/delete", "/revoke", "/detach", "/cancel")


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def input_fields() -> tuple[set[str], set[str]]:
    """(names of integer-ish fields, names of other fields) over every input model."""
    numbers: set[str] = set()
    others: set[str] = set()
    for model in itertools.chain(_subclasses(InputModel), _subclasses(ApiModel)):
        if not issubclass(model, BaseModel):
            continue
        for name, info in model.model_fields.items():
            names = {name, info.alias} - {None}
            kinds = {info.annotation, *get_args(info.annotation)}
            bucket = numbers if kinds & {int, float} else others
            bucket.update(n for n in names if isinstance(n, str))
    return numbers, others - numbers


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"x": [value]} if depth % 2 else [value]
    return value


def json_bodies(numbers: set[str], others: set[str]) -> list[Any]:
    plain = {name: PLAUSIBLE.get(name, "fuzz") for name in others}
    wrong = itertools.cycle(WRONG_TYPES)
    return [
        plain | dict.fromkeys(numbers, 10**30),
        plain | dict.fromkeys(numbers, -(10**30)),
        plain | dict.fromkeys(numbers, 2**63),
        plain | {name: str(10**30) for name in numbers},
        {name: next(wrong) for name in sorted(numbers | others)},
        plain | {name: nested(DEPTHS[0]) for name in sorted(numbers)[:3]},
        nested(DEPTHS[1]),
        None,
        [],
        "text",
        10**30,
        "",
    ]


def form_bodies(numbers: set[str], others: set[str]) -> list[dict[str, str]]:
    plain = {name: str(PLAUSIBLE.get(name, "fuzz")) for name in others}
    bodies = [plain | dict.fromkeys(numbers, bad) for bad in TEXT_VALUES]
    rotation = itertools.cycle(TEXT_VALUES)
    bodies.append({name: next(rotation) for name in sorted(numbers | others)})
    bodies.append(plain | dict.fromkeys(sorted(numbers | others)[::7], "1\x00"))
    return bodies


def substitute(rule: str, values: dict[str, str]) -> str:
    path = rule
    for name, value in values.items():
        for conv in ("", "int:", "string:", "path:"):
            path = path.replace(f"<{conv}{name}>", value)
    return path


def valid_values(rule: Any, world: Any) -> dict[str, str]:
    fallback = {
        "filename": "css/base.css",
        "token": "no-such-token",
        "provider": "google",
        "status_id": "1",
        "anonymous_id": "fuzz-anonymous-voter",
        "type_id": "1",
        "template_id": "1",
        "logo_key": "0" * 40 + ".png",
        "identifier": "1",
        "category": "role",
        "tab_key": "roadmap",
        "embed_key": getattr(getattr(world, "acme_widget", None), "key", "no-such-widget"),
    }
    values = {
        arg: str(ARG_RESOLVERS[arg](world)) if arg in ARG_RESOLVERS else fallback[arg]
        for arg in rule.arguments
    }
    if rule.rule in DISPOSABLE_USER_RULES:  # these edit, block or delete the user they name
        values["user_id"] = str(world.acme_disposable.id)
    return values


DISPOSABLE_USER_RULES = frozenset({"/api/v1/users/<int:user_id>"})


def ordered_rules(app: Flask) -> list[tuple[Any, str]]:
    """Every (rule, method): reads first, then writes, destructive writes later (so they do not
    remove the objects the other requests probe), signing out last."""
    pairs = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]

    def order(pair: tuple[Any, str]) -> tuple[int, str, str]:
        rule, method = pair
        if rule.rule.startswith("/logout"):
            rank = 3  # ends every session of the user: nothing after it would be signed in
        elif method == "GET":
            rank = 0
        elif method == "DELETE" or rule.rule.endswith(DESTRUCTIVE):
            rank = 2
        else:
            rank = 1
        return rank, rule.rule, method

    return sorted(pairs, key=order)


# samples per (rule, method, principal); the rotation carries on across them, so together they
# cover every value
PER_ARG = 2
PER_WRITE = 2
QUERIES = {True: 2, False: 1}


class Rotation:
    """Deterministic sampling: each pick continues where the previous one stopped."""

    def __init__(self) -> None:
        self.turn = 0

    def pick(self, items: Sequence[Any], k: int) -> list[Any]:
        chosen = [items[(self.turn + i) % len(items)] for i in range(k)]
        self.turn += k
        return chosen


def bad_query(rotation: Rotation) -> dict[str, str]:
    """Every common query argument, each with a different bad value."""
    return dict(zip(QUERY_ARGS, rotation.pick(TEXT_VALUES, len(QUERY_ARGS)), strict=True))


class Fuzzer:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.failures: dict[tuple[str, str], list[str]] = {}
        self.requests = 0
        self.hit: set[tuple[str, str]] = set()

    def send(self, rule: str, method: str, path: str, **kwargs: Any) -> None:
        self.requests += 1
        self.hit.add((rule, method))
        shown = f"{method} {path[:120]!r} {str(kwargs)[:200]}"
        try:
            resp = self.client.open(path, method=method, **kwargs)
        except Exception:  # an exception escaping a view is what a 500 is made of
            self.fail(rule, method, f"{shown} -> {traceback.format_exc(limit=-2)}")
            return
        resp.close()
        if resp.status_code >= 500:
            self.fail(rule, method, f"{shown} -> {resp.status_code}")

    def fail(self, rule: str, method: str, detail: str) -> None:
        self.failures.setdefault((rule, method), []).append(detail)

    def report(self) -> str:
        total = sum(len(v) for v in self.failures.values())
        lines = [f"{total} of {self.requests} requests failed on {len(self.failures)} rules:"]
        for (rule, method), details in sorted(self.failures.items()):
            lines.append(f"{method} {rule} ({len(details)}x), e.g. {details[0]}")
        return "\n".join(lines)


@pytest.fixture
def worker_headers(db, probe_world):
    _, token = create_service_token(db, name="fuzz")
    return {
        "Authorization": f"Bearer {token}",
        "X-Portal-Company-Id": str(probe_world.acme.id),
        "X-Portal-User-Role": "admin",
        "X-Portal-User-Id": str(probe_world.acme_admin.id),
    }


def test_bad_input_never_answers_5xx(app, client, login, probe_world, worker_headers) -> None:
    world = probe_world
    numbers, others = input_fields()
    assert {"size", "approver_id"} <= numbers, "the input models' fields were not collected"
    jsons = json_bodies(numbers, others)
    forms = form_bodies(numbers, others)
    fuzz = Fuzzer(client)
    pairs = ordered_rules(app)
    principals: list[tuple[str, Any]] = [
        ("staff", world.staff_admin),
        ("client", world.acme_admin),
        ("worker", None),
        ("anonymous", None),
    ]
    rotation = Rotation()
    for who, user in principals:
        for rule, method in pairs:
            if who == "worker" and not rule.rule.startswith("/api/portal/"):
                continue
            # again for every rule: a write may have changed what the session holds
            if user is not None:
                login(user)
            else:
                client.delete_cookie("stoa_session")
            headers = worker_headers if who == "worker" else {}
            good = valid_values(rule, world)
            path = substitute(rule.rule, good)

            def send(**kwargs: Any) -> None:
                fuzz.send(rule.rule, method, kwargs.pop("path", path), headers=headers, **kwargs)  # noqa: B023

            if who == "anonymous":
                # nobody signed in: the bounds hold before authentication too
                if method in WRITE:
                    for text in (json.dumps(jsons[0]), "[" * 1000 + "]" * 1000):
                        send(data=text, content_type="application/json")
                else:
                    send(query_string=bad_query(rotation))
                continue
            if who == "staff":
                # bad path values never match a converter, whoever asks: once per rule
                for arg in rule.arguments:
                    for bad in rotation.pick(BAD_VALUES, PER_ARG):
                        send(path=substitute(rule.rule, good | {arg: bad}))
            for n in range(QUERIES[method == "GET"]):
                query = bad_query(rotation)
                if n == 1:  # some requests carry a NUL too
                    query[rotation.pick(QUERY_ARGS, 1)[0]] = "\x00"
                send(query_string=query)
            if method not in WRITE:
                continue
            for body in [jsons[0], *rotation.pick(jsons[1:], PER_WRITE)]:
                send(data=json.dumps(body), content_type="application/json")
            for form in rotation.pick(forms, PER_WRITE):
                send(data=form)
            send()  # no body at all
    every = {(rule.rule, method) for rule, method in pairs}
    assert fuzz.hit == every, f"rules never requested: {sorted(every - fuzz.hit)}"
    assert not fuzz.failures, fuzz.report()


def test_nul_in_a_path_segment_names_nothing(client, login, tenants) -> None:
    login(tenants.acme_admin)
    assert client.get("/p/%00/tasks").status_code == 404
    assert client.get(f"/p/{tenants.acme.slug}/files/uploads/ab%00cd").status_code == 404


def test_nul_in_a_query_or_form_is_a_400(client, login, tenants) -> None:
    assert client.post("/login", data={"email": "a\x00@x.test", "password": "x"}).status_code == 400
    login(tenants.acme_admin)
    assert client.get(f"/p/{tenants.acme.slug}/tasks?q=a%00").status_code == 400


@pytest.mark.parametrize("who", ["staff_admin", "acme_admin"])
def test_every_api_write_takes_an_empty_body(app, client, login, probe_world, who) -> None:
    """No body is no fields (red-team #11): an action answers as it would to ``{}``, never
    "Input should be a valid dictionary"."""
    login(getattr(probe_world, who))
    refused = []
    for rule, method in ordered_rules(app):
        if not rule.rule.startswith("/api/v1/") or method not in WRITE:
            continue
        path = substitute(rule.rule, valid_values(rule, probe_world))
        for empty in ({}, {"data": b"", "content_type": "application/json"}):
            resp = client.open(path, method=method, **empty)
            if "valid dictionary" in resp.get_data(as_text=True):
                refused.append(f"{method} {path} {empty}")
    assert not refused, refused
