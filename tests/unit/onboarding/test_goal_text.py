"""How a goal reads on the Onboarding tab, for every unit kind of the Results metrics and for
free-form goals: a ratio reads "3.2× or more, over each month", never "3.2 × per month"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.models.onboarding import ClientGoal
from services.onboarding.profile import goal_text


def goal(target: str, unit: str = "", key: str | None = None, period: str = "month") -> ClientGoal:
    return ClientGoal(
        company_id=1,
        position=0,
        metric="m",
        target=Decimal(target),
        unit=unit,
        period=period,
        metric_key=key,
    )


@pytest.mark.parametrize(
    ("g", "text"),
    [
        (goal("95000", "USD", "revenue"), "$95,000 per month"),
        (goal("95000.50", "EUR", "revenue", "quarter"), "€95,000.50 per quarter"),
        (goal("1000", "orders", "orders"), "1,000 orders per month"),
        (goal("1450", "", "conversions", "week"), "1,450 per week"),
        (goal("3.2", "×", "roas"), "3.2× or more, over each month"),
        (goal("3.20", "", "roas"), "3.2× or more, over each month"),
        (goal("2.5", "%", "ctr"), "2.5% or more, over each month"),
        (goal("55", "USD", "cpa"), "$55 or less, over each month"),
        (goal("80", "USD", "aov", "year"), "$80 or more, over each year"),
        (goal("4000", "USD", "ad_spend"), "$4,000 per month"),
        (goal("80", "%"), "80% each month"),
        (goal("3", "x"), "3× each month"),
        (goal("20", "leads"), "20 leads per month"),
        (goal("500", "$"), "$500 per month"),
        (goal("7"), "7 per month"),
    ],
)
def test_every_unit_kind_reads_naturally(g: ClientGoal, text: str) -> None:
    assert goal_text(g) == text
    assert " × " not in goal_text(g)
