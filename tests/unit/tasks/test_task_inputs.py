"""The task input families: one set of rules for the HTML forms and both APIs."""

from __future__ import annotations

from datetime import date

import pytest

from portal.errors import Invalid
from portal.models.task import RequestCreate, TaskCreate, TaskFilters, TaskUpdate
from portal.validation import validated


def test_form_text_becomes_typed_values() -> None:
    data = validated(
        TaskCreate,
        {
            "title": "  Write the copy ",
            "project_id": "7",
            "due_date": "",
            "list_id": "",
            "assignee_ids": ["3", "4"],
            "csrf_token": "ignored",
        },
    )
    assert data.title == "Write the copy" and data.project_id == 7
    assert data.due_date is None and data.list_id is None and data.assignee_ids == [3, 4]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"title": " "}, "title", "Give the task a title."),
        ({"title": "x" * 301}, "title", "Keep the title under 300 characters."),
        ({"title": "x", "due_date": "soon"}, "due_date", "Use a date like 2026-12-31."),
        ({"title": "x", "due_date": "2031-02-30"}, "due_date", "Use a date like 2026-12-31."),
        ({"title": "x", "due_date": 1700000000}, "due_date", "Use a date like 2026-12-31."),
    ],
)
def test_rules_and_messages_are_written_once(body, field, message) -> None:
    with pytest.raises(Invalid) as exc:
        validated(TaskCreate, body)
    assert exc.value.errors[field] == [message]


@pytest.mark.parametrize(
    "body",
    [
        {"title": "x", "assignee_ids": [True]},
        {"title": "x", "assignee_ids": [2**31]},
        {"title": "x", "project_id": 0},
        {"title": "x", "is_private": "yes"},
        {"title": "x", "status": "done"},
        {"title": "x\x00"},
    ],
)
def test_json_values_stay_strict(body) -> None:
    with pytest.raises(Invalid):
        validated(TaskCreate, body)


def test_update_keeps_what_null_means() -> None:
    data = validated(
        TaskUpdate,
        {"title": None, "status": None, "due_date": None, "list": "", "description": None},
    )
    assert data.changes() == {"due_date": None, "list_name": "", "description": None}
    assert validated(TaskUpdate, {}).changes() == {}


def test_request_priority_defaults_and_ignores_case() -> None:
    assert validated(RequestCreate, {"title": "Help", "priority": ""}).priority == "medium"
    assert validated(RequestCreate, {"title": "Help", "priority": "HIGH"}).priority == "high"
    with pytest.raises(Invalid) as exc:
        validated(RequestCreate, {"title": ""})
    assert exc.value.errors["title"] == ["Tell us what you need in a few words."]


def test_board_filters_ignore_what_means_nothing() -> None:
    filters = validated(
        TaskFilters,
        {"view": "gantt", "assignee": "x", "due": "bogus", "priority": "high", "month": "2026-13"},
    )
    assert (filters.view, filters.assignee, filters.due, filters.month) == (
        "board",
        None,
        None,
        None,
    )
    assert filters.priority == "high" and filters.query() == {"priority": "high"}
    month = validated(TaskFilters, {"view": "calendar", "month": "2026-03", "project": "12"})
    assert (month.view, month.month, month.project) == ("calendar", date(2026, 3, 1), 12)
