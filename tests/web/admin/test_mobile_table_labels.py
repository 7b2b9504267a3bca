"""At phone width a staff table's rows become cards and its header is hidden: every cell but
an actions cell names its column (``data-label``), which the one mobile table rule shows."""

from __future__ import annotations

import re

from tests.factories.catalog import add_line, make_item, make_opportunity

TABLE = re.compile(r'<table class="([^"]*)"[^>]*>(.*?)</table>', re.S)
CELL = re.compile(r"<td\b([^>]*)>", re.S)


def _unlabelled(html: str) -> list[str]:
    missing = []
    for classes, body in TABLE.findall(html):
        if "table" not in classes.split():
            continue
        for attrs in CELL.findall(body):
            if 'data-label="' in attrs and 'data-label=""' not in attrs:
                continue
            if re.search(r'class="[^"]*\bactions\b', attrs):
                continue
            missing.append(f"{classes}: <td{attrs}>")
    return missing


def test_every_staff_table_cell_names_its_column(app, db, client, login, tenants) -> None:
    opp = make_opportunity(db, tenants.acme, "Branch rollout", stage="Quoted")
    add_line(db, opp, make_item(db, "Switch 48", price="1234.00"), quantity="2")
    login(tenants.staff_admin)
    paths = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin")
        and not rule.arguments
        and "GET" in (rule.methods or set())
        and not rule.rule.endswith(".csv")
    )
    paths += [f"/admin/opportunities/{opp.id}", "/p/acme-test/files/downloads"]
    failures = []
    checked = 0
    for path in paths:
        resp = client.get(path)
        if resp.status_code != 200 or "text/html" not in resp.content_type:
            continue
        html = resp.get_data(as_text=True)
        checked += html.count("<td")
        failures += [f"{path}: {cell}" for cell in _unlabelled(html)]
    assert checked, "no table cells rendered"
    assert not failures, "\n".join(failures)
