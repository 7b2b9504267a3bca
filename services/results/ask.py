"""Ask: a question in plain language about the results, answered from the data.

The deterministic answerer understands the common questions — how a metric changed over a
period, the best or worst campaign by a measure, totals — and cites the numbers it used. It
reads the same aggregates as the tab (no other path to the data).

When a model is configured (``services.results.llm``), :func:`ask` hands it the question and
the numbers the deterministic answer cited — the asking company's only — and shows the model's
wording with the same citations; if the model is down, slow or unusable, the deterministic
answer stands with a quiet note. Without a model, :func:`ask` is the deterministic answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from portal.errors import Invalid
from portal.models.results import PlatformConnection
from portal.runtime import get_runtime
from portal.tenancy import Actor
from services.results.campaigns import campaign_table
from services.results.metrics import (
    METRIC_BY_KEY,
    METRICS,
    Period,
    format_value,
    period_for,
    results_for,
)

log = logging.getLogger(__name__)

MAX_QUESTION = 500
FALLBACK_NOTE = (
    "The assistant could not answer just now, so this answer was worked out directly "
    "from your numbers."
)


@dataclass(frozen=True)
class Citation:
    """One number an answer used, as shown ("Revenue, April 2026": "$12,345.00")."""

    label: str
    value: str


@dataclass(frozen=True)
class Answer:
    text: str
    citations: tuple[Citation, ...] = ()
    written_by: str | None = None  # the model that worded it (None: the deterministic answer)
    note: str | None = None  # why a configured model's answer is not shown


# words → metric keys (longest phrases first when matching)
SYNONYMS: dict[str, str] = {
    "return on ad spend": "roas",
    "roas": "roas",
    "cost per acquisition": "cpa",
    "cost per conversion": "cpa",
    "cpa": "cpa",
    "average order value": "aov",
    "aov": "aov",
    "click-through rate": "ctr",
    "click through rate": "ctr",
    "ctr": "ctr",
    "ad spend": "ad_spend",
    "spend": "ad_spend",
    "spent": "ad_spend",
    "ad revenue": "ad_revenue",
    "revenue": "revenue",
    "sales": "revenue",
    "orders": "orders",
    "order": "orders",
    "impressions": "impressions",
    "clicks": "clicks",
    "conversions": "conversions",
    "conversion": "conversions",
}
CAMPAIGN_MEASURES: dict[str, str] = {
    "roas": "roas",
    "cpa": "cpa",
    "ad_spend": "spend",
    "revenue": "revenue",
    "ad_revenue": "revenue",
    "clicks": "clicks",
    "impressions": "impressions",
    "conversions": "conversions",
    "ctr": "ctr",
}
PERIOD_WORDS = (
    ("week", "week"),
    ("month", "month"),
    ("quarter", "quarter"),
    ("year", "year"),
)


def _metric(text: str) -> str | None:
    for phrase in sorted(SYNONYMS, key=len, reverse=True):
        if re.search(rf"\b{re.escape(phrase)}\b", text):
            return SYNONYMS[phrase]
    return None


def _period_type(text: str) -> str:
    for word, period_type in PERIOD_WORDS:
        if re.search(rf"\b{word}\b", text) or (word == "month" and "mtd" in text):
            return period_type
    return "month"


def ask(
    *,
    session: Session,
    actor: Actor,
    company_id: int,
    company_ids: Sequence[int],
    question: str,
    today: date,
) -> Answer:
    """The answer to ``question`` about the company's results, with the numbers it used.

    With a model configured and numbers to answer from, the model words the answer from those
    numbers only; any failure of the model falls back to the deterministic answer with a note.
    Empty or over-long questions are :class:`Invalid`.
    """
    from services.results import list_connections
    from services.results.llm import ChatModel, ModelError, model_config

    connections = list_connections(session, actor=actor, company_id=company_id)
    found = deterministic_answer(
        session,
        company_id=company_id,
        company_ids=company_ids,
        connections=connections,
        question=question,
        today=today,
    )
    config = model_config(get_runtime().settings)
    if config is None or not found.citations:
        return found
    facts = [(c.label, c.value) for c in found.citations]
    try:
        text = ChatModel(config).complete(" ".join(question.split()), facts)
    except ModelError as exc:
        log.warning("Ask: the model gave no answer (%s); the direct answer is shown", exc.message)
        return Answer(text=found.text, citations=found.citations, note=FALLBACK_NOTE)
    return Answer(text=text, citations=found.citations, written_by=config.model)


def answer(
    session: Session,
    *,
    company_id: int,
    company_ids: Sequence[int],
    connections: list[PlatformConnection],
    question: str,
    today: date,
) -> str:
    """The deterministic answer's text (one or two sentences citing the numbers used)."""
    return deterministic_answer(
        session,
        company_id=company_id,
        company_ids=company_ids,
        connections=connections,
        question=question,
        today=today,
    ).text


def deterministic_answer(
    session: Session,
    *,
    company_id: int,
    company_ids: Sequence[int],
    connections: list[PlatformConnection],
    question: str,
    today: date,
) -> Answer:
    """The deterministic answer to ``question`` and the numbers it cites."""
    text = " ".join(question.lower().split())
    if not text:
        raise Invalid("Ask a question.", errors={"question": ["Ask a question."]})
    if len(text) > MAX_QUESTION:
        raise Invalid(
            "That question is too long.", errors={"question": ["Keep it under 500 characters."]}
        )
    period = period_for(_period_type(text), today)
    if re.search(r"\b(last|previous)\b", text):
        # the whole previous period ("last month": the calendar month before this one)
        period = period_for(period.type, period.start - timedelta(days=1))
    metric_key = _metric(text)
    if re.search(r"\b(best|top|worst|lowest|highest|most|least)\b", text) and "campaign" in text:
        return _campaign_answer(session, company_ids, period, text, metric_key)
    results = results_for(
        session,
        company_id=company_id,
        company_ids=company_ids,
        period=period,
        connections=connections,
    )
    if not connections:
        return Answer(
            "There are no connected platforms yet, so there are no numbers to answer from."
        )
    if metric_key is None:
        shown = [
            (r.metric.label, format_value(r.metric, r.value, results.currency))
            for r in results.metrics
            if r.key in ("revenue", "orders", "ad_spend", "conversions", "roas")
            and r.value is not None
        ]
        known = ", ".join(m.label.lower() for m in METRICS[:6])
        if not shown:
            return Answer(f"I found no numbers for {period.label}. Try asking about {known}.")
        return Answer(
            f"I could not tell which metric you mean, so here are the totals for {period.label}: "
            + "; ".join(f"{label} {value}" for label, value in shown)
            + ".",
            tuple(Citation(f"{label}, {period.label}", value) for label, value in shown),
        )
    r = results.metric(metric_key)
    assert r is not None
    metric = METRIC_BY_KEY[metric_key]
    value = format_value(metric, r.value, results.currency)
    if r.value is None:
        return Answer(f"There is no {metric.label.lower()} data for {period.label}.")
    cited = [Citation(f"{metric.label}, {period.label} (to {period.end:%-d %b %Y})", value)]
    sentence = f"{metric.label} for {period.label} (to {period.end:%-d %b %Y}) is {value}"
    if r.prior_value is not None:
        prior = format_value(metric, r.prior_value, results.currency)
        cited.append(Citation(f"{metric.label}, same days of {period.comparison}", prior))
        if r.delta_pct is not None:
            direction = "up" if r.delta_pct > 0 else "down" if r.delta_pct < 0 else "unchanged"
            cited.append(Citation("Change", f"{r.delta_pct:+.1f}%"))
            sentence += (
                f", {direction} {abs(r.delta_pct):.1f}% from {prior} over the same days of "
                f"{period.comparison}"
            )
        else:
            sentence += f", against {prior} {period.comparison}"
    if r.target is not None:
        status = r.tracking_status.replace("_", " ")
        target = format_value(metric, r.target, results.currency)
        cited.append(Citation(f"Target for the {period.type}", f"{target} ({status})"))
        sentence += f". Target for the {period.type}: {target} ({status})"
    return Answer(sentence + ".", tuple(cited))


def _campaign_answer(
    session: Session, company_ids: Sequence[int], period: Period, text: str, metric_key: str | None
) -> Answer:
    measure = CAMPAIGN_MEASURES.get(metric_key or "", "roas")
    worst = bool(re.search(r"\b(worst|lowest|least)\b", text))
    # for cost per acquisition, lower is better: "best" is the lowest
    ascending = worst != (measure == "cpa")
    table = campaign_table(
        session,
        company_ids=company_ids,
        period=period,
        sort_by=measure,
        sort_dir="asc" if ascending else "desc",
    )
    rows = [r for r in table.rows if getattr(r, measure) is not None]
    if not rows:
        return Answer(f"There are no campaigns with numbers for {period.label}.")
    top = rows[0]
    label = METRIC_BY_KEY.get(metric_key or "roas", METRIC_BY_KEY["roas"]).label
    value = getattr(top, measure)
    shown = (
        f"{value:.2f}×"
        if measure == "roas"
        else f"{value:.2f}%"
        if measure == "ctr"
        else f"${value:,.2f}"
        if measure in ("spend", "revenue", "cpa")
        else f"{value:,}"
    )
    which = "worst" if worst else "best"
    return Answer(
        f"The {which} campaign by {label.lower()} for {period.label} is {top.name} "
        f"({top.platform_label}) at {shown}, with ${top.spend:,.2f} spent and "
        f"{top.conversions:,} conversions across {len(rows)} campaigns.",
        (
            Citation(
                f"The {which} campaign by {label.lower()}, {period.label}",
                f"{top.name} ({top.platform_label})",
            ),
            Citation(f"{label} of {top.name}", shown),
            Citation(f"Spend of {top.name}", f"${top.spend:,.2f}"),
            Citation(f"Conversions of {top.name}", f"{top.conversions:,}"),
            Citation("Campaigns compared", f"{len(rows):,}"),
        ),
    )
