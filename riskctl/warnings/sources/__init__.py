"""The warning rules as a scan runs them (预警规则), in the order it runs them: each
module gathers a rule's data from the records and pairs it with the rule's pure
evaluation (``riskctl.warnings.rules``) and its settings."""

from __future__ import annotations

from riskctl.warnings.sources import (
    draws,
    inspections,
    leniency,
    rectification,
    register,
    reviews,
)
from riskctl.warnings.sources.base import Rule

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


_BY_KEY = {rule.key: rule for rule in RULES}


def rule_by_key(key: str) -> Rule | None:
    return _BY_KEY.get(key)
