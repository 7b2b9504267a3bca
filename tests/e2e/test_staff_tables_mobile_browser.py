"""At 375 px a staff table's cells name their columns (the header row is hidden there)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

LABELS = """rows => rows.map(tr => [...tr.querySelectorAll('td')].slice(1).map(td =>
  [td.dataset.label || '', getComputedStyle(td, '::before').content]))"""


@pytest.mark.parametrize("path", ["/admin/opportunities/", "/admin/people/"])
def test_every_cell_but_the_title_shows_its_column_at_375(page_factory, path: str) -> None:
    page = page_factory(width=375)
    sign_in(page, "admin@northwind.test")
    page.goto(path)
    rows = page.locator("table.table tbody tr")
    assert rows.count() > 0
    cells = [cell for row in rows.evaluate_all(LABELS) for cell in row]
    labelled = [(label, content) for label, content in cells if label]
    assert labelled
    assert all(content == f'"{label}: "' for label, content in labelled), labelled
    wide = page.locator("table.table thead")
    assert not wide.first.is_visible()
    assert not page.errors
