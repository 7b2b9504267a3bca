"""/api/portal: a project's roadmap and decisions, and Pages (reference 000)."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlmodel import Session

from blueprints.api import WORKER_SECURITY, api_blueprint, path_object
from blueprints.api.auth import require_client
from blueprints.api.portal.plan_schemas import (
    DecisionOut,
    PageOut,
    PageSummaryOut,
    RoadmapItemOut,
    RoadmapOut,
    decision_out,
    item_out,
    page_out,
    roadmap_out,
)
from blueprints.api.portal.worker import ProjectPath
from blueprints.api.schemas import MAX_ID, ApiModel, PageQuery
from portal.db import get_session
from portal.tenancy import Actor
from services import pages as page_service
from services import projects as project_service
from services.pages import PageRow

bp = api_blueprint(
    "api_worker_plans",
    __name__,
    url_prefix="/api/portal",
    tag="Portal worker",
    security=WORKER_SECURITY,
)

DECISIONS_LIMIT = 500


class RoadmapResponse(BaseModel):
    roadmap: RoadmapOut | None
    items: list[RoadmapItemOut]


class DecisionsResponse(BaseModel):
    decisions: list[DecisionOut]


class PagesResponse(BaseModel):
    pages: list[PageSummaryOut]
    limit: int
    offset: int
    total: int


class PageResponse(BaseModel):
    page: PageOut


class PagePath(ApiModel):
    page_id: int = Field(ge=1, le=MAX_ID)


@path_object("page_id")
def _load_page(session: Session, actor: Actor, page_id: int) -> PageRow:
    return page_service.get_published(session, actor=actor, page_id=page_id)


@bp.get(
    "/projects/<int:project_id>/roadmap",
    summary="Get a project's roadmap",
    responses={200: RoadmapResponse},
)
def worker_project_roadmap(path: ProjectPath):
    """The roadmap linked to the project, if any, with its items in order."""
    actor = require_client()
    roadmap, items = project_service.project_roadmap(
        get_session(), actor=actor, project_id=path.project_id
    )
    return {"roadmap": roadmap_out(roadmap), "items": [item_out(i) for i in items]}


@bp.get(
    "/projects/<int:project_id>/decisions",
    summary="List a project's decisions",
    responses={200: DecisionsResponse},
)
def worker_project_decisions(path: ProjectPath):
    """Every decision of the project, newest first, with the decider's name."""
    actor = require_client()
    rows = project_service.project_decisions(
        get_session(), actor=actor, project_id=path.project_id, limit=DECISIONS_LIMIT
    )
    return {"decisions": [decision_out(d, u) for d, u in rows]}


@bp.get("/pages", summary="List pages", responses={200: PagesResponse})
def worker_pages(query: PageQuery):
    """Published pages of the client's companies and their projects. Group-aware."""
    actor = require_client()
    rows, total = page_service.published_rows(
        get_session(), actor=actor, limit=query.clamped_limit, offset=query.offset
    )
    return {
        "pages": [page_out(r.page, r.company_name, r.project_name, r.author) for r in rows],
        "limit": query.clamped_limit,
        "offset": query.offset,
        "total": total,
    }


@bp.get("/pages/<int:page_id>", summary="Get a page", responses={200: PageResponse})
def worker_page(path: PagePath):
    """One published page with its (sanitised) rich content."""
    actor = require_client()
    row = page_service.get_published(get_session(), actor=actor, page_id=path.page_id)
    return {
        "page": page_out(row.page, row.company_name, row.project_name, row.author, content=True)
    }
