"""预警: a warning in any state, as a row (the scan has its own tests)."""

from __future__ import annotations

from datetime import date

from riskctl.core import clock
from riskctl.core.db import db
from riskctl.warnings.models import Warning
from tests.factories.common import at


def make_warning(
    bureau,
    *,
    unit: str | None = "ZD1-1",
    rule: str = "rectification_overdue",
    subject: str = "unit:ZD1-1",
    colour: str = "red",
    status: str = "raised",
    title: str = "市容秩序第一中队有 1 项整改事项超期未销号",
    evidence: list | None = None,
    raised: date | None = None,
    closed: date | None = None,
) -> Warning:
    """Raised now (or on the bureau's day ``raised``); ``closed`` closes it on that day."""
    if closed is not None:
        status = "closed"
    now = at(raised) if raised else clock.now()
    done = at(closed) if closed else now
    warning = Warning(
        rule=rule,
        subject_key=subject,
        unit_id=bureau.units[unit].id if unit else None,
        colour=colour,
        title=title,
        status=status,
        raised_at=now,
        last_seen_at=now,
        evidence=evidence
        if evidence is not None
        else [
            {"label": "整改事项 1：文书问题", "kind": "rectification_item", "ref": "1", "args": {}}
        ],
        note="已约谈" if status in ("handled", "closed") else None,
        handled_at=done if status in ("handled", "closed") else None,
        closing_note="已整改" if status == "closed" else None,
        closed_at=done if status == "closed" else None,
        closed_by="discipline" if status == "closed" else None,
    )
    db.session.add(warning)
    db.session.commit()
    return warning
