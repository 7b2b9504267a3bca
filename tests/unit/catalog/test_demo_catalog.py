"""The demo catalog and opportunities: loaded once, linked, priced in Decimal."""

from __future__ import annotations

from sqlmodel import func, select

from portal.models.catalog import CatalogItem, CatalogLink, Opportunity, OpportunityProduct
from services.demo import load_demo


def test_demo_catalog_and_opportunities_load_once(db) -> None:
    load_demo(db)
    items = db.exec(select(func.count()).select_from(CatalogItem)).one()
    categories = db.exec(select(func.count(func.distinct(CatalogItem.category)))).one()
    assert 50 <= items <= 70 and categories >= 4
    assert db.exec(select(CatalogLink).where(CatalogLink.kind == "accessory")).first()
    assert db.exec(select(CatalogLink).where(CatalogLink.kind == "replacement")).first()
    opps = db.exec(select(Opportunity)).all()
    assert {o.status for o in opps} == {"open"} and len(opps) >= 3
    assert [o.name for o in opps if o.crm_id] == ["Acme HQ network refresh"]  # one in the CRM
    assert db.exec(select(func.count()).select_from(OpportunityProduct)).one() > len(opps)
    assert load_demo(db) is False
    assert db.exec(select(func.count()).select_from(CatalogItem)).one() == items
