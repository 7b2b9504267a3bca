"""Onboarding (SPEC §5.9, reference 000): the agency's templates and a client's run through one.

A run's progress (counts, current stage, completion) is kept on its ``ClientOnboarding`` row
and refreshed by every write here, so the dashboard reads it with the portal. The success
profile is in ``profile``, the quarterly reviews in ``qbrs``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from portal.errors import Conflict, NotFound
from portal.models import Company, Portal, User
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.onboarding import (
    ClientOnboarding,
    OnboardingMilestone,
    OnboardingMilestoneDone,
    OnboardingStage,
    OnboardingTemplate,
    TemplateCreate,
)
from portal.permissions import register_node
from portal.tenancy import Actor, get_for_actor, require_staff, scoped
from services.events.activity import record
from services.events.notifications import notify

MANAGE_NODE = register_node(
    "onboarding.manage",
    "Run clients' onboarding, read their success profiles and write quarterly reviews",
)


@dataclass(frozen=True)
class MilestoneView:
    milestone: OnboardingMilestone
    completed_at: datetime | None


@dataclass(frozen=True)
class StageView:
    stage: OnboardingStage
    milestones: list[MilestoneView]

    @property
    def done(self) -> int:
        return sum(1 for m in self.milestones if m.completed_at is not None)

    @property
    def complete(self) -> bool:
        return self.done == len(self.milestones)

    @property
    def percentage(self) -> int:
        return self.done * 100 // len(self.milestones) if self.milestones else 100


@dataclass(frozen=True)
class OnboardingView:
    onboarding: ClientOnboarding
    template: OnboardingTemplate
    stages: list[StageView]

    @property
    def current_stage(self) -> StageView | None:
        return next((s for s in self.stages if not s.complete), None)


def stage_type_of(name: str) -> str:
    """A stage's machine name from its title ("Kick-off call" → ``kick_off_call``)."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:40] or "stage"


def onboarding_for(session: Session, *, actor: Actor, company_id: int) -> OnboardingView | None:
    """The company's onboarding with its stages and milestones (four queries), or None."""
    row = session.exec(
        scoped(select(ClientOnboarding, OnboardingTemplate), actor, ClientOnboarding)
        .join(OnboardingTemplate, col(OnboardingTemplate.id) == ClientOnboarding.template_id)
        .where(ClientOnboarding.company_id == company_id)
    ).first()
    if row is None:
        return None
    onboarding, template = row
    return OnboardingView(onboarding, template, _stages(session, onboarding))


def _stages(session: Session, onboarding: ClientOnboarding) -> list[StageView]:
    stages = session.exec(
        select(OnboardingStage)
        .where(OnboardingStage.template_id == onboarding.template_id)
        .order_by(col(OnboardingStage.position), col(OnboardingStage.id))
    ).all()
    milestones = session.exec(
        select(OnboardingMilestone)
        .where(OnboardingMilestone.template_id == onboarding.template_id)
        .order_by(col(OnboardingMilestone.position), col(OnboardingMilestone.id))
    ).all()
    done = dict(
        session.exec(
            select(
                OnboardingMilestoneDone.milestone_id, OnboardingMilestoneDone.completed_at
            ).where(OnboardingMilestoneDone.onboarding_id == onboarding.id)
        ).all()
    )
    by_stage: dict[int, list[MilestoneView]] = {}
    for m in milestones:
        by_stage.setdefault(m.stage_id, []).append(MilestoneView(m, done.get(m.id)))  # type: ignore[arg-type]
    return [StageView(s, by_stage.get(s.id, [])) for s in stages]  # type: ignore[arg-type]


def _refresh(onboarding: ClientOnboarding, stages: list[StageView]) -> bool:
    """Bring the run's kept progress up to date; True when this write completed it."""
    total = sum(len(s.milestones) for s in stages)
    done = sum(s.done for s in stages)
    current = next((s for s in stages if not s.complete), None)
    onboarding.total_milestones = total
    onboarding.completed_milestones = done
    onboarding.current_stage_type = current.stage.stage_type if current else None
    onboarding.current_stage_name = current.stage.name if current else None
    was_complete = onboarding.completed_at is not None
    onboarding.completed_at = (onboarding.completed_at or utcnow()) if current is None else None
    return onboarding.completed_at is not None and not was_complete


def list_templates(session: Session, *, actor: Actor) -> list[OnboardingTemplate]:
    """The agency's onboarding templates (staff only), by name."""
    require_staff(actor, MANAGE_NODE)
    return list(
        session.exec(
            select(OnboardingTemplate).order_by(
                col(OnboardingTemplate.name), col(OnboardingTemplate.id)
            )
        ).all()
    )


def create_template(*, session: Session, actor: Actor, data: TemplateCreate) -> OnboardingTemplate:
    """A new template with its stages and milestones, in the order given."""
    require_staff(actor, MANAGE_NODE, "Only the agency's onboarding managers write templates.")
    template = OnboardingTemplate(name=data.name, description=data.description)
    session.add(template)
    session.flush()
    for i, stage_in in enumerate(data.stages):
        stage = OnboardingStage(
            template_id=template.id,  # type: ignore[arg-type]
            position=i,
            name=stage_in.name,
            stage_type=stage_type_of(stage_in.name),
        )
        session.add(stage)
        session.flush()
        session.add_all(
            OnboardingMilestone(
                template_id=template.id,  # type: ignore[arg-type]
                stage_id=stage.id,  # type: ignore[arg-type]
                position=j,
                title=title[:200],
            )
            for j, title in enumerate(stage_in.milestones)
        )
    session.flush()
    return template


def start_onboarding(
    *, session: Session, actor: Actor, company_id: int, template_id: int
) -> ClientOnboarding:
    """Start the company's onboarding on a template (one run per company: a second is a
    Conflict)."""
    company = get_for_actor(session, Company, company_id, actor)
    require_staff(actor, MANAGE_NODE, "Only the agency's onboarding managers start onboarding.")
    template = session.get(OnboardingTemplate, template_id)
    if template is None:
        raise NotFound("No such onboarding template.")
    existing = session.exec(
        select(ClientOnboarding.id).where(ClientOnboarding.company_id == company_id)
    ).first()
    if existing is not None:
        raise Conflict("This client's onboarding has already started.", code="already_started")
    onboarding = ClientOnboarding(company_id=company_id, template_id=template_id)
    session.add(onboarding)
    session.flush()
    _refresh(onboarding, _stages(session, onboarding))
    record(
        session,
        actor=actor,
        company_id=company.id,
        action=Action.onboarding_started,
        object_type="onboarding",
        object_id=onboarding.id,
        object_label=template.name,
        description=f"{actor.label} started onboarding ({template.name})",
    )
    session.flush()
    return onboarding


def set_milestone(
    *, session: Session, actor: Actor, company_id: int, milestone_id: int, done: bool
) -> ClientOnboarding:
    """Mark a milestone of the company's onboarding done (or not done again). The client's
    people hear of each milestone done and of the onboarding's completion."""
    company = get_for_actor(session, Company, company_id, actor)
    require_staff(actor, MANAGE_NODE, "Only the agency's onboarding managers tick milestones.")
    onboarding = session.exec(
        select(ClientOnboarding).where(ClientOnboarding.company_id == company_id)
    ).first()
    milestone = session.get(OnboardingMilestone, milestone_id)
    if onboarding is None or milestone is None or milestone.template_id != onboarding.template_id:
        raise NotFound("No such milestone in this client's onboarding.")
    row = session.exec(
        select(OnboardingMilestoneDone).where(
            OnboardingMilestoneDone.onboarding_id == onboarding.id,
            OnboardingMilestoneDone.milestone_id == milestone_id,
        )
    ).first()
    if done == (row is not None):
        return onboarding
    if done:
        session.add(
            OnboardingMilestoneDone(
                company_id=company_id,
                onboarding_id=onboarding.id,  # type: ignore[arg-type]
                milestone_id=milestone_id,
                completed_by_id=actor.user_id,
            )
        )
    else:
        session.delete(row)
    session.flush()
    finished = _refresh(onboarding, _stages(session, onboarding))
    if done:
        record(
            session,
            actor=actor,
            company_id=company_id,
            action=Action.onboarding_milestone_completed,
            object_type="onboarding_milestone",
            object_id=milestone_id,
            object_label=milestone.title,
            description=f"{actor.label} completed the onboarding milestone {milestone.title}",
        )
        title = (
            f"Onboarding complete: {milestone.title} was the last milestone"
            if finished
            else f"Onboarding milestone done: {milestone.title}"
        )
        notify(
            session,
            user_ids=_client_user_ids(session, company_id),
            type="onboarding_progress",
            title=title,
            company_id=company_id,
            actor=actor,
            url=_tab_url(session, company_id, "onboarding"),
        )
    if finished:
        record(
            session,
            actor=actor,
            company_id=company.id,
            action=Action.onboarding_completed,
            object_type="onboarding",
            object_id=onboarding.id,
            object_label=company.name,
            description=f"{company.name}'s onboarding is complete",
        )
    session.flush()
    return onboarding


def _client_user_ids(session: Session, company_id: int) -> list[int]:
    return [
        uid
        for uid in session.exec(
            select(User.id).where(
                User.company_id == company_id, col(User.is_active), ~col(User.is_staff)
            )
        ).all()
        if uid is not None
    ]


def _tab_url(session: Session, company_id: int, tab: str) -> str | None:
    slug = session.exec(select(Portal.slug).where(Portal.company_id == company_id)).first()
    return f"/p/{slug}/{tab}" if slug else None


@dataclass(frozen=True)
class TemplateOverview:
    template: OnboardingTemplate
    stages: list[tuple[OnboardingStage, list[OnboardingMilestone]]]
    runs: int  # companies onboarding (or onboarded) with it


def templates_overview(session: Session, *, actor: Actor) -> list[TemplateOverview]:
    """Every template with its stages, milestones and how many clients use it (four queries)."""
    templates = list_templates(session, actor=actor)
    stages = session.exec(
        select(OnboardingStage).order_by(col(OnboardingStage.position), col(OnboardingStage.id))
    ).all()
    milestones = session.exec(
        select(OnboardingMilestone).order_by(
            col(OnboardingMilestone.position), col(OnboardingMilestone.id)
        )
    ).all()
    runs = dict(
        session.exec(
            select(ClientOnboarding.template_id, func.count()).group_by(
                col(ClientOnboarding.template_id)
            )
        ).all()
    )
    by_stage: dict[int, list[OnboardingMilestone]] = {}
    for m in milestones:
        by_stage.setdefault(m.stage_id, []).append(m)
    by_template: dict[int, list[tuple[OnboardingStage, list[OnboardingMilestone]]]] = {}
    for s in stages:
        by_template.setdefault(s.template_id, []).append((s, by_stage.get(s.id, [])))  # type: ignore[arg-type]
    return [
        TemplateOverview(t, by_template.get(t.id, []), runs.get(t.id, 0))  # type: ignore[arg-type]
        for t in templates
    ]


# Editing templates ---------------------------------------------------------------------------


def _template(session: Session, actor: Actor, template_id: int) -> OnboardingTemplate:
    require_staff(actor, MANAGE_NODE, "Only the agency's onboarding managers edit templates.")
    template = session.get(OnboardingTemplate, template_id)
    if template is None:
        raise NotFound()
    return template


def update_template(
    *, session: Session, actor: Actor, template_id: int, data: TemplateCreate
) -> OnboardingTemplate:
    """Rename, reorder, add and remove stages and milestones, matched by position: the n-th
    stage (milestone) keeps its identity and any client's tick on it, new ones are added, the
    ones past the end are removed with their ticks. Every run of the template is brought up to
    date (its percentage, current stage, completion)."""
    template = _template(session, actor, template_id)
    template.name, template.description = data.name, data.description
    session.add(template)
    stages = list(
        session.exec(
            select(OnboardingStage)
            .where(OnboardingStage.template_id == template_id)
            .order_by(col(OnboardingStage.position), col(OnboardingStage.id))
        ).all()
    )
    milestones = list(
        session.exec(
            select(OnboardingMilestone)
            .where(OnboardingMilestone.template_id == template_id)
            .order_by(col(OnboardingMilestone.position), col(OnboardingMilestone.id))
        ).all()
    )
    by_stage: dict[int, list[OnboardingMilestone]] = {}
    for m in milestones:
        by_stage.setdefault(m.stage_id, []).append(m)
    gone: list[OnboardingMilestone] = []
    for i, stage_in in enumerate(data.stages):
        if i < len(stages):
            stage = stages[i]
            stage.position, stage.name = i, stage_in.name
            stage.stage_type = stage_type_of(stage_in.name)
        else:
            stage = OnboardingStage(
                template_id=template_id,
                position=i,
                name=stage_in.name,
                stage_type=stage_type_of(stage_in.name),
            )
        session.add(stage)
        session.flush()
        existing = by_stage.get(stage.id, []) if i < len(stages) else []  # type: ignore[arg-type]
        for j, title in enumerate(stage_in.milestones):
            if j < len(existing):
                existing[j].position, existing[j].title = j, title[:200]
                session.add(existing[j])
            else:
                session.add(
                    OnboardingMilestone(
                        template_id=template_id,
                        stage_id=stage.id,  # type: ignore[arg-type]
                        position=j,
                        title=title[:200],
                    )
                )
        gone.extend(existing[len(stage_in.milestones) :])
    for stage in stages[len(data.stages) :]:
        gone.extend(by_stage.get(stage.id, []))  # type: ignore[arg-type]
    _remove_milestones(session, gone)
    for stage in stages[len(data.stages) :]:
        session.delete(stage)
    session.flush()
    for run in session.exec(
        select(ClientOnboarding).where(ClientOnboarding.template_id == template_id)
    ).all():
        _refresh(run, _stages(session, run))
        session.add(run)
    session.flush()
    return template


def _remove_milestones(session: Session, milestones: list[OnboardingMilestone]) -> None:
    ids = [m.id for m in milestones]
    if not ids:
        return
    for tick in session.exec(
        select(OnboardingMilestoneDone).where(col(OnboardingMilestoneDone.milestone_id).in_(ids))
    ).all():
        session.delete(tick)
    session.flush()  # the ticks first, then their milestones
    for m in milestones:
        session.delete(m)
    session.flush()


def delete_template(*, session: Session, actor: Actor, template_id: int) -> str:
    """Delete a template nobody is onboarding with; one a client's run uses is refused (the
    run's stages and ticks live on it). Returns the template's name."""
    template = _template(session, actor, template_id)
    names = session.exec(
        select(Company.name)
        .join(ClientOnboarding, col(ClientOnboarding.company_id) == col(Company.id))
        .where(ClientOnboarding.template_id == template_id)
        .order_by(col(Company.name))
    ).all()
    if names:
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        raise Conflict(
            f"“{template.name}” is in use by {shown}: a client's onboarding runs on it, so it "
            "cannot be deleted. Edit it instead.",
            code="template_in_use",
        )
    name = template.name
    _remove_milestones(
        session,
        list(
            session.exec(
                select(OnboardingMilestone).where(OnboardingMilestone.template_id == template_id)
            ).all()
        ),
    )
    for stage in session.exec(
        select(OnboardingStage).where(OnboardingStage.template_id == template_id)
    ).all():
        session.delete(stage)
    session.flush()
    session.delete(template)
    session.flush()
    return name
