"""Where an item of the 整改台账 came from, as a name and a link (never a raw reference)."""

from __future__ import annotations

import re

from flask import url_for
from werkzeug.routing import BuildError

from riskctl.core.auth.policy import OFFICER, current_actor, policy_of

_TASK = re.compile(r"inspection-task:(\d+)$")
_WARNING = re.compile(r"预警#(\d+)$")


def _may_open(endpoint: str) -> bool:
    actor = current_actor()
    policy = policy_of(endpoint)
    return actor is not None and policy is not None and policy.allows(actor.role)


def source_view(source: str, ref: str) -> tuple[str, str | None]:
    """(what people read, the page) of a source reference; unknown ones are shown as typed."""
    try:
        if match := _TASK.match(ref):
            text = f"检查任务 {match[1]}"
            actor = current_actor()
            # An officer sees only the tasks of his own team: named, not linked.
            if actor is None or actor.role == OFFICER or not _may_open("inspection_results.task"):
                return text, None
            return text, url_for("inspection_results.task", task_id=int(match[1]))
        if match := _WARNING.match(ref):
            text = f"预警 {match[1]}"
            if not _may_open("warnings.detail"):
                return text, None
            return text, url_for("warnings.detail", warning_id=int(match[1]))
    except BuildError:
        pass
    return ref, None
