"""The warning rules (预警规则), in the order a scan runs them."""

from __future__ import annotations

from riskctl.warnings.rules import draws, inspections, leniency, rectification, register, reviews
from riskctl.warnings.rules.base import Rule

RULES: tuple[Rule, ...] = (
    register.REVIEW_OVERDUE,
    register.MEASURE_OVERDUE,
    leniency.UNIT_RATE,
    leniency.OFFICER_RATE,
    leniency.SAME_PARTY,
    leniency.OTHER_GROUND,
    inspections.SAME_TARGET,
    reviews.FAILED_FILE,
    reviews.UNIT_AVERAGE,
    rectification.RULE,
    inspections.LATE_PUBLICATION,
    draws.REDRAWN,
    draws.CHANGED_BEFORE_LOCK,
    register.TENURE,
)


def rule_by_key(key: str) -> Rule | None:
    return next((rule for rule in RULES if rule.key == key), None)
