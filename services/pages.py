"""Pages: staff-authored rich pages published to a company (optionally about one project).

Bodies are markdown or HTML; both are rendered once, on save, through nh3 (an allow-list
sanitiser), and only the sanitised HTML is ever shown. Reading is group-aware: a parent's
people see their children's pages; a child never sees its parent's. Drafts are staff-only
(``Page.__staff_only__``), and the portal shows only published pages, to staff too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from sqlalchemy import or_
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import Select

from portal.errors import Invalid, NotFound
from portal.models import Company, Page, PageFormat, Project, User
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.page import PageCreate, PageUpdate
from portal.tenancy import Actor, get_for_actor, require_staff, scoped
from portal.text import local_images_only, render_image
from portal.web import pagination
from services.events import activity

PAGE_SIZE = 20
ADMIN_PAGE_SIZE = 25

# Raw HTML inside markdown is not passed through: markdown pages are markdown only.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)
_markdown.add_render_rule("image", render_image)  # remote images become links (no tracking)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "u", "ul", "figure", "figcaption", "mark",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"align", "scope"},
    "td": {"align"},
    "ol": {"start"},
}


def render_body(body: str, body_format: str) -> str:
    """The sanitised HTML of a page body (markdown rendered first; raw HTML only via nh3)."""
    html = _markdown.render(body) if body_format == PageFormat.markdown else body
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        attribute_filter=local_images_only,
    )


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return (slug or "page")[:120]


# Reading in the portal -----------------------------------------------------------------------


@dataclass(frozen=True)
class PageRow:
    page: Page
    company_name: str
    project_name: str | None
    author: User | None


PageSelect = Select[Page, str, str, User]


def _rows(actor: Actor) -> PageSelect:
    """Pages the actor sees with their company, project and author, newest first."""
    return (
        scoped(select(Page, col(Company.name), col(Project.name), User), actor, Page)
        .join(Company, col(Company.id) == Page.company_id)
        .outerjoin(Project, col(Project.id) == Page.project_id)
        .outerjoin(User, col(User.id) == Page.author_id)
    )


def _published(actor: Actor) -> PageSelect:
    return (
        _rows(actor)
        .where(col(Page.published_at).is_not(None))
        .order_by(col(Page.published_at).desc(), col(Page.id).desc())
    )


def list_published(session: Session, *, actor: Actor, page: int = 1) -> pagination.Page[PageRow]:
    """Published pages the actor sees (a portal's group), newest first, a page at a time."""
    listing = pagination.paginate(
        session, _published(actor), page=page, per_page=PAGE_SIZE, scalars=False
    )
    return listing.map(lambda row: PageRow(*row))


def published_rows(
    session: Session, *, actor: Actor, limit: int, offset: int
) -> tuple[list[PageRow], int]:
    """A slice of the published pages the actor sees, newest first, and how many there are."""
    stmt = _published(actor)
    total = pagination.count(session, stmt)
    rows = session.exec(stmt.limit(limit).offset(offset)).all()
    return [PageRow(*row) for row in rows], total


def get_published(session: Session, *, actor: Actor, page_id: int) -> PageRow:
    """One published page the actor sees, or NotFound (drafts look absent, to staff too)."""
    row = session.exec(_published(actor).where(col(Page.id) == page_id)).first()
    if row is None:
        raise NotFound()
    return PageRow(*row)


# Staff authoring -----------------------------------------------------------------------------


def _require_author(actor: Actor) -> None:
    require_staff(actor, "page.write", "You can't author pages.")


def admin_list(
    session: Session, *, actor: Actor, query: str = "", page: int = 1
) -> pagination.Page[PageRow]:
    """Every page the staff member may see (drafts included), newest change first."""
    stmt = _rows(actor)
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(
            or_(func.lower(col(Page.title)).like(like), func.lower(col(Company.name)).like(like))
        )
    stmt = stmt.order_by(col(Page.updated_at).desc(), col(Page.id).desc())
    listing = pagination.paginate(session, stmt, page=page, per_page=ADMIN_PAGE_SIZE, scalars=False)
    return listing.map(lambda row: PageRow(*row))


@dataclass(frozen=True)
class AuthoringForm:
    """The authoring form: the page being edited (None for a new one) and where it may go."""

    page: Page | None
    companies: list[Company]
    projects: list[tuple[Project, str]]  # project and its company name


def authoring_form(session: Session, *, actor: Actor, page_id: int | None = None) -> AuthoringForm:
    """The page to edit (NotFound if the staff member can't see it) and the companies and
    projects they may publish to."""
    page = get_for_actor(session, Page, page_id, actor) if page_id is not None else None
    companies = session.exec(
        scoped(select(Company), actor, Company).order_by(col(Company.name))
    ).all()
    projects = session.exec(
        scoped(select(Project, col(Company.name)), actor, Project)
        .join(Company, col(Company.id) == Project.company_id)
        .order_by(col(Company.name), col(Project.name))
        .limit(500)
    ).all()
    return AuthoringForm(
        page=page, companies=list(companies), projects=[(p, n) for p, n in projects]
    )


def page_errors(
    session: Session,
    *,
    actor: Actor,
    page_id: int | None,
    company_id: int | None,
    project_id: int | None,
) -> dict[str, list[str]]:
    """What is wrong with publishing to this company and project (empty when nothing is).

    The edge calls it when a page form failed its own checks too, so one 422 names every
    problem (and a refused author or a foreign page still answers 403 / 404 first).
    """
    _require_author(actor)
    if page_id is not None:
        get_for_actor(session, Page, page_id, actor)
    return _placement_errors(session, actor=actor, company_id=company_id, project_id=project_id)


def _placement_errors(
    session: Session, *, actor: Actor, company_id: int | None, project_id: int | None
) -> dict[str, list[str]]:
    try:
        company = get_for_actor(session, Company, company_id, actor)
    except NotFound:
        return {"company_id": ["Choose a company."]}
    if project_id is None:
        return {}
    try:
        project = get_for_actor(session, Project, project_id, actor)
    except NotFound:
        project = None
    if project is None or project.company_id != company.id:
        return {"project_id": ["Choose one of this company's projects."]}
    return {}


def create_page(session: Session, *, actor: Actor, data: PageCreate, publish: bool = False) -> Page:
    """Draft a page for a company (optionally about one of its projects); ``publish`` also
    publishes it."""
    _require_author(actor)
    return _save(session, actor=actor, page=None, data=data, publish=publish)


def update_page(
    session: Session, *, actor: Actor, page_id: int, data: PageUpdate, publish: bool = False
) -> Page:
    """Save an edited page; ``publish`` also publishes it (otherwise its state is kept)."""
    _require_author(actor)
    page = get_for_actor(session, Page, page_id, actor)
    return _save(session, actor=actor, page=page, data=data, publish=publish)


def _save(
    session: Session, *, actor: Actor, page: Page | None, data: PageCreate, publish: bool
) -> Page:
    errors = _placement_errors(
        session, actor=actor, company_id=data.company_id, project_id=data.project_id
    )
    if errors:
        raise Invalid(errors=errors)
    created = page is None
    if page is None:
        page = Page(
            company_id=data.company_id,
            title=data.title,
            slug=slugify(data.title),
            author_id=actor.user_id,
        )
    page.title = data.title
    page.slug = slugify(data.title)
    page.summary = data.summary
    page.body = data.body
    page.body_format = data.body_format.value
    page.body_html = render_body(data.body, data.body_format)
    page.company_id = data.company_id
    page.project_id = data.project_id
    page.updated_at = utcnow()
    newly_published = publish and page.published_at is None
    if newly_published:
        page.published_at = utcnow()
    session.add(page)
    session.flush()
    if created or newly_published:
        activity.record(
            session,
            actor=actor,
            company_id=page.company_id,
            action=Action.page_published if newly_published else Action.page_created,
            object_type="page",
            object_id=page.id,
            object_label=data.title,
            description=(
                f"{actor.label} published the page “{data.title}”"
                if newly_published
                else f"{actor.label} drafted the page “{data.title}”"
            ),
        )
    return page


def set_published(session: Session, *, actor: Actor, page_id: int, published: bool) -> Page:
    """Publish a draft or take a published page back to draft."""
    _require_author(actor)
    page = get_for_actor(session, Page, page_id, actor)
    if published == (page.published_at is not None):
        return page
    page.published_at = utcnow() if published else None
    page.updated_at = utcnow()
    session.add(page)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=page.company_id,
        action=Action.page_published if published else Action.page_unpublished,
        object_type="page",
        object_id=page.id,
        object_label=page.title,
        description=f"{actor.label} {'published' if published else 'unpublished'} “{page.title}”",
    )
    return page
