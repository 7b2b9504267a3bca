"""Portal templates: the agency's starting points, and applying one to a new portal."""

from __future__ import annotations

from sqlmodel import Session, col, select

from portal.errors import Conflict, Invalid, NotFound
from portal.models import Portal, PortalTemplate, Project, ToolLink
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.portal_template import PortalTemplateCreate
from portal.models.task import TaskCreate
from portal.permissions import register_node
from portal.tenancy import Actor, require_staff
from services.events import activity

TEMPLATE_MANAGE = register_node("portal.template.manage", "Create and delete portal templates")

STARTER_PROJECT = "Getting started"


def list_templates(session: Session, *, actor: Actor) -> list[PortalTemplate]:
    """Every template, by name (templates are the agency's, shared by every portal)."""
    require_staff(actor)
    return list(session.exec(select(PortalTemplate).order_by(col(PortalTemplate.name))).all())


def get_template(session: Session, *, actor: Actor, template_id: int) -> PortalTemplate:
    require_staff(actor)
    template = session.get(PortalTemplate, template_id)
    if template is None:
        raise NotFound("No portal template with that id.")
    return template


def template_from_text(
    *, name: str, description: str, welcome_message: str, task_lists: str, tools: str
) -> PortalTemplateCreate:
    """The admin form's text boxes as a template.

    Task lists: a line ending in ``:`` starts a list, the lines under it are its tasks.
    Tools: one ``Title | https://…`` per line.
    """
    lists: list[dict[str, object]] = []
    for raw in task_lists.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.endswith(":"):
            lists.append({"name": line[:-1].strip(), "tasks": []})
        elif lists:
            lists[-1]["tasks"].append(line.lstrip("-• ").strip())  # type: ignore[attr-defined]
        else:
            lists.append({"name": "Tasks", "tasks": [line.lstrip("-• ").strip()]})
    links: list[dict[str, str]] = []
    bad_tools: list[str] = []
    for raw in tools.splitlines():
        if not raw.strip():
            continue
        title, sep, url = raw.rpartition("|")
        if not sep or not title.strip():
            bad_tools.append(raw.strip())
            continue
        links.append({"title": title.strip(), "url": url.strip()})
    from portal.validation import validated

    try:
        data = validated(
            PortalTemplateCreate,
            {
                "name": name,
                "description": description,
                "welcome_message": welcome_message,
                "task_lists": lists,
                "tools": links,
            },
        )
    except Invalid as exc:
        errors = {key.split(".", 1)[0]: msgs for key, msgs in exc.errors.items()}
        if bad_tools:
            errors.setdefault("tools", []).append("Write each link as “Title | https://…”.")
        raise Invalid(exc.message, errors=errors) from None
    if bad_tools:
        raise Invalid(errors={"tools": ["Write each link as “Title | https://…”."]})
    return data


def create_template(
    session: Session, *, actor: Actor, data: PortalTemplateCreate
) -> PortalTemplate:
    """A new template (staff with ``portal.template.manage``); names are unique."""
    require_staff(actor, TEMPLATE_MANAGE, "You cannot change portal templates.")
    taken = session.exec(
        select(PortalTemplate.id).where(PortalTemplate.name == data.name.strip())
    ).first()
    if taken is not None:
        raise Invalid(errors={"name": ["A template with that name exists."]})
    template = PortalTemplate(
        name=data.name.strip(),
        description=data.description,
        welcome_message=data.welcome_message,
        task_lists=[tl.model_dump() for tl in data.task_lists],
        tools=[t.model_dump() for t in data.tools],
    )
    session.add(template)
    session.flush()
    return template


def delete_template(session: Session, *, actor: Actor, template_id: int) -> None:
    """Delete a template; portals made from it keep what it gave them."""
    template = get_template(session, actor=actor, template_id=template_id)
    require_staff(actor, TEMPLATE_MANAGE, "You cannot change portal templates.")
    session.delete(template)
    session.flush()


def apply_template(
    session: Session, *, actor: Actor, portal: Portal, template: PortalTemplate
) -> None:
    """Copy a template into a portal: its welcome message, its task lists (in a "Getting
    started" project) and its tools & links. Synchronous, in the caller's transaction."""
    from services.tasks import create_task

    if portal.template_applied_at is not None:
        raise Conflict("This portal already had a template applied.")
    if template.welcome_message:
        portal.welcome_message = template.welcome_message[:4000]
    company_actor = actor.narrowed([portal.company_id])
    if template.task_lists:
        project = Project(company_id=portal.company_id, name=STARTER_PROJECT)
        session.add(project)
        session.flush()
        for task_list in template.task_lists:
            for title in task_list.get("tasks", []):
                create_task(
                    session,
                    actor=company_actor,
                    data=TaskCreate(
                        project_id=project.id,
                        title=str(title)[:300],
                        list_name=str(task_list.get("name") or "Tasks"),
                    ),
                )
    for order, tool in enumerate(template.tools):
        session.add(
            ToolLink(
                company_id=portal.company_id,
                title=str(tool.get("title", ""))[:200],
                url=str(tool.get("url", ""))[:1000],
                sort_order=order,
            )
        )
    portal.template_id = template.id
    portal.template_applied_at = utcnow()
    session.add(portal)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=portal.company_id,
        action=Action.portal_updated,
        object_type="portal",
        object_id=portal.id,
        object_label=portal.title,
        description=f"{actor.label} applied the template {template.name}",
    )
