from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import htmx_settled, sign_in

pytestmark = pytest.mark.e2e

BOARD = "/p/acme/tasks"


def _card(page, title: str):  # noqa: ANN001, ANN202
    return page.locator(".task-card", has=page.locator(".task-card-title", has_text=title))


def _drag(page, handle, target) -> None:  # noqa: ANN001
    """Press on the handle, move in steps (as a hand would), release over the target."""
    start = handle.bounding_box()
    end = target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    x, y = end["x"] + end["width"] / 2, end["y"] + min(end["height"] / 2, 40)
    page.mouse.move(x, y, steps=12)
    page.mouse.move(x, y + 2, steps=2)
    page.mouse.up()


def _column_of(page, title: str) -> str:  # noqa: ANN001
    return _card(page, title).evaluate("el => el.parentElement.getAttribute('data-status')")


def test_drag_a_card_from_open_to_in_progress(page_factory) -> None:
    page = page_factory()
    sign_in(page, "dev@acme.test")
    page.goto(BOARD)
    title = "Business card and letterhead"
    assert _column_of(page, title) == "open"
    handle = _card(page, title).locator(".drag-handle")
    target = page.locator('.kanban-list[data-status="in_progress"]')
    with page.expect_response(lambda r: r.url.endswith("/move")) as moved:
        _drag(page, handle, target)
    assert moved.value.status == 303
    assert _column_of(page, title) == "in_progress"
    page.reload()
    assert _column_of(page, title) == "in_progress"
    assert _card(page, title).get_attribute("data-status") == "in_progress"
    page.click(".tabbar a[data-tab=dashboard]")
    page.wait_for_url(re.compile(r"/p/acme/dashboard$"))
    expect(page.locator(".feed", has_text=f"moved {title} to In progress")).to_be_visible()
    assert not page.errors, page.errors


def test_a_refused_move_rolls_back_with_a_message(page_factory) -> None:
    page = page_factory()
    sign_in(page, "dev@acme.test")
    page.goto(BOARD)
    title = "Colour palette with contrast checks"
    card = _card(page, title)
    assert _column_of(page, title) == "open"
    # Meanwhile someone else moves the task: the board on this page is now stale.
    status = page.evaluate(
        """url => fetch(url, {method: 'POST', redirect: 'manual',
              headers: {'X-CSRFToken': document.querySelector('meta[name=csrf-token]').content},
              body: new URLSearchParams({status: 'up_next', from_status: 'open'})})
            .then(r => r.type)""",
        card.get_attribute("data-move-url"),
    )
    assert status == "opaqueredirect"
    with page.expect_response(lambda r: r.url.endswith("/move")) as refused:
        _drag(
            page,
            card.locator(".drag-handle"),
            page.locator('.kanban-list[data-status="complete"]'),
        )
    assert refused.value.status == 409
    page.wait_for_selector(".toast-error")
    assert "moved this task meanwhile" in page.locator(".toast-error").first.inner_text()
    assert _column_of(page, title) == "open"  # back where it was
    # the console logs the refused request itself; nothing else may go wrong
    assert all("409" in e for e in page.errors), page.errors


def test_keyboard_move_with_the_status_select(page_factory) -> None:
    page = page_factory()
    sign_in(page, "dev@acme.test")
    page.goto(BOARD)
    title = "Pick the primary typeface"
    with page.expect_response(lambda r: r.url.endswith("/move")):
        _card(page, title).locator(".task-status-select").select_option("complete")
    assert _column_of(page, title) == "complete"
    page.reload()
    assert _column_of(page, title) == "complete"
    assert not page.errors, page.errors


def test_viewer_gets_a_read_only_board(page_factory) -> None:
    page = page_factory()
    sign_in(page, "viewer@acme.test")
    page.goto(BOARD)
    assert page.locator(".task-card").count() > 4
    assert page.locator(".drag-handle").count() == 0
    assert page.locator(".task-status-select").count() == 0
    assert not page.errors, page.errors


def test_drawer_opens_in_place_and_its_url_is_a_page(page_factory) -> None:
    page = page_factory()
    sign_in(page, "owner@acme.test")
    page.goto(BOARD)
    page.evaluate("window.__marker = 'kept'")
    page.click(".task-card-title:has-text('Logo concepts, round 2')")
    page.wait_for_selector("#task-drawer")
    assert re.search(r"/p/acme/tasks/\d+$", page.url)
    assert page.evaluate("window.__marker") == "kept"
    page.fill("#c-body", "Ship the warmer header, please")
    page.click(".comment-form button[type=submit]")
    page.wait_for_selector(".comment-text:has-text('Ship the warmer header')")
    # the drawer's status select moves the card on the board behind it
    task_id = page.get_attribute("#task-drawer", "data-task-id")
    htmx_settled(page)  # the comment re-drew the drawer: its status form is wired up first
    with page.expect_response(lambda r: r.url.endswith("/move")):
        page.select_option("#task-drawer .drawer-status select", "up_next")
    page.wait_for_selector(f'.kanban-list[data-status="up_next"] [data-task-id="{task_id}"]')
    page.reload()
    expect(page.locator("#task-drawer .comment-text", has_text="warmer header")).to_be_visible()
    page.keyboard.press("Escape")
    page.wait_for_selector("#task-drawer", state="detached")
    assert not page.errors, page.errors


def test_client_sends_a_request(page_factory) -> None:
    page = page_factory()
    sign_in(page, "dev@acme.test")
    page.goto("/p/acme/tasks/requests")
    page.fill("#r-title", "Translate the pricing page")
    page.select_option("#r-priority", "high")
    page.click("#request-form button[type=submit]")
    page.wait_for_selector(".request-row:has-text('Translate the pricing page')")
    expect(page.locator(".toast-success")).to_be_visible()
    assert not page.errors, page.errors


@pytest.mark.parametrize("width", [1280, 375])
def test_tasks_pages_fit_the_screen(page_factory, width) -> None:
    page = page_factory(width=width)
    sign_in(page, "pm@northwind.test")
    for path in [
        "/p/acme/dashboard",
        BOARD,
        f"{BOARD}?view=list",
        f"{BOARD}?view=calendar",
        f"{BOARD}/requests",
    ]:
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    assert not page.errors, page.errors


def test_list_view_columns_line_up_across_groups(page_factory) -> None:
    page = page_factory(width=1280)
    sign_in(page, "owner@acme.test")
    page.goto(f"{BOARD}?view=list")
    tables = page.locator(".task-table")
    assert tables.count() >= 2  # the demo project's tasks sit in several lists
    for column in range(1, 6):  # every column starts and ends at the same x in every group
        edges = {
            tuple(
                round(v)
                for v in table.locator(f"tbody tr:first-child td:nth-child({column})").evaluate(
                    "td => { const r = td.getBoundingClientRect(); return [r.left, r.right]; }"
                )
            )
            for table in tables.all()
        }
        assert len(edges) == 1, (column, edges)
