"""Demo feedback (part of ``load_demo``): Acme's board with ideas in every status, votes,
comments, release notes and one idea awaiting approval; idempotent (nothing is added once
Acme's board has ideas)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from portal.models import ActivityLog, Company, FeedbackComment, FeedbackPost, FeedbackStatus, User
from portal.models.base import utcnow
from portal.models.feedback import (
    CategoryCreate,
    CommentCreate,
    EntryCreate,
    Moderation,
    PostCreate,
    PostUpdate,
    WidgetCreate,
)
from portal.tenancy import Actor, actor_for_user
from services.feedback import comments, posts, taxonomy, vision, votes, widgets

CATEGORIES = [("Reporting", "#7AA2F7"), ("Integrations", "#F7A278"), ("Design", "#C58AF9")]

# title, description, author, status, categories, voters, anonymous votes, comments, age in days;
# a comment is (author, text, flags) with flags among "pin", "changelog", "reply".
IDEAS: list[
    tuple[str, str, str, str, list[str], list[str], int, list[tuple[str, str, str]], int]
] = [
    (
        "Monthly PDF report of campaign results",
        "A PDF we can forward to our board each month: **traffic, leads and spend** on one page.",
        "owner@acme.test",
        "In progress",
        ["Reporting"],
        ["owner@acme.test", "dev@acme.test", "viewer@acme.test", "pm@northwind.test"],
        14,
        [
            ("dev@acme.test", "Yes please, we copy numbers by hand today.", ""),
            ("pm@northwind.test", "Design is done; we are building the export now.", "pin"),
            ("owner@acme.test", "Great news @Pat, thank you!", "reply"),
        ],
        40,
    ),
    (
        "Connect the portal to our HubSpot",
        "New leads from the website should land in HubSpot with their source.",
        "dev@acme.test",
        "Planned",
        ["Integrations"],
        ["dev@acme.test", "owner@acme.test"],
        9,
        [("pm@northwind.test", "Planned for next quarter, after the report export.", "")],
        30,
    ),
    (
        "Dark mode for the portal",
        "Our team works late; a dark theme would be easier on the eyes.",
        "owner@acme.test",
        "Under review",
        ["Design"],
        ["viewer@acme.test", "dev@acme.test"],
        3,
        [("dev@acme.test", "+1, especially on the task board.", "")],
        6,
    ),
    (
        "Approve deliverables from email",
        "One click in the notification email to approve a small change.",
        "owner@acme.test",
        "Under review",
        [],
        ["owner@acme.test"],
        5,
        [],
        2,
    ),
    (
        "Shared calendar of launch dates",
        "All campaign and launch dates in one calendar we can subscribe to.",
        "dev@acme.test",
        "Done",
        ["Reporting", "Design"],
        ["dev@acme.test", "owner@acme.test", "viewer@acme.test"],
        7,
        [
            (
                "pm@northwind.test",
                "Shipped: subscribe from **Projects → Calendar** (iCal link).",
                "changelog",
            )
        ],
        60,
    ),
    (
        "Fax notifications",
        "Send each notification by fax too.",
        "dev@acme.test",
        "Declined",
        [],
        [],
        1,
        [("pm@northwind.test", "Thanks! We will stay with email and in-app for now.", "")],
        20,
    ),
]


def _last_activity_id(session: Session) -> int:
    return session.exec(select(func.max(ActivityLog.id))).one() or 0


def _backdate(session: Session, post: FeedbackPost, *, after_id: int) -> None:
    """Demo history happens when the idea says: posted ``age`` days ago, comments in the hours
    after, the status change when the idea records it (not all "just now" on load)."""
    session.flush()
    posted = post.created_at
    step = 0
    for comment in session.exec(
        select(FeedbackComment)
        .where(FeedbackComment.post_id == post.id)
        .order_by(col(FeedbackComment.id))
    ).all():
        step += 1
        comment.created_at = posted + timedelta(hours=3 * step)
        session.add(comment)
    rows = session.exec(
        select(ActivityLog).where(col(ActivityLog.id) > after_id).order_by(col(ActivityLog.id))
    ).all()
    for i, row in enumerate(rows):
        if row.action == "feedback_status_changed" and post.latest_status_change_at:
            row.created_at = post.latest_status_change_at
        else:
            row.created_at = posted + timedelta(hours=3 * i)
        session.add(row)
    session.flush()


def load_demo_feedback(session: Session, companies: Mapping[str, Company]) -> bool:
    """Acme's board; returns True if anything was added."""
    acme = companies["acme"]
    assert acme.id is not None
    if session.exec(select(FeedbackPost.id).where(FeedbackPost.company_id == acme.id)).first():
        return False
    people = {u.email: u for u in session.exec(select(User)).all()}
    pm = people["pm@northwind.test"]
    agency = actor_for_user(session, pm).narrowed([acme.id])
    categories = {
        name: taxonomy.create_category(
            session=session,
            actor=agency,
            company_id=acme.id,
            data=CategoryCreate(name=name, color=color),
        ).id
        for name, color in CATEGORIES
    }
    statuses = {s.name: s.id for s in session.exec(select(FeedbackStatus)).all()}
    now = utcnow()
    for title, text, author, status, cats, voters, anonymous, notes, age in IDEAS:
        first_row = _last_activity_id(session)
        writer = actor_for_user(session, people[author]).narrowed([acme.id])
        post = posts.create_post(
            session=session,
            actor=writer,
            company_id=acme.id,
            data=PostCreate(
                title=title,
                description=text,
                category_ids=[c for c in (categories[n] for n in cats) if c is not None],
            ),
        )
        post.created_at = post.updated_at = now - timedelta(days=age)
        session.add(post)
        for email in voters:
            voter = actor_for_user(session, people[email]).narrowed([acme.id])
            votes.vote(session=session, actor=voter, key=post.key)
        for i in range(anonymous):
            votes.vote_anonymously(
                session=session, actor=agency, key=post.key, anonymous_id=f"demo-{post.key}-{i}"
            )
        parent_id: int | None = None
        for email, body, flags in notes:
            who = actor_for_user(session, people[email]).narrowed([acme.id])
            comment = comments.create_comment(
                session=session,
                actor=who,
                key=post.key,
                data=CommentCreate(
                    comment=body,
                    parent_id=parent_id if flags == "reply" else None,
                    pinned_to_top=flags == "pin",
                    tagged_for_changelog=flags == "changelog",
                ),
            )
            parent_id = comment.id
        if status != "Under review":
            posts.update_post(
                session=session,
                actor=agency,
                key=post.key,
                data=PostUpdate(status_id=statuses[status]),
            )
            post.latest_status_change_at = now - timedelta(days=max(age // 3, 1))
            session.add(post)
        _backdate(session, post, after_id=first_row)
    # one idea waiting in the moderation queue (as if Acme's board asked for approval that day)
    waiting = posts.create_post(
        session=session,
        actor=actor_for_user(session, people["dev@acme.test"]).narrowed([acme.id]),
        company_id=acme.id,
        data=PostCreate(
            title="Two-factor sign-in for our team",
            description="Our security policy asks for it on every tool we use.",
        ),
    )
    waiting.moderation_status = Moderation.pending.value
    session.add(waiting)
    session.flush()
    _widget_and_vision(session, agency=agency, company_id=acme.id, now=now)
    return True


# what visitors sent through the widget on Acme's site: (type, text, page, age in hours)
WIDGET_FEEDBACK: list[tuple[str, str, str, int]] = [
    ("praise", "Love the new order tracking page, great work!", "/orders", 5),
    ("bug", "The checkout button is hard to find on mobile.", "/cart", 20),
    ("idea", "Could you add a wish list? I keep losing products I liked.", "/products", 30),
    ("question", "Do you ship to Canada?", "/shipping", 52),
    ("bug", "Search is slow when I filter by size.", "/search", 75),
]


def _widget_and_vision(session: Session, *, agency: Actor, company_id: int, now: datetime) -> None:
    """Acme's website widget with a few visitors' messages, and the board's product vision."""
    widget = widgets.create_widget(
        session=session,
        actor=agency,
        company_id=company_id,
        data=WidgetCreate(
            name="acme.example website",
            allowed_origins=["https://www.acme.example", "http://localhost:8161"],
        ),
    )
    for kind, text, page, hours in WIDGET_FEEDBACK:
        entry = widgets.submit_from_widget(
            session=session,
            widget=widget,
            data=EntryCreate(type=kind, feedback=text, page_url=f"https://www.acme.example{page}"),
        )
        entry.created_at = entry.updated_at = now - timedelta(hours=hours)
        session.add(entry)
    vision.generate_vision(
        session=session,
        actor=agency,
        company_id=company_id,
        description="Acme's team sees every order, report and request in one calm place.",
    )
    session.flush()
