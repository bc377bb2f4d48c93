"""Where an item of the 整改台账 came from, as a name and a link (never a raw reference)."""

from __future__ import annotations

import re

from flask import url_for
from werkzeug.routing import BuildError

from riskctl.core.auth.policy import current_actor, may_open
from riskctl.core.contributions import namer
from riskctl.core.errors import NotFound

_TASK = re.compile(r"inspection-task:(\d+)$")
_WARNING = re.compile(r"预警#(\d+)$")


def source_view(source: str, ref: str) -> tuple[str, str | None]:
    """(what people read, the page) of a source reference; unknown ones are shown as typed."""
    try:
        if match := _TASK.match(ref):
            text = f"检查任务 {match[1]}"
            name_task = namer("inspection_task")
            if name_task is None or not may_open("inspection_results.task"):
                return text, None
            try:
                return name_task(current_actor(), int(match[1]))
            except NotFound:  # outside the reader's units: named, not linked
                return text, None
        if match := _WARNING.match(ref):
            text = f"预警 {match[1]}"
            if not may_open("warnings.detail"):
                return text, None
            return text, url_for("warnings.detail", warning_id=int(match[1]))
    except BuildError:
        pass
    return ref, None
