"""Administration pages and the audit log page."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for

from riskctl.accounts import login
from riskctl.accounts import operations as accounts
from riskctl.accounts.models import User
from riskctl.accounts.queries import all_tokens, units_tree
from riskctl.accounts.roles import ADMIN, ALL_ROLES, AUDIT_READERS, AUDITOR, ROLE_LABELS
from riskctl.admin import operations
from riskctl.admin.queries import audit_query, users_query
from riskctl.core import bounds, calendar, clock, settings
from riskctl.core.audit import labels as audit_labels
from riskctl.core.audit import verify
from riskctl.core.audit.checkpoints import record_checkpoint
from riskctl.core.auth.policy import allow, require_actor
from riskctl.core.calendar import CalendarYear
from riskctl.core.db import db
from riskctl.core.errors import AppError
from riskctl.core.http import page_args

bp = Blueprint("admin", __name__, template_folder="templates")


def _flash_error(exc: AppError) -> None:
    details = "；".join(f"{'；'.join(v)}" for v in exc.details.values() if isinstance(v, list))
    flash(details or exc.message, "error")


@bp.get("/admin/users")
@allow(ADMIN)
def users():
    return _users_page()


def _users_page(values: dict | None = None, errors: list[str] | None = None, status: int = 200):
    return (
        render_template(
            "admin/users.html",
            users=db.session.scalars(users_query()).all(),
            units=units_tree(),
            roles=[r for r in ALL_ROLES if r != AUDITOR],
            role_labels=ROLE_LABELS,
            auditor=AUDITOR,
            locks=login.locks(),
            values=values or {},
            errors=errors or [],
        ),
        status,
    )


@bp.post("/admin/users")
@allow(ADMIN)
def create_user():
    form = request.form
    values = {k: form.get(k, "")[:100] for k in ("username", "display_name", "role", "unit")}
    if not values["role"]:
        return _users_page(values, ["请选择角色"], 422)
    try:
        user = operations.create_user(
            form.get("username", ""),
            form.get("display_name", ""),
            form.get("role", ""),
            form.get("password", ""),
            form.get("unit") or None,
        )
    except AppError as exc:
        db.session.rollback()
        details = [m for v in exc.details.values() if isinstance(v, list) for m in v]
        return _users_page(values, details or [exc.message], 422)
    flash(f"已创建用户 {user.username}", "success")
    return redirect(url_for("admin.users"))


@bp.post("/admin/users/<int:user_id>/active")
@allow(ADMIN)
def set_active(user_id: int):
    active = request.form.get("active") == "1"
    try:
        user = operations.set_user_active(user_id, active, require_actor())
    except AppError as exc:
        _flash_error(exc)
        return redirect(url_for("admin.users"))
    flash(f"已{'启用' if active else '停用'}用户 {user.username}", "success")
    return redirect(url_for("admin.users"))


@bp.post("/admin/users/<int:user_id>/password")
@allow(ADMIN)
def reset_password(user_id: int):
    """A temporary password, shown once on this page (never flashed into the cookie)."""
    try:
        user, password = operations.reset_password(user_id, require_actor())
    except AppError as exc:
        _flash_error(exc)
        return redirect(url_for("admin.users"))
    page = render_template("admin/password_reset.html", user=user, password=password)
    return page, 200, {"Cache-Control": "no-store"}


@bp.post("/admin/locks/<kind>/unlock")
@allow(ADMIN)
def unlock(kind: str):
    subject = request.form.get("subject", "")
    try:
        lifted = operations.unlock(kind, subject)
    except AppError as exc:
        _flash_error(exc)
        return redirect(url_for("admin.users"))
    flash(f"已解除 {subject} 的登录锁定" if lifted else f"{subject} 当前没有被锁定", "success")
    return redirect(url_for("admin.users"))


@bp.get("/admin/tokens")
@allow(ADMIN)
def tokens():
    rows = all_tokens()
    revocable = {t.id for t in rows if t.usable and t.user.role != AUDITOR}
    return render_template("admin/tokens.html", tokens=rows, revocable=revocable)


@bp.post("/admin/tokens/<int:token_id>/revoke")
@allow(ADMIN)
def revoke_token(token_id: int):
    try:
        operations.revoke_token(token_id, require_actor())
    except AppError as exc:
        _flash_error(exc)
        return redirect(url_for("admin.tokens"))
    flash(f"已吊销 API 令牌 {token_id}", "success")
    return redirect(url_for("admin.tokens"))


@bp.get("/admin/units")
@allow(ADMIN)
def units():
    return render_template("admin/units.html", units=units_tree())


@bp.post("/admin/units")
@allow(ADMIN)
def create_unit():
    form = request.form
    try:
        unit = accounts.create_unit(
            form.get("code", ""),
            form.get("name", ""),
            form.get("parent") or None,
            form.get("kind") or None,
        )
    except AppError as exc:
        _flash_error(exc)
        return redirect(url_for("admin.units"))
    flash(f"已创建单位 {unit.name}", "success")
    return redirect(url_for("admin.units"))


@bp.get("/admin/settings")
@allow(ADMIN)
def settings_page():
    groups: dict[str, list] = {}
    for d in settings.definitions():
        module = SETTING_GROUPS.get(d.key.split(".", 1)[0], "其他")
        groups.setdefault(module, []).append((d, _json(settings.get(d.key)), _json(d.default)))
    return render_template("admin/settings.html", groups=groups)


def _setting_label(key: str) -> str:
    definition = next((d for d in settings.definitions() if d.key == key), None)
    return definition.label if definition else "（不存在的设置项）"


SETTING_GROUPS = {
    "accounts": "账号与登录",
    "risks": "廉政风险点",
    "inspection": "双随机抽查",
    "reviews": "案卷评查",
    "leniency": "首违不罚",
    "rectification": "整改台账",
    "warnings": "预警规则",
}


def _json(value) -> str:
    """A value as typed in the form: JSON, with Chinese as Chinese (never \\u escapes)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


@bp.post("/admin/settings/<key>")
@allow(ADMIN)
def change_setting(key: str):
    raw = request.form.get("value", "")
    try:
        value = bounds.loads(raw)
    except (json.JSONDecodeError, AppError):
        flash(
            f"设置项“{_setting_label(key)}”的值格式不对："
            "数字直接填写，文本加英文双引号，是/否填 true/false",
            "error",
        )
        return redirect(url_for("admin.settings_page"))
    try:
        settings.change(key, value, require_actor().username)
    except AppError as exc:
        _flash_error(exc)
        return redirect(url_for("admin.settings_page"))
    flash(f"已更新设置项“{_setting_label(key)}”", "success")
    return redirect(url_for("admin.settings_page"))


@bp.get("/admin/calendar")
@allow(ADMIN)
def calendar_page():
    years = db.session.scalars(db.select(CalendarYear).order_by(CalendarYear.year)).all()
    return render_template("admin/calendar.html", years=years)


@bp.post("/admin/calendar")
@allow(ADMIN)
def load_calendar():
    upload = request.files.get("file")
    text = (
        upload.read().decode("utf-8-sig", errors="replace")
        if upload
        else request.form.get("schedule", "")
    )
    try:
        year = int(request.form.get("year", ""))
        if not 2000 <= year <= 2100:
            raise ValueError(year)
        days = calendar.load_year(year, text, require_actor().username)
    except ValueError:
        flash("请填写 2000 至 2100 之间的年份（如 2027）", "error")
        return redirect(url_for("admin.calendar_page"))
    except AppError as exc:
        _flash_error(exc)
        return redirect(url_for("admin.calendar_page"))
    flash(f"已载入 {year} 年安排，共 {days} 天", "success")
    return redirect(url_for("admin.calendar_page"))


@bp.get("/audit")
@allow(*AUDIT_READERS)
def audit_log():
    args = request.args
    since, before, problems = _audit_dates(args)
    query = audit_query(
        args.get("action", "")[:80],
        args.get("actor", "")[:60],
        args.get("object_type", "")[:40],
        args.get("object_id", "")[:80],
        since,
        before,
    )
    page, per_page = page_args()
    total = db.session.scalar(db.select(db.func.count()).select_from(query.subquery()))
    entries = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    verification = verify() if args.get("verify") else None
    people = {u.username: u.display_name for u in db.session.scalars(db.select(User)).all()}
    return render_template(
        "admin/audit.html",
        entries=entries,
        total=total,
        page=page,
        per_page=per_page,
        verification=verification,
        people=people,
        problems=problems,
        actions=audit_labels.action_choices(),
        groups=audit_labels.ACTION_GROUPS,
        action_label=audit_labels.action_label,
        object_label=audit_labels.object_label,
        object_url=audit_labels.object_url,
        object_names={"user": people, "warning_rule": _rule_names()},
    )


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
