"""A plan's task list read as plain rows (``riskctl.core.lean``), not ORM objects."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import aliased

from riskctl.accounts.models import Unit, User
from riskctl.accounts.queries import visible_unit_ids
from riskctl.core import lean
from riskctl.inspections import queries
from riskctl.inspections.models import Attachment, Inspector, Plan, Target, Task, TaskInspector

_TASK_COLUMNS = (
    "id", "draw_id", "position", "stratum", "superseded", "result_code", "inspected_on",
    "note", "publish_due", "due_provisional", "published_at", "published_late",
)  # fmt: skip


def tasks_page(user: User | None, code: str, state: str, args: dict[str, Any]) -> dict[str, Any]:
    """One page of :func:`queries.tasks` of the plan ``code``: the columns of
    ``InspectionTaskSchema``, the team and the attachments in one statement each for the
    page. The plan is found inside the page's own statements; only an empty page asks
    whether it exists (404 otherwise)."""
    body = lean.page(_statement(user, code, state), args, _shapes()[0], _complete)
    if not body["items"]:
        queries.plan_by_code(code)
    return body


def _statement(user: User | None, code: str, state: str) -> Select:
    visible = visible_unit_ids(user)
    return _query(None if visible is None else tuple(visible), code, state)


@functools.lru_cache(maxsize=256)
def _query(scope: tuple[int, ...] | None, code: str, state: str) -> Select:
    """The page's query, built once per value of its arguments (it reads nothing from the
    database: the plan is a subquery of its code): a statement is a value of them alone
    (immutable), and one reused keeps its cache key, so a repeated request neither
    builds nor walks it again."""
    plan_id = select(Plan.id).where(Plan.code == code).scalar_subquery()
    query = queries.tasks_in(None if scope is None else list(scope), state=state, load=False)
    return query.where(Task.plan_id == plan_id)


def _complete(records: list[lean.Record]) -> None:
    _, team, files = _shapes()
    for record in records:
        record.result_label = Task.result_label.fget(record)
    lean.attach(records, "inspectors", TaskInspector.task_id, team, TaskInspector.position)
    # Most tasks have no file: their (empty) lists need no statement.
    with_files = [record for record in records if record.has_files]
    for record in records:
        record.attachments = []
    if with_files:
        lean.attach(with_files, "attachments", Attachment.task_id, files, Attachment.id)


@functools.cache
def _shapes() -> tuple[lean.Shape, lean.Shape, lean.Shape]:
    plan, unit = aliased(Plan), aliased(Unit)
    task = lean.Shape(
        {name: getattr(Task, name) for name in _TASK_COLUMNS}
        | {
            "plan.code": plan.code,
            # The list's query joins the target itself.
            "target.code": Target.code,
            "target.name": Target.name,
            "target.credit_class": Target.credit_class,
            # Whether the page must read the task's files (an index probe).
            "has_files": exists().where(Attachment.task_id == Task.id),
        },
        ((plan, plan.id == Task.plan_id),),
    )
    team = lean.Shape(
        {"code": Inspector.code, "name": Inspector.name, "unit.code": unit.code},
        (
            (Inspector, Inspector.id == TaskInspector.inspector_id),
            (unit, unit.id == Inspector.unit_id),
        ),
    )
    files = lean.Shape(
        {
            name: getattr(Attachment, name)
            for name in ("id", "filename", "size", "sha256", "uploaded_by", "uploaded_at")
        }
    )
    return task, team, files
