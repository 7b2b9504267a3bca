"""Bounded input: huge or hostile bodies are refused before they cost memory or a 500."""

from __future__ import annotations

import io
import json

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.web.limits import MAX_JSON_DEPTH, json_depth


class CountingStream(io.RawIOBase):
    """A request body of ``size`` bytes that remembers how much of it was read."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.position = 0
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:  # the test client measures the body by seeking
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = {0: offset, 1: self.position + offset, 2: self.size + offset}[whence]
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer) -> int:  # noqa: ANN001
        n = max(0, min(len(buffer), self.size - self.position))
        buffer[:n] = b" " * n
        self.position += n
        self.read_bytes += n
        return n


def test_a_100_mb_json_body_before_sign_in_is_refused_unread(client) -> None:
    body = CountingStream(100 * 1024 * 1024)
    resp = client.post(
        "/api/v1/webhook",
        input_stream=body,
        headers={"Content-Type": "application/json", "Content-Length": str(body.size)},
    )
    assert resp.status_code in (401, 413)
    assert resp.get_json()["code"] in ("unauthorized", "payload_too_large")
    assert body.read_bytes == 0


def test_a_huge_form_is_refused_before_parsing(client) -> None:
    body = CountingStream(50 * 1024 * 1024)
    resp = client.post(
        "/login",
        input_stream=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(body.size),
        },
    )
    assert resp.status_code == 413
    assert body.read_bytes == 0


def test_deep_json_is_a_400_not_a_500(client, make_key) -> None:
    key = {"Authorization": f"Bearer {make_key()}"}
    deep = "[" * 1000 + "]" * 1000
    resp = client.post(
        "/api/v1/webhook", data=deep, headers={**key, "Content-Type": "application/json"}
    )
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert resp.get_json()["code"] == "malformed_json"
    shallow = json.dumps({"action": "nope", "data": [[{"b": [1]}]]})
    resp = client.post(
        "/api/v1/webhook", data=shallow, headers={**key, "Content-Type": "application/json"}
    )
    assert resp.status_code == 422  # parsed and validated as usual


def test_json_depth_ignores_brackets_inside_strings() -> None:
    text = json.dumps({"s": "[" * 500, "n": [[[1]]]})
    assert json_depth(text) == 4
    nested = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)
    assert json_depth(nested) == MAX_JSON_DEPTH + 1


def test_uploads_are_not_held_to_the_form_cap(client, login, tenants, make_task, db) -> None:
    """A 3 MB attachment streams through; the same size as a plain form is refused."""
    import os

    from portal.web.limits import MAX_BODY_BYTES

    login(tenants.acme_collab)
    task = make_task(tenants.acme_project)
    big = b"%PDF-1.7\n" + os.urandom(MAX_BODY_BYTES + 1024 * 1024)
    # encoded here, in memory: the test client would spool a large body to an unclosed temp file
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(big), "big.pdf")})
    resp = client.post(
        f"/p/acme-test/tasks/{task.id}/attachments",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert resp.status_code == 303, resp.status_code
    form = client.post(
        f"/p/acme-test/tasks/{task.id}/comments", data={"body": "x" * (MAX_BODY_BYTES + 1)}
    )
    assert form.status_code == 413
