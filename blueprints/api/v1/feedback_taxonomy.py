"""/api/v1 Feedback, how the boards are organised (reference 002): categories (client admins
and the agency), the statuses (the agency's workflow, shared by every board) and tags (the
agency's own labels). Scopes feedback:read / feedback:write."""

from __future__ import annotations

from typing import Any

from blueprints.api import api_blueprint, path_object
from blueprints.api.auth import require_scope
from blueprints.api.schemas import Empty
from blueprints.api.v1.directory import UserList, user_out
from blueprints.api.v1.feedback import READ, WRITE, category_out
from blueprints.api.v1.feedback_schemas import (
    CategoryData,
    CategoryIn,
    CategoryList,
    CategoryPatch,
    CategoryPath,
    DeletedOut,
    FeedbackMessageOut,
    GroupData,
    GroupIn,
    GroupList,
    GroupMemberIn,
    GroupOut,
    GroupPatch,
    GroupPath,
    StatusData,
    StatusIn,
    StatusList,
    StatusOut,
    StatusPatch,
    StatusPath,
    TagData,
    TagIn,
    TagList,
    TagOut,
    TagPath,
)
from portal.db import get_session
from portal.errors import NotFound
from portal.models import FeedbackCategory, FeedbackGroup, FeedbackStatus, FeedbackTag
from portal.models.feedback import TAB_NAMES, StatusTab
from portal.tenancy import get_for_actor
from services.feedback import all_statuses, groups, taxonomy

bp = api_blueprint(
    "api_feedback_taxonomy",
    __name__,
    url_prefix="/api/v1",
    tag="Feedback",
    description="The feedback board (reference 002): ideas, votes, comments, categories, "
    "statuses and tags.",
)


@path_object("category_id")
def _load_category(session, actor, value: int):  # noqa: ANN001, ANN202
    return get_for_actor(session, FeedbackCategory, value, actor)


@path_object("tag_id")
def _load_tag(session, actor, value: int):  # noqa: ANN001, ANN202
    return get_for_actor(session, FeedbackTag, value, actor)


@path_object("group_id")
def _load_group(session, actor, value: int):  # noqa: ANN001, ANN202
    return get_for_actor(session, FeedbackGroup, value, actor)


@path_object("status_id")
def _load_status(session, actor, value: int):  # noqa: ANN001, ANN202
    if session.get(FeedbackStatus, value) is None:
        raise NotFound("No such status.")


def _status(s: FeedbackStatus) -> dict[str, Any]:
    tab = StatusTab(s.tab)
    return StatusOut(
        id=s.id or 0,
        name=s.name,
        color=s.color,
        order=s.order,
        tab_id=tab.value,
        tab_name=TAB_NAMES[tab],
        text_color=s.text_color,
    ).model_dump()


def _tag(t: FeedbackTag, portal_id: int) -> dict[str, Any]:
    return TagOut(
        id=str(t.id),
        portal_id=portal_id,
        tag=t.tag,
        created_at=t.created_at,
        updated_at=t.updated_at,
    ).model_dump(mode="json")


# Categories --------------------------------------------------------------------------------


@bp.get("/categories", summary="List categories", responses={200: CategoryList})
def list_feedback_categories():
    """Scope feedback:read."""
    actor = require_scope(READ)
    return {
        "data": [
            category_out(c) for c in taxonomy.list_categories(session=get_session(), actor=actor)
        ]
    }


@bp.post("/categories", summary="Create category", responses={200: CategoryData})
def create_feedback_category(body: CategoryIn):
    """Name 2–60 characters, unique on the board; ``color`` a hex code (#FF5733). Client admins
    (company keys) and the agency. Scope feedback:write."""
    actor = require_scope(WRITE)
    session = get_session()
    company_id = taxonomy.resolve_board(session=session, actor=actor, portal_id=body.portal_id)
    category = taxonomy.create_category(
        session=session, actor=actor, company_id=company_id, data=body
    )
    return {"data": category_out(category)}


@bp.patch("/categories/<int:category_id>", summary="Update category", responses={200: CategoryData})
def update_feedback_category(path: CategoryPath, body: CategoryPatch):
    """Scope feedback:write."""
    actor = require_scope(WRITE)
    category = taxonomy.update_category(
        session=get_session(), actor=actor, category_id=path.category_id, data=body
    )
    return {"data": category_out(category)}


@bp.delete("/categories/<int:category_id>", summary="Delete category", responses={200: DeletedOut})
def delete_feedback_category(path: CategoryPath):
    """Scope feedback:write."""
    actor = require_scope(WRITE)
    taxonomy.delete_category(session=get_session(), actor=actor, category_id=path.category_id)
    return {"message": "Category deleted successfully"}


# Statuses (the agency's workflow, shared by every board) ---------------------------------------


@bp.get("/statuses", summary="List statuses", responses={200: StatusList})
def list_feedback_statuses():
    """In workflow order. Scope feedback:read."""
    require_scope(READ)
    return {"data": [_status(s) for s in all_statuses(get_session())]}


@bp.post("/statuses", summary="Create status", responses={200: StatusData})
def create_feedback_status(body: StatusIn):
    """Agency admins (agency keys). Scope feedback:write."""
    actor = require_scope(WRITE)
    return {"data": _status(taxonomy.create_status(session=get_session(), actor=actor, data=body))}


@bp.put("/statuses/<int:status_id>", summary="Update status", responses={200: StatusData})
def update_feedback_status(path: StatusPath, body: StatusPatch):
    """Agency admins. Scope feedback:write."""
    actor = require_scope(WRITE)
    status = taxonomy.update_status(
        session=get_session(), actor=actor, status_id=path.status_id, data=body
    )
    return {"data": _status(status)}


@bp.delete("/statuses/<int:status_id>", summary="Delete status", responses={200: Empty})
def delete_feedback_status(path: StatusPath):
    """Its ideas move to the default status. Agency admins. Scope feedback:write."""
    actor = require_scope(WRITE)
    taxonomy.delete_status(session=get_session(), actor=actor, status_id=path.status_id)
    return {}


# Tags (the agency's) ---------------------------------------------------------------------------


@bp.get("/tags", summary="List tags", responses={200: TagList})
def list_feedback_tags():
    """The agency's labels (client keys get 403). Scope feedback:read."""
    actor = require_scope(READ)
    session = get_session()
    found = taxonomy.list_tags(session=session, actor=actor)
    portals = taxonomy.portal_ids(session=session, company_ids={t.company_id for t in found})
    return {"data": [_tag(t, portals.get(t.company_id, 0)) for t in found]}


@bp.post("/tags", summary="Create tag", responses={200: TagData})
def create_feedback_tag(body: TagIn):
    """Unique on the board. The agency. Scope feedback:write."""
    actor = require_scope(WRITE)
    session = get_session()
    company_id = taxonomy.resolve_board(session=session, actor=actor, portal_id=body.portal_id)
    tag = taxonomy.create_tag(session=session, actor=actor, company_id=company_id, data=body)
    portals = taxonomy.portal_ids(session=session, company_ids={company_id})
    return {"data": _tag(tag, portals.get(company_id, 0))}


@bp.put("/tags/<int:tag_id>", summary="Update tag", responses={200: TagData})
def update_feedback_tag(path: TagPath, body: TagIn):
    """The agency. Scope feedback:write."""
    actor = require_scope(WRITE)
    session = get_session()
    tag = taxonomy.update_tag(session=session, actor=actor, tag_id=path.tag_id, data=body)
    portals = taxonomy.portal_ids(session=session, company_ids={tag.company_id})
    return {"data": _tag(tag, portals.get(tag.company_id, 0))}


@bp.delete("/tags/<int:tag_id>", summary="Delete tag", responses={200: Empty})
def delete_feedback_tag(path: TagPath):
    """The agency. Scope feedback:write."""
    actor = require_scope(WRITE)
    taxonomy.delete_tag(session=get_session(), actor=actor, tag_id=path.tag_id)
    return {}


# Groups (a board's user groups) ------------------------------------------------------------------


def _group(g: FeedbackGroup, portal_id: int) -> dict[str, Any]:
    return GroupOut(
        id=str(g.id),
        portal_id=portal_id,
        name=g.name,
        description=g.description,
        created_at=g.created_at,
        updated_at=g.updated_at,
    ).model_dump(mode="json")


def _group_out(session: Any, g: FeedbackGroup) -> dict[str, Any]:
    portals = taxonomy.portal_ids(session=session, company_ids={g.company_id})
    return _group(g, portals.get(g.company_id, 0))


@bp.get("/groups", summary="List groups", responses={200: GroupList})
def list_feedback_groups():
    """The user groups of the boards the key sees. Client admins and the agency.
    Scope feedback:read."""
    actor = require_scope(READ)
    session = get_session()
    found = groups.list_groups(session=session, actor=actor)
    portals = taxonomy.portal_ids(session=session, company_ids={g.company_id for g in found})
    return {"data": [_group(g, portals.get(g.company_id, 0)) for g in found]}


@bp.post("/groups", summary="Create group", responses={200: GroupData})
def create_feedback_group(body: GroupIn):
    """Name 2–60 characters, unique on the board (422 "The name has already been taken.").
    Scope feedback:write."""
    actor = require_scope(WRITE)
    session = get_session()
    company_id = taxonomy.resolve_board(session=session, actor=actor, portal_id=body.portal_id)
    group = groups.create_group(session=session, actor=actor, company_id=company_id, data=body)
    return {"data": _group_out(session, group)}


@bp.get("/groups/<int:group_id>", summary="Show group", responses={200: GroupData})
def get_feedback_group(path: GroupPath):
    """Scope feedback:read."""
    actor = require_scope(READ)
    session = get_session()
    return {
        "data": _group_out(
            session, groups.get_group(session=session, actor=actor, group_id=path.group_id)
        )
    }


def _update_group(path: GroupPath, body: GroupPatch) -> dict[str, Any]:
    actor = require_scope(WRITE)
    session = get_session()
    group = groups.update_group(session=session, actor=actor, group_id=path.group_id, data=body)
    return {"data": _group_out(session, group)}


@bp.put("/groups/<int:group_id>", summary="Update group", responses={200: GroupData})
def put_feedback_group(path: GroupPath, body: GroupPatch):
    """Only the fields sent change. Scope feedback:write."""
    return _update_group(path, body)


@bp.patch("/groups/<int:group_id>", summary="Update group (PATCH)", responses={200: GroupData})
def patch_feedback_group(path: GroupPath, body: GroupPatch):
    """As PUT. Scope feedback:write."""
    return _update_group(path, body)


@bp.delete("/groups/<int:group_id>", summary="Delete group", responses={200: FeedbackMessageOut})
def delete_feedback_group(path: GroupPath):
    """Scope feedback:write."""
    actor = require_scope(WRITE)
    groups.delete_group(session=get_session(), actor=actor, group_id=path.group_id)
    return {"message": "Group deleted successfully"}


@bp.post(
    "/groups/<int:group_id>/users", summary="Add user to group", responses={200: FeedbackMessageOut}
)
def add_feedback_group_user(path: GroupPath, body: GroupMemberIn):
    """A user of the group's board; 404 "Group or User not found" otherwise, 422 "User is
    already in the group" the second time. Scope feedback:write."""
    actor = require_scope(WRITE)
    groups.add_user(
        session=get_session(), actor=actor, group_id=path.group_id, user_id=body.user_id
    )
    return {"message": "User added to group successfully"}


@bp.delete(
    "/groups/<int:group_id>/users",
    summary="Remove user from group",
    responses={200: FeedbackMessageOut},
)
def remove_feedback_group_user(path: GroupPath, body: GroupMemberIn):
    """422 "User is not in the group" when they are not. Scope feedback:write."""
    actor = require_scope(WRITE)
    groups.remove_user(
        session=get_session(), actor=actor, group_id=path.group_id, user_id=body.user_id
    )
    return {"message": "User removed from group successfully"}


@bp.get("/groups/<int:group_id>/users", summary="Get users in group", responses={200: UserList})
def list_feedback_group_users(path: GroupPath):
    """``{"data": [user, ...]}``, users in the one shape of ``/api/v1/users``.
    Scope feedback:read."""
    actor = require_scope(READ)
    rows = groups.group_users(session=get_session(), actor=actor, group_id=path.group_id)
    return {"data": [user_out(u, company, actor) for u, company in rows]}
