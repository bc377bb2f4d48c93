"""The audit log page (for the auditor and 纪委): filters, export, hash-chain check, checkpoints.

Routes on the administration blueprint (``admin.*`` endpoints)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for

from riskctl.accounts.models import Unit, User
from riskctl.accounts.queries import user_order
from riskctl.accounts.roles import AUDIT_READERS
from riskctl.admin.queries import audit_query
from riskctl.admin.views import bp
from riskctl.core import clock
from riskctl.core.audit import AuditEntry, verify
from riskctl.core.audit import labels as audit_labels
from riskctl.core.audit.checkpoints import record_checkpoint
from riskctl.core.auth.policy import allow, require_actor
from riskctl.core.db import db
from riskctl.core.listing import listing
from riskctl.core.tabular.writing import write_csv, write_xlsx


def _audit_filtered(args):
    since, before, problems = _audit_dates(args)
    query = audit_query(
        args.get("action", "")[:80],
        args.get("actor", "")[:60],
        args.get("object_type", "")[:40],
        args.get("object_id", "")[:80],
        since,
        before,
    )
    return query, problems


AUDIT_EXPORT_HEADERS = ["序号", "时间（北京时间）", "操作人", "操作", "对象类型", "对象", "详情"]
AUDIT_EXPORT_MAX = 50_000
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.get("/audit/export.<fmt>")
@allow(*AUDIT_READERS)
def audit_export(fmt: str):
    """The filtered log as CSV or .xlsx (formula-like text escaped), at most 50,000 rows."""
    if fmt not in EXPORT_TYPES:
        abort(404)
    query, problems = _audit_filtered(request.args)
    if problems:
        flash("；".join(problems), "error")
        return redirect(url_for("admin.audit_log"))
    people = {u.username: u.display_name for u in db.session.scalars(db.select(User)).all()}
    rows = (
        [
            e.seq,
            clock.display(e.at, "second"),
            f"{people[e.actor]}（{e.actor}）" if e.actor in people else e.actor,
            audit_labels.action_label(e.action),
            audit_labels.object_label(e.object_type),
            e.object_id,
            e.summary,
        ]
        for e in db.session.scalars(query.limit(AUDIT_EXPORT_MAX))
    )
    if fmt == "csv":
        content = write_csv(AUDIT_EXPORT_HEADERS, rows)
    else:
        content = write_xlsx(AUDIT_EXPORT_HEADERS, rows, "审计日志")
    response = Response(content, mimetype=EXPORT_TYPES[fmt])
    name = f"audit-log-{clock.today().isoformat()}.{fmt}"
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    return response


@bp.get("/audit")
@allow(*AUDIT_READERS)
def audit_log():
    args = request.args
    query, problems = _audit_filtered(args)
    lst = listing(
        query,
        {
            "seq": AuditEntry.seq,
            "actor": user_order(AuditEntry.actor),
            "action": audit_labels.action_order(AuditEntry.action),
            "object": (AuditEntry.object_type, AuditEntry.object_id),
        },
        "-seq",
        tiebreak=(AuditEntry.seq.desc(),),
        ignore=("verify",),
    )
    verification = verify() if args.get("verify") else None
    people = {u.username: u.display_name for u in db.session.scalars(db.select(User)).all()}
    return render_template(
        "admin/audit.html",
        lst=lst,
        entries=lst.items,
        verification=verification,
        people=people,
        problems=problems,
        actions=audit_labels.action_choices(),
        groups=audit_labels.ACTION_GROUPS,
        action_label=audit_labels.action_label,
        object_label=audit_labels.object_label,
        object_url=audit_labels.object_url,
        object_names={"user": people, "unit": _unit_names(), "warning_rule": _rule_names()},
    )


def _unit_names() -> dict[str, str]:
    """A unit is audited by its code: the log shows its name."""
    return {code: name for code, name in db.session.execute(db.select(Unit.code, Unit.name))}


def _rule_names() -> dict[str, str]:
    from riskctl.core.contributions import namer

    rule_names = namer("warning_rules")
    return rule_names() if rule_names else {}


def _audit_dates(args) -> tuple[datetime | None, datetime | None, list[str]]:
    """从/到 dates (the bureau's days) as instants; a bad date is named, not a 500."""
    problems: list[str] = []
    days: list[date | None] = []
    for name, label in (("from", "起始日期"), ("to", "截止日期")):
        raw = args.get(name, "").strip()[:10]
        try:
            day = date.fromisoformat(raw) if raw else None
        except ValueError:
            problems.append(f"{label}须为 年-月-日 格式，如 2026-11-01")
            day = None
        if day is not None and not date.min < day < date.max:
            problems.append(f"{label}超出可查询的范围")  # its day bounds would overflow
            day = None
        days.append(day)
    start, end = days
    since = clock.day_start(start) if start else None
    before = clock.day_start(end + timedelta(days=1)) if end else None
    return since, before, problems


@bp.post("/audit/checkpoint")
@allow(*AUDIT_READERS)
def record_audit_checkpoint():
    """The auditor (or 纪委) records the chain's head; it is published on /public/audit."""
    checkpoint = record_checkpoint("auditor", actor=require_actor().username)
    flash(
        f"已记录检查点 {checkpoint.seq}:{checkpoint.hash}，已公开于审计日志检查点公示页；"
        "请抄录在系统之外保存",
        "success",
    )
    return redirect(url_for("admin.audit_log"))
