"""The success profile questionnaire (reference 000) and the client goals it sets.

A goal naming a Results metric (``metric_key``) becomes that metric's target: the Results tab's
targets are monthly, so a goal per week, quarter or year is converted to its monthly share
(a ratio such as ROAS applies as it is).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import Session, col, delete, select

from portal.models import ClientRole, Company
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.onboarding import ClientGoal, ProfileSubmit, SuccessProfile
from portal.models.results import MetricTarget
from portal.tenancy import Actor, get_for_actor, require_client_role, scoped
from services.events.activity import record
from services.events.notifications import notify
from services.onboarding import _tab_url
from services.results import _manager_ids
from services.results.metrics import METRIC_BY_KEY, MONEY_STORED

PROFILE_FIELDS = (
    "financial_year_start",
    "financial_year_end",
    "key_trading_periods",
    "channel_online_pct",
    "channel_instore_pct",
    "channel_wholesale_pct",
    "celebration_vision",
    "growth_priorities_text",
    "company_direction_text",
)
# months in a goal's period (a week is 12/52 of a month)
PERIOD_MONTHS: dict[str, Decimal] = {
    "week": Decimal(12) / Decimal(52),
    "month": Decimal(1),
    "quarter": Decimal(3),
    "year": Decimal(12),
}


def profile_of(
    session: Session, *, actor: Actor, company_id: int
) -> tuple[SuccessProfile | None, list[ClientGoal]]:
    """The company's answers (None before the first submission) and its goals, in order."""
    get_for_actor(session, Company, company_id, actor)
    profile = session.exec(
        scoped(select(SuccessProfile), actor, SuccessProfile).where(
            SuccessProfile.company_id == company_id
        )
    ).first()
    goals = session.exec(
        scoped(select(ClientGoal), actor, ClientGoal)
        .where(ClientGoal.company_id == company_id)
        .order_by(col(ClientGoal.position), col(ClientGoal.id))
    ).all()
    return profile, list(goals)


def submit_profile(
    *, session: Session, actor: Actor, company_id: int, data: ProfileSubmit
) -> SuccessProfile:
    """Save the questionnaire (collaborator or admin; staff too). Goals sent replace the
    goals, and those naming a Results metric set its target. The assigned managers are
    notified on the first completion."""
    company = get_for_actor(session, Company, company_id, actor)
    require_client_role(
        actor, ClientRole.collaborator, "Only collaborators and admins can answer the profile."
    )
    profile = session.exec(
        select(SuccessProfile).where(SuccessProfile.company_id == company_id)
    ).first()
    first = profile is None or profile.completed_at is None
    if profile is None:
        profile = SuccessProfile(company_id=company_id)
    for name in PROFILE_FIELDS:
        setattr(profile, name, getattr(data, name))
    now = utcnow()
    profile.updated_at = now
    if first:
        profile.completed_at = now
        profile.completed_by_id = actor.user_id
    session.add(profile)
    if data.goals is not None:
        _replace_goals(session, company_id, data)
    session.flush()
    record(
        session,
        actor=actor,
        company_id=company_id,
        action=Action.success_profile_completed if first else Action.success_profile_updated,
        object_type="success_profile",
        object_id=profile.id,
        object_label=company.name,
        description=f"{actor.label} {'completed' if first else 'updated'} the success profile",
    )
    if first:
        notify(
            session,
            user_ids=_manager_ids(session, company),
            type="success_profile_completed",
            title=f"{company.name} completed its success profile",
            company_id=company_id,
            actor=actor,
            url=_tab_url(session, company_id, "onboarding"),
        )
    return profile


def _replace_goals(session: Session, company_id: int, data: ProfileSubmit) -> None:
    session.exec(delete(ClientGoal).where(col(ClientGoal.company_id) == company_id))
    targets: dict[str, int] = {}
    for i, goal in enumerate(data.goals or []):
        metric = METRIC_BY_KEY.get(goal.metric_key or "")
        session.add(
            ClientGoal(
                company_id=company_id,
                position=i,
                metric=goal.metric,
                target=goal.target,
                unit=goal.unit,
                period=goal.period,
                metric_key=metric.key if metric else None,
                metric_label=goal.metric_label or (metric.label if metric else goal.metric),
            )
        )
        if metric is not None:
            targets[metric.key] = monthly_target(metric.key, goal.target, goal.period)
    if not targets:
        return
    existing = {
        t.metric: t
        for t in session.exec(
            select(MetricTarget).where(
                MetricTarget.company_id == company_id, col(MetricTarget.metric).in_(list(targets))
            )
        ).all()
    }
    for key, monthly in targets.items():
        row = existing.get(key) or MetricTarget(company_id=company_id, metric=key, monthly_value=0)
        row.monthly_value = monthly
        session.add(row)


def monthly_target(key: str, target: Decimal, period: str) -> int:
    """A goal's target as the Results tab stores it: per month, money in minor units, ratios
    and percentages in hundredths."""
    metric = METRIC_BY_KEY[key]
    if metric.ratio is not None:
        return int((target * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    monthly = target / PERIOD_MONTHS[period]
    if key in MONEY_STORED:
        monthly *= 100
    return int(monthly.quantize(Decimal(1), rounding=ROUND_HALF_UP))


CURRENCY_SYMBOLS = {"USD": "$", "$": "$", "EUR": "€", "€": "€", "GBP": "£", "£": "£"}
ATTACHED_UNITS = {"×": "×", "x": "×", "X": "×", "%": "%"}


def _number(value: Decimal, *, money: bool = False) -> str:
    """1,000 · 3.2 · $95,000.50: thousands separated, no trailing zeros (money keeps its cents
    when it has any)."""
    text = f"{value:,.2f}"
    if money:
        return text[:-3] if text.endswith(".00") else text
    return text.rstrip("0").rstrip(".")


def goal_text(goal: ClientGoal) -> str:
    """How a goal reads: "$95,000 per month", "1,000 orders per month", "3.2× or more, over
    each month" (a ratio or rate is met over a period, not added up in it), "$55 or less, over
    each month" (cost per acquisition: less is better)."""
    metric = METRIC_BY_KEY.get(goal.metric_key or "")
    unit = (goal.unit or "").strip()
    number = _number(Decimal(goal.target))
    if metric is not None:
        if metric.unit == "money":
            number = _number(Decimal(goal.target), money=True)
            symbol = CURRENCY_SYMBOLS.get(unit.upper() if len(unit) == 3 else unit)
            amount = f"{symbol}{number}" if symbol else f"{number} {unit or 'USD'}"
        elif metric.unit == "ratio":
            amount = f"{number}×"
        elif metric.unit == "percent":
            amount = f"{number}%"
        else:
            amount = f"{number} {unit}" if unit else number
        if metric.ratio is not None:
            better = "or less" if metric.better == "lower" else "or more"
            return f"{amount} {better}, over each {goal.period}"
        return f"{amount} per {goal.period}"
    if unit in ATTACHED_UNITS:
        return f"{number}{ATTACHED_UNITS[unit]} each {goal.period}"
    symbol = CURRENCY_SYMBOLS.get(unit)
    if symbol:
        return f"{symbol}{number} per {goal.period}"
    return f"{number} {unit} per {goal.period}" if unit else f"{number} per {goal.period}"
