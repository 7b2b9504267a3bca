"""``id_url``: one ``url_for`` for a whole list of links that differ only in an id."""

from __future__ import annotations

import pytest
from flask import g, url_for

from portal.web.urls import id_url


def test_matches_url_for_for_every_id(app) -> None:
    with app.test_request_context("/p/acme-test/tasks"):
        g.portal_slug = "acme-test"
        task = id_url("tasks.task", "task_id", slug="acme-test")
        move = id_url("tasks.move", "task_id", slug="acme-test")
        for task_id in (1, 42, 918273645, 10**12):
            assert task(task_id) == url_for("tasks.task", task_id=task_id, slug="acme-test")
            assert move(task_id) == url_for("tasks.move", task_id=task_id, slug="acme-test")


def test_refuses_what_is_not_an_int(app) -> None:
    with app.test_request_context("/"):
        task = id_url("tasks.task", "task_id", slug="acme-test")
        with pytest.raises(ValueError):
            task("1/../../admin")  # type: ignore[arg-type]
