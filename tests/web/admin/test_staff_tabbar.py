"""The staff tab bar: Portals plus four menus (Clients, Work, Money, Settings), not 17 tabs."""

from __future__ import annotations

import re

from portal.models import Role, UserRole
from portal.tenancy import actor_for_user
from portal.web.staff_nav import staff_nav


def _bar(html: str) -> str:
    return html[html.index('<nav class="tabbar staff-tabbar"') : html.index("</nav>")]


def test_an_admin_gets_portals_and_four_menus(client, login, tenants) -> None:
    login(tenants.staff_admin)
    bar = _bar(client.get("/admin/people/").get_data(as_text=True))
    assert re.findall(r'data-group="(\w+)"', bar) == ["clients", "work", "money", "settings"]
    assert len(re.findall(r'class="tab[ "]', bar)) == 5  # Portals + four menu triggers
    for label in ("Companies", "People", "Vault", "Invoices", "Roles", "Audit log", "Webhooks"):
        assert f">{label}</a>" in bar
    # the open section is marked on its menu and on its link
    assert 'is-current">Clients<span class="sr-only"> (current: People)' in bar
    assert 'aria-current="page">People</a>' in bar


def test_a_menu_with_nothing_for_the_role_is_absent(db, client, login, make_user) -> None:
    user = make_user(staff="custom")
    role = Role(name="Plain", permissions=["portal.all"])
    db.add(role)
    db.flush()
    db.add(UserRole(user_id=user.id, role_id=role.id))
    db.flush()
    login(user)
    bar = _bar(client.get("/admin/").get_data(as_text=True))
    assert re.findall(r'data-group="(\w+)"', bar) == ["clients", "work"]
    assert "Vault" not in bar and "Invoices" not in bar and "Roles" not in bar


def test_the_menus_come_from_view_data_not_template_arithmetic(app, db, tenants) -> None:
    source, _, _ = app.jinja_env.loader.get_source(app.jinja_env, "layouts/staff.html")
    assert ".can(" not in source
    admin = actor_for_user(db, tenants.staff_admin)
    keys = lambda groups: {link.key for g in groups for link in g.links}  # noqa: E731
    assert "outbox" in keys(staff_nav(admin, production=False))
    assert "outbox" not in keys(staff_nav(admin, production=True))
