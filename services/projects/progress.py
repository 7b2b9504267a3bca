"""A project's progress: the one definition every page shows (dashboard, projects list, project
page, the client overview and the project summary).

Progress is **tasks done out of all tasks** the person can see in the project, labelled as such
("12 of 30 tasks done"). Goals and roadmap steps are shown as what they are, never as a second
percentage.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case
from sqlmodel import Session, col, func, select

from portal.models import Task
from portal.models.task import TASK_STATUSES
from portal.tenancy import Actor, scoped


@dataclass(frozen=True)
class ProjectProgress:
    """Task counts of one project: done out of total, per status, and overdue ones."""

    total: int = 0
    done: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TASK_STATUSES, 0))
    overdue: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def label(self) -> str:
        """What the percentage counts, in words: "2 of 5 tasks done"."""
        return f"{self.done} of {self.total} task{'s' if self.total != 1 else ''} done"


def project_progress(
    session: Session, *, actor: Actor, project_ids: Iterable[int | None]
) -> dict[int, ProjectProgress]:
    """Progress of each project (every id asked for gets an entry), in one grouped query."""
    ids = sorted({pid for pid in project_ids if pid is not None})
    if not ids:
        return {}
    late = case(
        (and_(col(Task.due_date) < date.today(), col(Task.status) != "complete"), 1),
        else_=0,
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(TASK_STATUSES, 0))
    overdue: dict[int, int] = defaultdict(int)
    for project_id, status, n, n_late in session.exec(
        scoped(select(Task.project_id, Task.status, func.count(), func.sum(late)), actor, Task)
        .where(col(Task.project_id).in_(ids))
        .group_by(col(Task.project_id), col(Task.status))
    ).all():
        counts[project_id][status] = int(n)
        overdue[project_id] += int(n_late or 0)
    return {
        pid: ProjectProgress(
            total=sum(counts[pid].values()),
            done=counts[pid]["complete"],
            counts=dict(counts[pid]),
            overdue=overdue[pid],
        )
        for pid in ids
    }
