"""Pages: staff-authored rich pages published to a company (optionally about one project).

Bodies are markdown or HTML; both are rendered once, on save, through nh3 (an allow-list
sanitiser), and only the sanitised HTML is ever shown. Reading is group-aware: a parent's
people see their children's pages; a child never sees its parent's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from sqlalchemy import or_
from sqlmodel import Session, func, select

from portal.errors import Forbidden, Invalid, NotFound
from portal.models import Company, Page, PageFormat, Project, User
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.tenancy import Actor, scoped
from services.events import activity

PAGE_SIZE = 20
ADMIN_PAGE_SIZE = 25
MAX_BODY = 100_000

# Raw HTML inside markdown is not passed through: markdown pages are markdown only.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)

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


@dataclass(frozen=True)
class PageList:
    rows: list[PageRow]
    total: int
    page: int
    pages: int


def _published(actor: Actor, company_ids: list[int]):  # noqa: ANN202
    return scoped(select(Page), actor, Page).where(
        Page.company_id.in_(company_ids),  # type: ignore[attr-defined]
        Page.published_at.is_not(None),  # type: ignore[union-attr]
    )


def published_rows(
    session: Session, *, actor: Actor, company_ids: list[int], limit: int, offset: int
) -> tuple[list[PageRow], int]:
    """A slice of the group's published pages, newest first, and how many there are."""
    total = int(
        session.exec(
            select(func.count()).select_from(_published(actor, company_ids).subquery())
        ).one()
    )
    rows = session.exec(
        scoped(select(Page, Company.name, Project.name, User), actor, Page)
        .join(Company, Company.id == Page.company_id)
        .outerjoin(Project, Project.id == Page.project_id)
        .outerjoin(User, User.id == Page.author_id)
        .where(
            Page.company_id.in_(company_ids),  # type: ignore[attr-defined]
            Page.published_at.is_not(None),  # type: ignore[union-attr]
        )
        .order_by(Page.published_at.desc(), Page.id.desc())  # type: ignore[union-attr]
        .limit(limit)
        .offset(offset)
    ).all()
    return [PageRow(p, c, pn, a) for p, c, pn, a in rows], total


def list_published(
    session: Session, *, actor: Actor, company_ids: list[int], page: int = 1
) -> PageList:
    """Published pages of the portal's group, newest first, a page of the list at a time."""
    page = max(1, page)
    rows, total = published_rows(
        session,
        actor=actor,
        company_ids=company_ids,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    pages = max(1, -(-total // PAGE_SIZE))
    if page > pages:  # past the end: show the last page
        return list_published(session, actor=actor, company_ids=company_ids, page=pages)
    return PageList(rows=rows, total=total, page=page, pages=pages)


def get_published(
    session: Session, *, actor: Actor, page_id: object, company_ids: list[int]
) -> PageRow:
    """One published page of the portal's group, or NotFound (drafts look absent)."""
    try:
        pk = int(page_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise NotFound() from None
    row = session.exec(
        scoped(select(Page, Company.name, Project.name, User), actor, Page)
        .join(Company, Company.id == Page.company_id)
        .outerjoin(Project, Project.id == Page.project_id)
        .outerjoin(User, User.id == Page.author_id)
        .where(
            Page.id == pk,
            Page.company_id.in_(company_ids),  # type: ignore[attr-defined]
            Page.published_at.is_not(None),  # type: ignore[union-attr]
        )
    ).first()
    if row is None:
        raise NotFound()
    return PageRow(*row)


# Staff authoring -----------------------------------------------------------------------------


def _require_author(actor: Actor) -> None:
    if not (actor.is_staff and actor.can("page.write")):
        raise Forbidden("You can't author pages.")


@dataclass(frozen=True)
class AdminPageList:
    rows: list[PageRow]
    total: int
    page: int
    pages: int


def admin_list(session: Session, *, actor: Actor, query: str = "", page: int = 1) -> AdminPageList:
    """Every page the staff member may see (drafts included), newest change first."""
    stmt = (
        scoped(select(Page, Company.name, Project.name, User), actor, Page)
        .join(Company, Company.id == Page.company_id)
        .outerjoin(Project, Project.id == Page.project_id)
        .outerjoin(User, User.id == Page.author_id)
    )
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(
            or_(func.lower(Page.title).like(like), func.lower(Company.name).like(like))
        )
    total = int(session.exec(select(func.count()).select_from(stmt.subquery())).one())
    pages = max(1, -(-total // ADMIN_PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = session.exec(
        stmt.order_by(Page.updated_at.desc(), Page.id.desc())  # type: ignore[attr-defined]
        .limit(ADMIN_PAGE_SIZE)
        .offset((page - 1) * ADMIN_PAGE_SIZE)
    ).all()
    return AdminPageList(
        rows=[PageRow(p, c, pn, a) for p, c, pn, a in rows], total=total, page=page, pages=pages
    )


def get_for_staff(session: Session, *, actor: Actor, page_id: object) -> Page:
    try:
        pk = int(page_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise NotFound() from None
    page = session.exec(scoped(select(Page), actor, Page).where(Page.id == pk)).first()
    if page is None:
        raise NotFound()
    return page


@dataclass(frozen=True)
class AuthoringChoices:
    companies: list[Company]
    projects: list[tuple[Project, str]]  # project and its company name


def authoring_choices(session: Session, *, actor: Actor) -> AuthoringChoices:
    """Companies and projects the staff member may publish to."""
    companies = session.exec(scoped(select(Company), actor, Company).order_by(Company.name)).all()
    projects = session.exec(
        scoped(select(Project, Company.name), actor, Project)
        .join(Company, Company.id == Project.company_id)
        .order_by(Company.name, Project.name)
        .limit(500)
    ).all()
    return AuthoringChoices(companies=list(companies), projects=[(p, n) for p, n in projects])


def save_page(
    session: Session,
    *,
    actor: Actor,
    page_id: object = None,
    title: str,
    body: str,
    body_format: str = PageFormat.markdown.value,
    company_id: object,
    project_id: object = None,
    summary: str = "",
    publish: bool = False,
) -> Page:
    """Create or update a page; ``publish`` also publishes it (otherwise its state is kept)."""
    _require_author(actor)
    page = get_for_staff(session, actor=actor, page_id=page_id) if page_id else None
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    summary = (summary or "").strip()
    body = body or ""
    if not title:
        errors["title"] = ["Give the page a title."]
    elif len(title) > 200:
        errors["title"] = ["Keep the title under 200 characters."]
    if len(summary) > 300:
        errors["summary"] = ["Keep the summary under 300 characters."]
    if len(body) > MAX_BODY:
        errors["body"] = ["The page is too long (100,000 characters at most)."]
    if body_format not in {f.value for f in PageFormat}:
        errors["body_format"] = ["Choose markdown or HTML."]
    company = _visible_company(session, actor=actor, raw=company_id)
    if company is None:
        errors["company_id"] = ["Choose a company."]
    project_pk: int | None = None
    if project_id not in (None, "") and company is not None:
        project = _visible_project(session, actor=actor, raw=project_id)
        if project is None or project.company_id != company.id:
            errors["project_id"] = ["Choose one of this company's projects."]
        else:
            project_pk = project.id
    if errors:
        raise Invalid(errors=errors)
    created = page is None
    if page is None:
        page = Page(
            company_id=company.id, title=title, slug=slugify(title), author_id=actor.user_id
        )  # type: ignore[union-attr,arg-type]
    page.title = title
    page.slug = slugify(title)
    page.summary = summary
    page.body = body
    page.body_format = body_format
    page.body_html = render_body(body, body_format)
    page.company_id = company.id  # type: ignore[union-attr,assignment]
    page.project_id = project_pk
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
            object_label=title,
            description=(
                f"{actor.label} published the page “{title}”"
                if newly_published
                else f"{actor.label} drafted the page “{title}”"
            ),
        )
    return page


def set_published(session: Session, *, actor: Actor, page_id: object, published: bool) -> Page:
    """Publish a draft or take a published page back to draft."""
    _require_author(actor)
    page = get_for_staff(session, actor=actor, page_id=page_id)
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


def _visible_company(session: Session, *, actor: Actor, raw: object) -> Company | None:
    try:
        pk = int(raw)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return session.exec(scoped(select(Company), actor, Company).where(Company.id == pk)).first()


def _visible_project(session: Session, *, actor: Actor, raw: object) -> Project | None:
    try:
        pk = int(raw)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return session.exec(scoped(select(Project), actor, Project).where(Project.id == pk)).first()
