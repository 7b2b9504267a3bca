"""/api/v1 Feedback, the board's structure and raw feedback (reference 002): the board's
``portal``, its ``tabs`` and their ``sections``, the embeddable ``widgets``, raw ``feedback``
entries with ``summarize``, and the ``product-vision``. Scopes feedback:read / feedback:write.

A company key speaks for its company's board; an agency key names the portal (``portal_id``).
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from blueprints.api import api_blueprint, path_object
from blueprints.api.auth import require_scope
from blueprints.api.schemas import Empty
from blueprints.api.v1.feedback import READ, WRITE, author_out
from blueprints.api.v1.feedback_board_schemas import (
    BoardPortalData,
    BoardPortalOut,
    BoardQuery,
    EntryData,
    EntryIn,
    EntryList,
    EntryOut,
    EntryPatch,
    EntryPath,
    FeedbackSummaryData,
    FeedbackSummaryOut,
    SectionData,
    SectionIn,
    SectionList,
    SectionOut,
    SectionPatch,
    SectionPath,
    SectionQuery,
    SummarizeIn,
    TabData,
    TabList,
    TabOut,
    TabPath,
    VisionData,
    VisionGenerateIn,
    VisionIn,
    VisionOut,
    WidgetData,
    WidgetList,
    WidgetOut,
    WidgetPath,
    WordCount,
)
from portal.db import get_session
from portal.models import FeedbackSection, FeedbackWidget, ProductVision
from portal.models.feedback import EntryCreate, SummarizeFilters, VisionUpdate
from portal.tenancy import get_for_actor
from portal.web.urls import base_url
from services.feedback import entries, posts, sections, taxonomy, vision, widgets
from services.feedback.entries import EntryRecord

bp = api_blueprint(
    "api_feedback_board",
    __name__,
    url_prefix="/api/v1",
    tag="Feedback",
    description="The feedback board (reference 002): tabs, sections, widgets, raw feedback "
    "and the product vision.",
)


@path_object("section_id")
def _load_section(session, actor, value: int):  # noqa: ANN001, ANN202
    return get_for_actor(session, FeedbackSection, value, actor)


@path_object("widget_key")
def _load_widget(session, actor, value):  # noqa: ANN001, ANN202
    return widgets.get_widget(session=session, actor=actor, key=str(value))


@path_object("entry_id")
def _load_entry(session, actor, value: int):  # noqa: ANN001, ANN202
    return entries.get_entry(session=session, actor=actor, entry_id=value)


def _portal_ids(company_ids: set[int]) -> dict[int, int]:
    return taxonomy.portal_ids(session=get_session(), company_ids=company_ids)


def section_out(s: FeedbackSection, portal_id: int) -> dict[str, Any]:
    return SectionOut(
        id=s.id or 0,
        tab_id=s.tab,
        title=s.title,
        description=s.description,
        icon=s.icon,
        parent_id=s.parent_id,
        order=s.order,
        created_at=s.created_at,
        updated_at=s.updated_at,
        is_hidden_for_users=s.is_hidden_for_users,
        color=s.color,
        portal_id=portal_id,
    ).model_dump(mode="json")


def widget_out(w: FeedbackWidget, portal_id: int) -> dict[str, Any]:
    root = base_url()
    return WidgetOut(
        id=w.key,
        name=w.name,
        type=w.type,
        allowed_origins=w.origins,
        embed_url=root + url_for("feedback_widget.frame", embed_key=w.key),
        script_url=root + url_for("feedback_widget.script"),
        created_at=w.created_at,
        updated_at=w.updated_at,
        portal_id=portal_id,
    ).model_dump(mode="json")


def _entries_out(found: list[EntryRecord]) -> list[dict[str, Any]]:
    portals = _portal_ids({r.entry.company_id for r in found})
    return [
        EntryOut(
            id=r.entry.id or 0,
            type=r.entry.type,
            feedback=r.entry.text,
            user=author_out(r.user),
            source=r.entry.source,
            widget=r.widget_key,
            page_url=r.entry.page_url,
            sentiment=r.entry.sentiment,
            focus=r.entry.focus,
            created_at=r.entry.created_at,
            updated_at=r.entry.updated_at,
            portal_id=portals.get(r.entry.company_id, 0),
        ).model_dump(mode="json")
        for r in found
    ]


def _vision_out(v: ProductVision | None) -> dict[str, Any]:
    if v is None:
        return {"data": None}
    portal_id = _portal_ids({v.company_id}).get(v.company_id, 0)
    return {
        "data": VisionOut(
            id=v.id or 0,
            vision=v.vision,
            target_group=v.target_group,
            needs=v.needs,
            product=v.product,
            business_goals=v.business_goals,
            created_at=v.created_at,
            updated_at=v.updated_at,
            portal_id=portal_id,
        ).model_dump(mode="json")
    }


# The board's portal and tabs ---------------------------------------------------------------------


@bp.get("/portal", summary="Get portal", responses={200: BoardPortalData})
def get_board_portal(query: BoardQuery):
    """The board's portal: its id, title and language. Scope feedback:read."""
    actor = require_scope(READ)
    session = get_session()
    company_id = taxonomy.resolve_board(session=session, actor=actor, portal_id=query.portal_id)
    portal = posts.board_portal(session=session, actor=actor, company_id=company_id)
    return {
        "data": BoardPortalOut(
            id=portal.id or 0,
            guid=f"stoa-portal-{portal.id}",
            title=portal.title or portal.slug,
            slug=portal.slug,
            localization="en",
        ).model_dump()
    }


@bp.get("/tabs", summary="List tabs", responses={200: TabList})
def list_feedback_tabs():
    """The board's tabs: the wish list, the roadmap and the updates. Scope feedback:read."""
    require_scope(READ)
    return {
        "data": [
            TabOut(id=t.slug, name=t.name, slug=t.slug).model_dump() for t in sections.list_tabs()
        ]
    }


@bp.get("/tabs/<tab_key>", summary="Get tab", responses={200: TabData})
def get_feedback_tab(path: TabPath):
    """One tab by its slug. Scope feedback:read."""
    require_scope(READ)
    tab = sections.get_tab(path.tab_key)
    return {"data": TabOut(id=tab.slug, name=tab.name, slug=tab.slug).model_dump()}


# Sections ----------------------------------------------------------------------------------------


def _sections_out(found: list[FeedbackSection]) -> list[dict[str, Any]]:
    portals = _portal_ids({s.company_id for s in found})
    return [section_out(s, portals.get(s.company_id, 0)) for s in found]


@bp.get("/sections", summary="List sections", responses={200: SectionList})
def list_feedback_sections(query: SectionQuery):
    """By tab, then in their order; ``tab`` narrows to one tab. Scope feedback:read."""
    actor = require_scope(READ)
    found = sections.list_sections(session=get_session(), actor=actor, tab=query.tab)
    return {"data": _sections_out(found)}


@bp.get(
    "/sections/<int:section_id>/children",
    summary="Get child sections",
    responses={200: SectionList},
)
def list_feedback_section_children(path: SectionPath):
    """A section's children, in order. Scope feedback:read."""
    actor = require_scope(READ)
    found = sections.list_sections(session=get_session(), actor=actor, parent_id=path.section_id)
    return {"data": _sections_out(found)}


@bp.post("/sections", summary="Create section", responses={200: SectionData})
def create_feedback_section(body: SectionIn):
    """Title 2–60 characters, unique in its tab; ``after_id`` places it after a sibling.
    The agency. Scope feedback:write."""
    actor = require_scope(WRITE)
    session = get_session()
    company_id = taxonomy.resolve_board(session=session, actor=actor, portal_id=body.portal_id)
    section = sections.create_section(
        session=session, actor=actor, company_id=company_id, data=body
    )
    return {"data": _sections_out([section])[0]}


@bp.put("/sections/<int:section_id>", summary="Update section", responses={200: SectionData})
def update_feedback_section(path: SectionPath, body: SectionPatch):
    """The agency. Scope feedback:write."""
    actor = require_scope(WRITE)
    section = sections.update_section(
        session=get_session(), actor=actor, section_id=path.section_id, data=body
    )
    return {"data": _sections_out([section])[0]}


@bp.delete("/sections/<int:section_id>", summary="Delete section", responses={200: Empty})
def delete_feedback_section(path: SectionPath):
    """With its children. The agency. Scope feedback:write."""
    actor = require_scope(WRITE)
    sections.delete_section(session=get_session(), actor=actor, section_id=path.section_id)
    return {}


# Widgets -----------------------------------------------------------------------------------------


@bp.get("/widgets", summary="List widgets", responses={200: WidgetList})
def list_feedback_widgets():
    """The embeddable widgets of the boards the key organises. Scope feedback:read."""
    actor = require_scope(READ)
    found = widgets.list_widgets(session=get_session(), actor=actor)
    portals = _portal_ids({w.company_id for w in found})
    return {"data": [widget_out(w, portals.get(w.company_id, 0)) for w in found]}


@bp.get("/widgets/<widget_key>", summary="Get widget", responses={200: WidgetData})
def get_feedback_widget(path: WidgetPath):
    """One widget by its key. Scope feedback:read."""
    actor = require_scope(READ)
    w = widgets.get_widget(session=get_session(), actor=actor, key=path.widget_key)
    return {"data": widget_out(w, _portal_ids({w.company_id}).get(w.company_id, 0))}


# Raw feedback ------------------------------------------------------------------------------------


@bp.get("/feedback", summary="List feedback", responses={200: EntryList})
def list_feedback_entries():
    """Newest first. Client admins and the agency. Scope feedback:read."""
    actor = require_scope(READ)
    session = get_session()
    found = entries.list_entries(session=session, actor=actor)
    return {"data": _entries_out(entries.records(session, found))}


@bp.post("/feedback", summary="Create feedback", responses={200: EntryData})
def create_feedback_entry(body: EntryIn):
    """``type`` (idea, bug, question, praise, other) and ``feedback`` (the text).
    Scope feedback:write."""
    actor = require_scope(WRITE)
    session = get_session()
    company_id = taxonomy.resolve_board(session=session, actor=actor, portal_id=body.portal_id)
    entry = entries.create_entry(
        session=session,
        actor=actor,
        company_id=company_id,
        data=EntryCreate.model_validate(body.model_dump(include=set(EntryCreate.model_fields))),
        user_id=body.user_id,
    )
    return {"data": _entries_out(entries.records(session, [entry]))[0]}


@bp.put("/feedback/<int:entry_id>", summary="Update feedback", responses={200: EntryData})
def update_feedback_entry(path: EntryPath, body: EntryPatch):
    """Client admins and the agency. Scope feedback:write."""
    actor = require_scope(WRITE)
    session = get_session()
    entry = entries.update_entry(session=session, actor=actor, entry_id=path.entry_id, data=body)
    return {"data": _entries_out(entries.records(session, [entry]))[0]}


@bp.delete("/feedback/<int:entry_id>", summary="Delete feedback", responses={200: Empty})
def delete_feedback_entry(path: EntryPath):
    """Client admins and the agency. Scope feedback:write."""
    actor = require_scope(WRITE)
    entries.delete_entry(session=get_session(), actor=actor, entry_id=path.entry_id)
    return {}


@bp.post("/feedback/summarize", summary="Summarize feedback", responses={200: FeedbackSummaryData})
def summarize_feedback(body: SummarizeIn):
    """A summary of the feedback the filters select (sentiment, focus, source, widget key,
    created_from/created_to, keyword). Scope feedback:read."""
    actor = require_scope(READ)
    s = entries.summarize(
        session=get_session(),
        actor=actor,
        filters=SummarizeFilters.model_validate(body.model_dump()),
    )
    return {
        "data": FeedbackSummaryOut(
            summary=s.text,
            total=s.total,
            by_type=s.by_type,
            by_sentiment=s.by_sentiment,
            by_focus=s.by_focus,
            by_source=s.by_source,
            top_words=[WordCount(word=w, count=n) for w, n in s.top_words],
            highlights=s.highlights,
            engine=s.engine,
            note=s.note,
        ).model_dump()
    }


# The product vision ------------------------------------------------------------------------------


@bp.get("/product-vision", summary="Get product vision", responses={200: VisionData})
def get_product_vision(query: BoardQuery):
    """The board's vision (``data`` is null before there is one). Scope feedback:read."""
    actor = require_scope(READ)
    session = get_session()
    company_id = taxonomy.resolve_board(session=session, actor=actor, portal_id=query.portal_id)
    return _vision_out(vision.get_vision(session=session, actor=actor, company_id=company_id))


@bp.post("/product-vision", summary="Create or update product vision", responses={200: VisionData})
def save_product_vision(body: VisionIn):
    """The vision (required) and target group, needs, product, business goals. The agency.
    Scope feedback:write."""
    actor = require_scope(WRITE)
    session = get_session()
    company_id = taxonomy.resolve_board(session=session, actor=actor, portal_id=body.portal_id)
    saved = vision.save_vision(
        session=session,
        actor=actor,
        company_id=company_id,
        data=VisionUpdate.model_validate(body.model_dump(include=set(VisionUpdate.model_fields))),
    )
    return _vision_out(saved)


@bp.delete("/product-vision", summary="Delete product vision", responses={200: Empty})
def delete_product_vision(query: BoardQuery):
    """The agency. Scope feedback:write."""
    actor = require_scope(WRITE)
    session = get_session()
    company_id = taxonomy.resolve_board(session=session, actor=actor, portal_id=query.portal_id)
    vision.delete_vision(session=session, actor=actor, company_id=company_id)
    return {}


@bp.post("/product-vision/generate", summary="Generate product vision", responses={200: VisionData})
def generate_product_vision(body: VisionGenerateIn):
    """Drafts the vision from the board's most voted ideas (and ``description``) and saves it.
    The agency. Scope feedback:write."""
    actor = require_scope(WRITE)
    session = get_session()
    company_id = taxonomy.resolve_board(session=session, actor=actor, portal_id=body.portal_id)
    drafted = vision.generate_vision(
        session=session, actor=actor, company_id=company_id, description=body.description
    )
    return _vision_out(drafted)
