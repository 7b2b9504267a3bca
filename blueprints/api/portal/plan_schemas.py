"""Reference 000 shapes for a project's plan and for Pages (camelCase keys, string ids)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from portal.models import Decision, Page, ProjectGoal, ProjectSummary, Roadmap, RoadmapItem, User


def _sid(value: int | None) -> str | None:
    return None if value is None else str(value)


class GoalOut(BaseModel):
    id: str
    projectId: str
    title: str
    target: str
    status: str
    dueDate: date | None


class DecisionOut(BaseModel):
    id: str
    projectId: str
    title: str
    detail: str
    decidedById: str | None
    decidedByName: str | None
    decidedAt: datetime


class SummaryOut(BaseModel):
    summary: str
    source: str
    generatedAt: datetime


class RoadmapOut(BaseModel):
    id: str
    projectId: str
    title: str
    description: str


class RoadmapItemOut(BaseModel):
    id: str
    roadmapId: str
    title: str
    description: str
    status: str
    quarter: str
    targetDate: date | None
    sortOrder: int


class PageSummaryOut(BaseModel):
    id: str
    companyId: str
    companyName: str
    projectId: str | None
    projectName: str | None
    title: str
    slug: str
    summary: str
    authorName: str | None
    publishedAt: datetime | None
    updatedAt: datetime


class PageOut(PageSummaryOut):
    content: str  # sanitised HTML


def goal_out(g: ProjectGoal) -> dict:
    return GoalOut(
        id=str(g.id),
        projectId=str(g.project_id),
        title=g.title,
        target=g.target,
        status=g.status,
        dueDate=g.due_date,
    ).model_dump(mode="json")


def decision_out(d: Decision, decider: User | None) -> dict:
    return DecisionOut(
        id=str(d.id),
        projectId=str(d.project_id),
        title=d.title,
        detail=d.detail,
        decidedById=_sid(d.decided_by_id),
        decidedByName=decider.display_name if decider else None,
        decidedAt=d.decided_at,
    ).model_dump(mode="json")


def summary_out(s: ProjectSummary | None) -> dict | None:
    if s is None:
        return None
    return SummaryOut(summary=s.body, source=s.source, generatedAt=s.generated_at).model_dump(
        mode="json"
    )


def roadmap_out(r: Roadmap | None) -> dict | None:
    if r is None:
        return None
    return RoadmapOut(
        id=str(r.id), projectId=str(r.project_id), title=r.title, description=r.description
    ).model_dump(mode="json")


def item_out(i: RoadmapItem) -> dict:
    return RoadmapItemOut(
        id=str(i.id),
        roadmapId=str(i.roadmap_id),
        title=i.title,
        description=i.description,
        status=i.status,
        quarter=i.quarter,
        targetDate=i.target_date,
        sortOrder=i.sort_order,
    ).model_dump(mode="json")


def page_out(
    p: Page,
    company_name: str,
    project_name: str | None,
    author: User | None,
    *,
    content: bool = False,
) -> dict:
    fields = {
        "id": str(p.id),
        "companyId": str(p.company_id),
        "companyName": company_name,
        "projectId": _sid(p.project_id),
        "projectName": project_name,
        "title": p.title,
        "slug": p.slug,
        "summary": p.summary,
        "authorName": author.display_name if author else None,
        "publishedAt": p.published_at,
        "updatedAt": p.updated_at,
    }
    if content:
        return PageOut(**fields, content=p.body_html).model_dump(mode="json")
    return PageSummaryOut(**fields).model_dump(mode="json")
