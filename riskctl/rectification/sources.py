"""Where an item of the 整改台账 came from, as a name and a link (never a raw reference)."""

from __future__ import annotations

import re

from flask import url_for
from werkzeug.routing import BuildError

from riskctl.core.contributions import namer

_TASK = re.compile(r"inspection-task:(\d+)$")
_WARNING = re.compile(r"预警#(\d+)$")


def source_view(source: str, ref: str) -> tuple[str, str | None]:
    """(what people read, the page) of a source reference; unknown ones are shown as typed."""
    try:
        if (match := _TASK.match(ref)) and (name_task := namer("inspection_task")):
            from riskctl.core.auth.policy import current_actor
            from riskctl.core.errors import NotFound

            try:
                return name_task(current_actor(), int(match.group(1)))
            except NotFound:  # outside the reader's units: named, not linked
                return f"检查任务 {match[1]}", None
        if match := _WARNING.match(ref):
            from riskctl.core.auth.policy import current_actor, policy_of

            actor = current_actor()
            if actor is None or not policy_of("warnings.detail").allows(actor.role):
                return f"预警 {match[1]}", None
            return f"预警 {match[1]}", url_for("warnings.detail", warning_id=int(match.group(1)))
    except BuildError:
        pass
    return ref, None
