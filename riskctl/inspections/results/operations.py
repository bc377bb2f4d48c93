"""Results of inspections (检查结果), their attachments, and publication (一公开)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import date
from pathlib import PurePath

from flask import Response
from sqlalchemy import select

from riskctl.core import audit, clock, settings, storage
from riskctl.core.calendar import add_working_days
from riskctl.core.db import db
from riskctl.core.errors import Conflict, ValidationFailed
from riskctl.core.storage.names import clean_filename
from riskctl.inspections import options
from riskctl.inspections.models import PROBLEM_CODES, RESULT_CODES, Attachment, Plan, Task
from riskctl.rectification.operations import open_item

ALLOWED_SUFFIXES = {
    ".pdf",
    ".jpg",
    ".jpeg",
    ".png",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".txt",
    ".mp4",
}


def record_result(task: Task, code: str, inspected_on: date, note: str, actor: str) -> Task:
    """Enter (or, before publication, correct) a task's result; the deadline to publish follows."""
    if task.superseded:
        raise Conflict("该抽查任务所属的抽取结果已被重抽替代，不能录入结果")
    if task.published_at is not None:
        raise Conflict(f"该结果已于 {clock.display(task.published_at, 'date')} 公示，不能再修改")
    if inspected_on > clock.today():
        raise ValidationFailed.field("inspected_on", "检查日期不能晚于今天")
    drawn = task.plan.drawn_at
    if drawn is not None and inspected_on < clock.local_date(drawn):
        raise ValidationFailed.field(
            "inspected_on", f"检查日期不能早于抽取日期 {clock.local_date(drawn).isoformat()}"
        )
    before = {"result": task.result_code, "inspected_on": task.inspected_on, "note": task.note}
    deadline = add_working_days(inspected_on, settings.get(options.PUBLICATION_DAYS.key))
    task.result_code, task.inspected_on, task.note = code, inspected_on, note
    task.entered_by, task.entered_at = actor, clock.now()
    task.publish_due, task.due_provisional = deadline.date, deadline.provisional
    if code == "closed" and not task.target.closed:
        task.target.closed = True  # later plans leave a closed business out of the frame
    db.session.flush()
    audit.record(
        "inspection.result.record",
        "inspection_task",
        task.id,
        {
            "plan": task.plan.code,
            "target": task.target.code,
            "result": code,
            "inspected_on": inspected_on.isoformat(),
            "note": note,
            "before": before,
            "publish_due": deadline.date.isoformat(),
            "provisional": deadline.provisional,
        },
        actor=actor,
    )
    if code in PROBLEM_CODES:
        _open_rectification(task, actor)
    return task


def _open_rectification(task: Task, actor: str) -> None:
    """A problem found and not yet corrected becomes an item of the 整改台账."""
    team = "、".join(i.name for i in task.inspectors)
    open_item(
        "inspection_result",
        f"inspection-task:{task.id}",
        f"{task.target.name}：{RESULT_CODES[task.result_code]}",
        task.target.unit_id,
        team or None,
        detail=f"抽查计划 {task.plan.code}，检查日期 {task.inspected_on:%Y-%m-%d}。"
        f"{task.note or ''}",
        actor=actor,
    )


def publish_results(plan: Plan, task_ids: list[int] | None, actor: str) -> int:
    """Publish (公示) entered results of a plan: the given tasks, or every one still unpublished."""
    query = select(Task).where(
        Task.plan_id == plan.id, Task.superseded.is_(False), Task.published_at.is_(None)
    )
    if task_ids is not None:
        query = query.where(Task.id.in_(task_ids))
    tasks = list(db.session.scalars(query))
    blank = [t.id for t in tasks if t.result_code is None]
    if task_ids is not None and blank:
        raise ValidationFailed.field(
            "tasks", f"任务 {'、'.join(map(str, blank))} 尚未录入结果，不能公示"
        )
    ready = [t for t in tasks if t.result_code is not None]
    if not ready:
        raise ValidationFailed.field("tasks", "没有可公示的结果（须已录入且尚未公示）")
    now, today = clock.now(), clock.today()
    for task in ready:
        task.published_at, task.published_by = now, actor
        task.published_late = task.publish_due is not None and today > task.publish_due
    db.session.flush()
    late = [t.id for t in ready if t.published_late]
    audit.record(
        "inspection.result.publish",
        "inspection_plan",
        plan.code,
        {"tasks": [t.id for t in ready], "late": late},
        actor=actor,
    )
    return len(ready)


def _attachment_references() -> Iterator[storage.FileRef]:
    rows = db.session.execute(select(Attachment.stored_name, Attachment.sha256, Attachment.size))
    for name, sha256, size in rows:
        yield ATTACHMENTS.ref(name, sha256, size)


ATTACHMENTS = storage.register(
    storage.Area(
        "inspections",
        "抽查结果附件",
        _attachment_references,
        folder="inspections",
        names=re.compile(r"\d+-[0-9a-f]{32}\.[a-z0-9]{1,9}"),
    )
)


def add_attachment(task: Task, filename: str, data: bytes, actor: str) -> Attachment:
    """Keep a file of evidence for a task (检查记录、照片); stored under a random name.

    The type recorded is the one its content shows (``storage.sniff``), never the
    one the uploader's browser claimed.
    """
    if task.superseded:
        raise Conflict("该抽查任务已被重抽替代，不能上传附件")
    name = clean_filename(filename)
    suffix = PurePath(name).suffix
    if suffix not in ALLOWED_SUFFIXES:
        allowed = "、".join(sorted(ALLOWED_SUFFIXES))
        raise ValidationFailed.field(
            "file", f"不支持的附件类型“{suffix or '无扩展名'}”，可上传：{allowed}"
        )
    limit_mb = settings.get(options.ATTACHMENT_MAX_MB.key)
    if not data:
        raise ValidationFailed.field("file", "附件是空文件")
    if len(data) > limit_mb * 1024 * 1024:
        raise ValidationFailed.field("file", f"附件不能超过 {limit_mb} MB")
    stored = storage.put(ATTACHMENTS, data, name=f"{task.id}-{secrets.token_hex(16)}{suffix}")
    digest = stored.sha256
    attachment = Attachment(
        task_id=task.id,
        filename=name,
        stored_name=stored.name,
        content_type=storage.sniff(data[:8192]),
        size=stored.size,
        sha256=digest,
        uploaded_by=actor,
    )
    db.session.add(attachment)
    db.session.flush()
    audit.record(
        "inspection.attachment.add",
        "inspection_task",
        task.id,
        {
            "attachment": attachment.id,
            "filename": name,
            "size": stored.size,
            "sha256": stored.sha256,
        },
        actor=actor,
    )
    return attachment


def send_attachment(attachment: Attachment) -> Response:
    """The file as a download, typed by its content and checked against its SHA-256."""
    return storage.send(
        ATTACHMENTS.ref(attachment.stored_name, attachment.sha256, attachment.size),
        attachment.filename,
    )
