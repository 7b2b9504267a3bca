"""/api/portal: a project's roadmap and decisions, and Pages (reference 000)."""

from __future__ import annotations

from pydantic import BaseModel, Field

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


def _group(actor: Actor) -> list[int]:
    return sorted(actor.company_ids or [])


@path_object("page_id")
def _load_page(session, actor, page_id: int):  # noqa: ANN001, ANN202
    return page_service.get_published(
        session, actor=actor, page_id=page_id, company_ids=_group(actor)
    )


@bp.get(
    "/projects/<int:project_id>/roadmap",
    summary="Get a project's roadmap",
    responses={200: RoadmapResponse},
)
def worker_project_roadmap(path: ProjectPath):
    """The roadmap linked to the project, if any, with its items in order."""
    actor = require_client()
    session = get_session()
    project, _, _ = project_service.load_project(
        session, actor=actor, project_id=path.project_id, company_ids=_group(actor)
    )
    roadmap, items = project_service.roadmap_for(session, actor=actor, project_id=project.id)  # type: ignore[arg-type]
    return {"roadmap": roadmap_out(roadmap), "items": [item_out(i) for i in items]}


@bp.get(
    "/projects/<int:project_id>/decisions",
    summary="List a project's decisions",
    responses={200: DecisionsResponse},
)
def worker_project_decisions(path: ProjectPath):
    """Every decision of the project, newest first, with the decider's name."""
    actor = require_client()
    session = get_session()
    project, _, _ = project_service.load_project(
        session, actor=actor, project_id=path.project_id, company_ids=_group(actor)
    )
    rows = project_service.decisions_for(
        session,
        actor=actor,
        project_id=project.id,  # type: ignore[arg-type]
        limit=DECISIONS_LIMIT,
    )
    return {"decisions": [decision_out(d, u) for d, u in rows]}


@bp.get("/pages", summary="List pages", responses={200: PagesResponse})
def worker_pages(query: PageQuery):
    """Published pages of the client's companies and their projects. Group-aware."""
    actor = require_client()
    rows, total = page_service.published_rows(
        get_session(),
        actor=actor,
        company_ids=_group(actor),
        limit=query.clamped_limit,
        offset=query.offset,
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
    row = page_service.get_published(
        get_session(), actor=actor, page_id=path.page_id, company_ids=_group(actor)
    )
    return {
        "page": page_out(row.page, row.company_name, row.project_name, row.author, content=True)
    }
