"""The bare Flask "hello" the bench compares every target with (same gunicorn command)."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello"


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
