"""Feedback tab: the board of ideas, one idea with its comments, the roadmap, the changelog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from pydantic import ValidationError

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.errors import Invalid
from portal.extensions import csrf
from portal.models.feedback import (
    BoardSettingsUpdate,
    CategoryCreate,
    CategoryUpdate,
    CommentCreate,
    CommentUpdate,
    EntryCreate,
    PostCreate,
    PostUpdate,
    RejectionIn,
    SummarizeFilters,
    VisionUpdate,
    WidgetCreate,
)
from portal.runtime import get_runtime
from portal.security import CSP
from portal.tenancy import Actor
from portal.validation import form_data, validated
from portal.web.args import arg_int, page_arg
from portal.web.htmx import (
    hx_location,
    hx_redirect,
    is_partial,
    perform,
    render_fragment,
    render_page,
)
from portal.web.urls import safe_next
from services.feedback import (
    can_manage_board,
    comment_votes,
    comments,
    entries,
    moderation,
    posts,
    taxonomy,
    vision,
    widgets,
)
from services.feedback.board import (
    board_view,
    cast_vote,
    changelog_view,
    inbox_view,
    post_detail,
    roadmap_view,
)
from services.feedback.listing import SORTS, Filters, similar_posts
from services.portals import PortalContext

TEMPLATE = "feedback/index.html"
bp = portal_blueprint(
    "feedback",
    __name__,
    open_writes=frozenset(
        {"feedback.vote", "feedback.unvote", "feedback.vote_comment", "feedback.unvote_comment"}
    ),
)


def _here() -> tuple[PortalContext, Actor]:
    ctx = portal_ctx()
    return ctx, ctx.company_actor


def _filters() -> Filters:
    args = request.args
    sort = args.get("sort", "trending")
    return Filters(
        q=(args.get("q") or "").strip()[:200],
        category_id=arg_int(args, "category", minimum=1),
        status_id=arg_int(args, "status", minimum=1),
        tag_id=arg_int(args, "tag", minimum=1),
        sort=sort if sort in SORTS else "trending",
    )


def _page(view: str, status_code: int = 200, block: str = "main", **context: Any) -> Response:
    ctx, _ = _here()
    return render_page(
        TEMPLATE,
        status=status_code,
        block=block,
        ctx=ctx,
        view=view,
        active_tab="feedback",
        **context,
    )


def _form_page(
    view: str,
    status_code: int,
    extra: dict[str, Any],
    *,
    defaults: dict[str, Any] | None = None,
    **data: Any,
) -> Response:
    """A page holding a form: empty and error-free unless ``extra`` (a refused submission's
    ``form`` and ``errors``, or the view's own switches) says otherwise."""
    context: dict[str, Any] = {"form": {}, "errors": {}, **(defaults or {})}
    context.update(extra)
    return _page(view, status_code, **data, **context)


def _create_on_board(
    create: Callable[..., object],
    model: type[Any],
    *,
    message: str,
    endpoint: str,
    render: Callable[..., Response],
    **refused_extra: Any,
) -> Response:
    """Create something on this portal's board from the posted form; a refusal re-renders the
    page with the input kept and the per-field errors."""
    ctx, actor = _here()
    return perform(
        lambda: create(
            session=get_session(),
            actor=actor,
            company_id=ctx.portal.company_id,
            data=validated(model, form_data(request.form)),
        ),
        message=message,
        location=url_for(endpoint),
        refused=lambda status, **kw: render(status, form=request.form, **refused_extra, **kw),
    )


# The board ---------------------------------------------------------------------------------


def _render_board(status_code: int = 200, **extra: Any) -> Response:
    ctx, actor = _here()
    board = board_view(
        session=get_session(),
        actor=actor,
        portal=ctx.portal,
        filters=_filters(),
        page=page_arg(request.args),
    )
    # typing in the search box swaps only the results
    block = "results" if is_partial() and request.args.get("results") == "1" else "main"
    return _form_page(
        "board",
        status_code,
        extra,
        defaults={"open_form": False},
        block=block,
        board=board,
        page_title="Feedback",
    )


@bp.get("/feedback")
def index() -> Response:
    return _render_board()


@bp.post("/feedback")
def create() -> Response:
    ctx, actor = _here()
    try:
        data = validated(PostCreate, form_data(request.form, lists=["category_ids"]))
        post = posts.create_post(
            session=get_session(), actor=actor, company_id=ctx.portal.company_id, data=data
        )
    except Invalid as exc:
        return _render_board(422, form=request.form, errors=exc.errors, open_form=True)
    flash("Your idea is on the board.", "success")
    return hx_redirect(url_for("feedback.detail", post_key=post.key))


@bp.get("/feedback/similar")
def similar() -> Response:
    """Ideas like the title being typed in the new-idea form (a fragment, debounced by HTMX)."""
    _, actor = _here()
    found = similar_posts(
        session=get_session(), actor=actor, text=(request.args.get("title") or "")[:180]
    )
    return render_fragment(TEMPLATE, "similar", ctx=portal_ctx(), similar=found)


@bp.post("/feedback/settings")
def settings() -> Response:
    ctx, actor = _here()
    taxonomy.update_board_settings(
        session=get_session(),
        actor=actor,
        company_id=ctx.portal.company_id,
        data=validated(BoardSettingsUpdate, form_data(request.form)),
    )
    flash("Board settings saved.", "success")
    return hx_redirect(url_for("feedback.index"))


# Categories (the board's admin side) ----------------------------------------------------------


def _render_categories(status_code: int = 200, **extra: Any) -> Response:
    _, actor = _here()
    found = taxonomy.categories_to_manage(session=get_session(), actor=actor)
    return _form_page(
        "categories",
        status_code,
        extra,
        defaults={"editing_id": None},
        categories=found,
        page_title="Categories",
    )


@bp.get("/feedback/categories")
def categories() -> Response:
    return _render_categories()


@bp.post("/feedback/categories")
def create_category() -> Response:
    return _create_on_board(
        taxonomy.create_category,
        CategoryCreate,
        message="Category added.",
        endpoint="feedback.categories",
        render=_render_categories,
    )


@bp.post("/feedback/categories/<int:category_id>")
def update_category(category_id: int) -> Response:
    _, actor = _here()
    return perform(
        lambda: taxonomy.update_category(
            session=get_session(),
            actor=actor,
            category_id=category_id,
            data=validated(CategoryUpdate, form_data(request.form)),
        ),
        message="Category saved.",
        location=url_for("feedback.categories"),
        refused=lambda status, **kw: _render_categories(
            status, form=request.form, editing_id=category_id, **kw
        ),
    )


@bp.post("/feedback/categories/<int:category_id>/delete")
def delete_category(category_id: int) -> Response:
    _, actor = _here()
    taxonomy.delete_category(session=get_session(), actor=actor, category_id=category_id)
    flash("Category deleted: its ideas stay on the board.", "success")
    return hx_redirect(url_for("feedback.categories"))


@bp.get("/feedback/moderation")
def moderation_index() -> Response:
    _, actor = _here()
    which = request.args.get("status", "pending")
    queue = moderation.moderation_queue(session=get_session(), actor=actor, status=which)
    return _page("moderation", queue=queue, page_title="Moderation")


@bp.post("/feedback/moderation/<item_type>/<item_id>/approve")
def approve(item_type: str, item_id: str) -> Response:
    _, actor = _here()
    moderation.approve(session=get_session(), actor=actor, item_type=item_type, item_id=item_id)
    flash("Approved: it is on the board now.", "success")
    return hx_location(safe_next(request.form.get("next")) or url_for("feedback.moderation_index"))


@bp.post("/feedback/moderation/<item_type>/<item_id>/reject")
def reject(item_type: str, item_id: str) -> Response:
    _, actor = _here()
    moderation.reject(
        session=get_session(),
        actor=actor,
        item_type=item_type,
        item_id=item_id,
        reason=validated(RejectionIn, form_data(request.form)).reason,
    )
    flash("Rejected. Its author has been told.", "success")
    return hx_location(url_for("feedback.moderation_index"))


@bp.get("/feedback/roadmap")
def roadmap() -> Response:
    ctx, actor = _here()
    view = roadmap_view(session=get_session(), actor=actor, portal=ctx.portal)
    return _page("roadmap", roadmap=view, page_title="Roadmap")


@bp.get("/feedback/changelog")
def changelog() -> Response:
    _, actor = _here()
    view = changelog_view(session=get_session(), actor=actor, page=page_arg(request.args))
    return _page("changelog", changelog=view, page_title="Changelog")


# One idea ------------------------------------------------------------------------------------


def _render_detail(
    post_key: str, status_code: int = 200, block: str = "main", **extra: Any
) -> Response:
    ctx, actor = _here()
    detail = post_detail(session=get_session(), actor=actor, portal=ctx.portal, key=post_key)
    context: dict[str, Any] = {"errors": {}, "draft": "", "editing": None, "edit_post": False}
    context.update(extra)
    return _page(
        "post", status_code, block=block, detail=detail, page_title=detail.row.post.title, **context
    )


@bp.get("/feedback/<post_key>")
def detail(post_key: str) -> Response:
    editing = arg_int(request.args, "edit_comment", minimum=1)
    return _render_detail(
        post_key, editing=editing, edit_post=request.args.get("edit") == "1" and not editing
    )


@bp.post("/feedback/<post_key>")
def update(post_key: str) -> Response:
    _, actor = _here()
    try:
        data = validated(
            PostUpdate,
            {
                k: v
                for k, v in form_data(request.form, lists=["category_ids"]).items()
                if k in PostUpdate.model_fields
            },
        )
        posts.update_post(session=get_session(), actor=actor, key=post_key, data=data)
    except Invalid as exc:
        return _render_detail(post_key, 422, errors=exc.errors, edit_post=True)
    flash("Idea updated.", "success")
    return hx_redirect(url_for("feedback.detail", post_key=post_key))


@bp.post("/feedback/<post_key>/delete")
def delete(post_key: str) -> Response:
    _, actor = _here()
    posts.delete_post(session=get_session(), actor=actor, key=post_key)
    flash("Idea deleted.", "success")
    return hx_redirect(url_for("feedback.index"))


def _vote(post_key: str, *, on: bool) -> Response:
    """Vote or take the vote back; HTMX swaps the button, a plain form goes back to the idea.
    A refused vote (already voted, not voteable) answers 422 with the button and the reason."""
    ctx, actor = _here()
    outcome = cast_vote(session=get_session(), actor=actor, portal=ctx.portal, key=post_key, on=on)
    if not is_partial():
        if outcome.error:
            flash(outcome.error, "error")
        return hx_redirect(url_for("feedback.detail", post_key=post_key))
    return render_fragment(
        TEMPLATE,
        "vote",
        status=422 if outcome.error else 200,
        ctx=portal_ctx(),
        row=outcome.row,
        perms=outcome.perms,
        vote_error=outcome.error,
    )


@bp.post("/feedback/<post_key>/vote")
def vote(post_key: str) -> Response:
    return _vote(post_key, on=True)


@bp.post("/feedback/<post_key>/unvote")
def unvote(post_key: str) -> Response:
    return _vote(post_key, on=False)


# Comments ------------------------------------------------------------------------------------


def _to_comment(post_key: str, message: str, comment_id: int | None = None) -> Response:
    flash(message, "success")
    anchor = f"#comment-{comment_id}" if comment_id else "#comments"
    return hx_location(url_for("feedback.detail", post_key=post_key) + anchor)


def _comment_errors(post_key: str, exc: Invalid, **extra: Any) -> Response:
    """A refused comment form: the comments block again (HTMX) or the page, with the reasons."""
    block = "comments" if is_partial() else "main"
    return _render_detail(post_key, 422, block=block, errors=exc.errors, **extra)


@bp.post("/feedback/<post_key>/comments")
def comment(post_key: str) -> Response:
    _, actor = _here()
    try:
        data = validated(CommentCreate, form_data(request.form))
        new = comments.create_comment(session=get_session(), actor=actor, key=post_key, data=data)
    except Invalid as exc:
        return _comment_errors(
            post_key,
            exc,
            draft=request.form.get("comment", ""),
            reply_to=arg_int(request.form, "parent_id", minimum=1),
        )
    return _to_comment(post_key, "Comment posted.", new.id)


@bp.post("/feedback/<post_key>/comments/<int:comment_id>")
def update_comment(post_key: str, comment_id: int) -> Response:
    _, actor = _here()
    try:
        data = validated(CommentUpdate, {"comment": request.form.get("comment", "")})
        comments.update_comment(
            session=get_session(), actor=actor, key=post_key, comment_id=comment_id, data=data
        )
    except Invalid as exc:
        return _comment_errors(post_key, exc, editing=comment_id)
    return _to_comment(post_key, "Comment updated.", comment_id)


@bp.post("/feedback/<post_key>/comments/<int:comment_id>/delete")
def delete_comment(post_key: str, comment_id: int) -> Response:
    _, actor = _here()
    comments.delete_comment(session=get_session(), actor=actor, key=post_key, comment_id=comment_id)
    return _to_comment(post_key, "Comment deleted.")


@bp.post("/feedback/<post_key>/comments/<int:comment_id>/pin")
def pin_comment(post_key: str, comment_id: int) -> Response:
    _, actor = _here()
    pinned = request.form.get("pinned") == "1"
    comments.set_pinned(
        session=get_session(), actor=actor, key=post_key, comment_id=comment_id, pinned=pinned
    )
    return _to_comment(post_key, "Comment pinned." if pinned else "Comment unpinned.", comment_id)


def _comment_vote(post_key: str, comment_id: int, *, on: bool) -> Response:
    _, actor = _here()
    comment_votes.toggle_comment_vote(
        session=get_session(), actor=actor, key=post_key, comment_id=comment_id, on=on
    )
    return hx_redirect(url_for("feedback.detail", post_key=post_key) + f"#comment-{comment_id}")


@bp.post("/feedback/<post_key>/comments/<int:comment_id>/vote")
def vote_comment(post_key: str, comment_id: int) -> Response:
    return _comment_vote(post_key, comment_id, on=True)


@bp.post("/feedback/<post_key>/comments/<int:comment_id>/unvote")
def unvote_comment(post_key: str, comment_id: int) -> Response:
    return _comment_vote(post_key, comment_id, on=False)


# Raw feedback and widgets (the agency and client admins) ---------------------------------------


def _summary_filters() -> SummarizeFilters:
    """The inbox's filters from the query string; an unknown value is no filter."""
    args = request.args
    raw = {k: (args.get(k) or "").strip()[:100] for k in ("sentiment", "focus", "source", "widget")}
    try:
        return SummarizeFilters.model_validate({k: v for k, v in raw.items() if v})
    except ValidationError:
        return SummarizeFilters()


def _render_inbox(status_code: int = 200, **extra: Any) -> Response:
    _, actor = _here()
    view = inbox_view(session=get_session(), actor=actor, filters=_summary_filters())
    return _form_page("inbox", status_code, extra, inbox=view, page_title="Feedback inbox")


@bp.get("/feedback/inbox")
def inbox() -> Response:
    return _render_inbox()


@bp.post("/feedback/widgets")
def create_widget() -> Response:
    return _create_on_board(
        widgets.create_widget,
        WidgetCreate,
        message="Widget created: put its snippet on the client's site.",
        endpoint="feedback.inbox",
        render=_render_inbox,
    )


@bp.post("/feedback/widgets/<widget_key>/delete")
def delete_widget(widget_key: str) -> Response:
    _, actor = _here()
    widgets.delete_widget(session=get_session(), actor=actor, key=widget_key)
    flash("Widget deleted: it no longer shows on any site.", "success")
    return hx_redirect(url_for("feedback.inbox"))


@bp.post("/feedback/inbox/<int:entry_id>/delete")
def delete_entry(entry_id: int) -> Response:
    _, actor = _here()
    entries.delete_entry(session=get_session(), actor=actor, entry_id=entry_id)
    flash("Feedback deleted.", "success")
    return hx_redirect(url_for("feedback.inbox"))


# The product vision ----------------------------------------------------------------------------


def _render_vision(status_code: int = 200, **extra: Any) -> Response:
    ctx, actor = _here()
    current = vision.get_vision(
        session=get_session(), actor=actor, company_id=ctx.portal.company_id
    )
    return _form_page(
        "vision",
        status_code,
        extra,
        defaults={"editing": False},
        vision=current,
        can_manage=can_manage_board(actor),
        page_title="Product vision",
    )


@bp.get("/feedback/vision")
def vision_page() -> Response:
    return _render_vision(editing=request.args.get("edit") == "1")


@bp.post("/feedback/vision")
def save_vision() -> Response:
    return _create_on_board(
        vision.save_vision,
        VisionUpdate,
        message="Product vision saved.",
        endpoint="feedback.vision_page",
        render=_render_vision,
        editing=True,
    )


@bp.post("/feedback/vision/generate")
def generate_vision() -> Response:
    ctx, actor = _here()
    vision.generate_vision(session=get_session(), actor=actor, company_id=ctx.portal.company_id)
    flash("A draft from the most voted ideas: edit it to taste.", "success")
    return hx_redirect(url_for("feedback.vision_page"))


@bp.post("/feedback/vision/delete")
def delete_vision() -> Response:
    ctx, actor = _here()
    vision.delete_vision(session=get_session(), actor=actor, company_id=ctx.portal.company_id)
    flash("Product vision deleted.", "success")
    return hx_redirect(url_for("feedback.vision_page"))


# The embeddable widget (public: a client's own site frames it) ---------------------------------

public_bp = Blueprint("feedback_widget", __name__)
WIDGET_SCRIPT = "js/feedback-widget.js"
WIDGET_POSTS_PER_HOUR = 30


def _frame_headers(response: Response, origins: list[str]) -> Response:
    """Only the widget's listed origins may frame the page (none listed: nobody may)."""
    ancestors = " ".join(origins) if origins else "'none'"
    response.headers["Content-Security-Policy"] = CSP.replace(
        "frame-ancestors 'none'", f"frame-ancestors {ancestors}"
    )
    return response


def _frame(key: str, status_code: int = 200, **context: Any) -> Response:
    widget, portal = widgets.embedded_widget(session=get_session(), key=key)
    html = render_template(
        "feedback/widget.html",
        widget=widget,
        portal=portal,
        form=context.pop("form", {}),
        errors=context.pop("errors", {}),
        **context,
    )
    return _frame_headers(Response(html, status=status_code), widget.origins)


@public_bp.get("/widget/embed.js")
def script() -> Response:
    """The script a client puts on its site: any origin may load it (CORS ``*``, resource
    policy cross-origin); it holds no data, only the code that opens the iframe."""
    response = send_from_directory(current_app.static_folder or "static", WIDGET_SCRIPT)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@public_bp.get("/widget/<embed_key>")
def frame(embed_key: str) -> Response:
    return _frame(embed_key)


@public_bp.post("/widget/<embed_key>")
@csrf.exempt
def send(embed_key: str) -> Response:
    """A visitor's feedback. No session to protect (the page is anonymous, and a cross-site
    iframe gets no first-party cookie), so no CSRF token; the rate limit keeps floods out."""
    session = get_session()
    widget, _ = widgets.embedded_widget(session=session, key=embed_key)
    get_runtime().limiter.check(
        f"fb-widget:{widget.id}:{request.remote_addr}", WIDGET_POSTS_PER_HOUR, 3600
    )
    try:
        data = validated(EntryCreate, form_data(request.form))
    except Invalid as exc:
        return _frame(embed_key, 422, form=request.form, errors=exc.errors)
    widgets.submit_from_widget(session=session, widget=widget, data=data)
    return _frame(embed_key, 201, sent=True)
