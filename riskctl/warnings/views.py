"""Pages of the warnings (预警): the board, one warning with its evidence, the rules."""

from __future__ import annotations

import json

from flask import Blueprint, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy import case, select
from wtforms.fields.choices import SelectChoice

from riskctl.accounts.queries import unit_order, units_tree, visible_unit_ids
from riskctl.accounts.roles import ADMIN
from riskctl.core import clock
from riskctl.core.audit import AuditEntry
from riskctl.core.auth.policy import allow, current_actor, require_actor
from riskctl.core.db import db
from riskctl.core.errors import AppError
from riskctl.core.listing import listing, listing_of
from riskctl.warnings import operations, queries, risk_points, scan
from riskctl.warnings.api import HANDLERS, READERS, RULE_READERS, SCANNERS
from riskctl.warnings.forms import CloseForm, HandleForm, LinkForm
from riskctl.warnings.links import with_urls
from riskctl.warnings.models import COLOURS, STATUSES, Warning
from riskctl.warnings.schemas import filter_from
from riskctl.warnings.sources import RULES, rule_by_key

bp = Blueprint("warnings", __name__, url_prefix="/warnings", template_folder="templates")

ACTIONS = {
    "warning.colour": "颜色变化",
    "warning.acknowledge": "确认",
    "warning.handle": "处置",
    "warning.close": "关闭",
    "warning.link": "关联风险点",
}


def _units() -> list:
    ids = visible_unit_ids(current_actor())
    return [u for u in units_tree() if ids is None or u.id in ids]


@bp.get("")
@allow(*READERS)
def board():
    user = require_actor()
    problems: dict = {}
    try:
        flt = filter_from(request.args)
    except (ValidationError, AppError) as exc:
        problems = exc.normalized_messages() if isinstance(exc, ValidationError) else exc.details
        flt = queries.WarningFilter()
    query = queries.warnings_query(user, flt)
    lst = listing(
        query,
        {
            "id": Warning.id,
            "colour": case((Warning.colour == "red", 0), else_=1),
            "title": Warning.title,
            "rule": Warning.rule,
            "unit": unit_order(Warning.unit_id),
            "raised": Warning.raised_at,
            "seen": Warning.last_seen_at,
            "status": Warning.status,
        },
        "",  # unsorted: the board's own order (open, red, oldest first)
    )
    return render_template(
        "warnings/board.html",
        lst=lst,
        rows=lst.items,
        summary=queries.open_warnings_summary(visible_unit_ids(user)),
        units=_units(),
        rules=RULES,
        rule_labels={r.key: r.label for r in RULES},
        colours=COLOURS,
        statuses=STATUSES,
        problems=problems,
        can_scan=user.role in SCANNERS,
        can_see_rules=user.role in RULE_READERS,
    )


def _describe(action: str, summary: dict) -> str:
    """One line of the warning's history, in words."""
    if action == "warning.colour":
        return (
            f"{COLOURS.get(summary.get('from'), '')} → {COLOURS.get(summary.get('to'), '')}："
            + (summary.get("title") or "")
        )
    if action == "warning.handle":
        item = summary.get("rectification_item")
        return summary.get("note", "") + (f"（已生成整改事项 {item}）" if item else "")
    if action == "warning.close":
        return summary.get("note", "")
    if action == "warning.link":
        if summary.get("risk_point"):
            return f"关联风险点 {summary['risk_point']}"
        return f"建议新增风险点：{summary.get('proposal') or ''}"
    return "已确认，由纪委跟进处置" if action == "warning.acknowledge" else ""


def _history(warning: Warning) -> list[dict]:
    """The raise (audited with its scan, one entry per rule) and then each later step."""
    raised = {
        "when": warning.raised_at,
        "at": clock.display(warning.raised_at),
        "action": "扫描发现",
        "actor": "预警扫描",
        "text": "新增预警",
    }
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "warning", AuditEntry.object_id == str(warning.id))
        .order_by(AuditEntry.seq)
    )
    return [
        raised,
        *(
            {
                "when": e.at,
                "at": clock.display(e.at),
                "action": ACTIONS.get(e.action, e.action),
                "actor": e.actor,
                "text": _describe(e.action, json.loads(e.summary)),
            }
            for e in entries
        ),
    ]


def _render(warning: Warning, status: int = 200, **forms):
    user = require_actor()
    handle_form = forms.get("handle_form") or HandleForm(prefix="handle")
    handle_form.unit.choices = [SelectChoice("", "（预警所属单位）")] + [
        SelectChoice(u.code, u.name) for u in units_tree()
    ]
    link_form = forms.get("link_form") or LinkForm(
        prefix="link", risk_point_id=warning.risk_point_id
    )
    choices = risk_points.candidates(warning.unit)
    link_form.risk_point_id.choices = [
        SelectChoice("", "（不关联，填写建议）"),
        *(SelectChoice(pid, label) for pid, label in choices),
    ]
    page = render_template(
        "warnings/detail.html",
        warning=warning,
        rule=rule_by_key(warning.rule),
        # Both tables sort and page on their own (?evidence_page=, ?history_sort=…).
        evidence=listing_of(
            with_urls(warning.evidence),
            {"label": lambda e: e["label"]},
            "",
            prefix="evidence_",
            per_page=20,
        ),
        history=listing_of(
            _history(warning),
            {
                "at": lambda h: h["when"],
                "action": lambda h: h["action"],
                "actor": lambda h: h["actor"],
            },
            "at",
            prefix="history_",
            per_page=20,
        ),
        risk_point=risk_points.risk_point_label(warning.risk_point_id)
        if warning.risk_point_id
        else None,
        can_handle=user.role in HANDLERS,
        handle_form=handle_form,
        close_form=forms.get("close_form") or CloseForm(prefix="close"),
        link_form=link_form,
    )
    return page, status


@bp.get("/<int:warning_id>")
@allow(*READERS)
def detail(warning_id: int):
    return _render(queries.warning_for(warning_id, require_actor()))


def _step(warning: Warning, action, done: str, **forms):
    """Run one life step; a refused step shows the page again with the reason."""
    try:
        action()
    except AppError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _render(queries.warning_for(warning.id, require_actor()), exc.status, **forms)
    flash(done, "success")
    return redirect(url_for(".detail", warning_id=warning.id))


@bp.post("/<int:warning_id>/acknowledge")
@allow(*HANDLERS)
def acknowledge(warning_id: int):
    warning = queries.warning_for(warning_id, require_actor())
    return _step(
        warning,
        lambda: operations.acknowledge(warning, require_actor()),
        f"预警 #{warning.id} 已确认",
    )


@bp.post("/<int:warning_id>/handle")
@allow(*HANDLERS)
def handle(warning_id: int):
    warning = queries.warning_for(warning_id, require_actor())
    form = HandleForm(prefix="handle")
    form.unit.choices = [SelectChoice("", "")] + [
        SelectChoice(u.code, u.name) for u in units_tree()
    ]
    if not form.validate_on_submit():
        return _render(warning, 422, handle_form=form)
    spec = None
    if form.rectify.data:
        unit = next((u for u in units_tree() if u.code == form.unit.data), None)
        spec = {"unit": unit, "owner": form.owner.data, "deadline_days": form.deadline_days.data}
    return _step(
        warning,
        lambda: operations.handle(warning, form.note.data, require_actor(), spec),
        f"预警 #{warning.id} 已处置" + ("，并已生成整改事项" if spec else ""),
        handle_form=form,
    )


@bp.post("/<int:warning_id>/close")
@allow(*HANDLERS)
def close(warning_id: int):
    warning = queries.warning_for(warning_id, require_actor())
    form = CloseForm(prefix="close")
    if not form.validate_on_submit():
        return _render(warning, 422, close_form=form)
    return _step(
        warning,
        lambda: operations.close(warning, form.note.data, require_actor()),
        f"预警 #{warning.id} 已关闭",
        close_form=form,
    )


@bp.post("/<int:warning_id>/risk-point")
@allow(*HANDLERS)
def link_risk_point(warning_id: int):
    warning = queries.warning_for(warning_id, require_actor())
    form = LinkForm(prefix="link")
    if not form.validate_on_submit():
        return _render(warning, 422, link_form=form)
    return _step(
        warning,
        lambda: operations.link_risk_point(
            warning, form.risk_point_id.data, form.proposal.data, require_actor()
        ),
        f"预警 #{warning.id} 的风险点关联已更新",
        link_form=form,
    )


@bp.post("/scan")
@allow(*SCANNERS)
def run_scan():
    report = scan.run_scan()
    flash("；".join(line.strip() for line in report.lines()), "success")
    user = require_actor()
    return redirect(url_for(".rules" if user.role == ADMIN else ".board"))


@bp.get("/rules")
@allow(*RULE_READERS)
def rules():
    user = require_actor()
    rows = [(rule, rule.is_enabled(), rule.params()) for rule in RULES]
    return render_template(
        "warnings/rules.html",
        rows=rows,
        can_scan=user.role in SCANNERS,
        can_configure=user.role == ADMIN,
    )
