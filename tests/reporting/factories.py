"""Records of every module a report counts, dated inside a chosen quarter.

Risk points go through the register's own operations (then their timestamps are
moved into the quarter); the other modules' rows are built directly, with only
the columns a report reads set to meaningful values.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import count

from riskctl.accounts.models import Unit
from riskctl.core import clock
from riskctl.core.db import db
from riskctl.draws.models import Draw, DrawManifest
from riskctl.inspections.models import Plan, Target, Task
from riskctl.leniency.models import (
    LeniencyItem,
    LeniencyItemVersion,
    LeniencyRecord,
    LeniencyRefusal,
    RecordOfficer,
)
from riskctl.rectification import operations as ledger
from riskctl.rectification.models import RectificationItem
from riskctl.reviews.models import Campaign, CaseFile, Finding, ReviewFile, RubricVersion
from riskctl.risks import operations as register
from riskctl.risks.models import RiskPoint, RiskPointVersion
from riskctl.warnings.models import Warning

_seq = count(1)


def at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock of the bureau's ``day`` (Beijing time), as the aware UTC moment."""
    return clock.from_local(datetime.combine(day, time(hour)))


def _unit(code: str) -> Unit:
    return db.session.query(Unit).filter_by(code=code).one()


# 廉政风险点 ---------------------------------------------------------------------


def risk_point(
    unit: str,
    title: str,
    likelihood: int,
    impact: int,
    created: date,
    next_review: date,
    measures: list[dict] | None = None,
) -> RiskPoint:
    point = register.create_point(
        {
            "unit": unit,
            "post": "执法岗",
            "power": "行政处罚",
            "stage": "决定",
            "title": title,
            "likelihood": likelihood,
            "impact": impact,
            "next_review": next_review,
            "responsible": "张勇",
            "measures": measures or [],
        },
        actor="discipline",
    )
    point.created_at = point.updated_at = at(created)
    for version in db.session.query(RiskPointVersion).filter_by(point_id=point.id):
        version.at = at(created)
    db.session.flush()
    return point


def retire(point: RiskPoint, on: date, reason: str = "岗位撤并，风险点不再存在") -> None:
    register.retire_point(point, reason, actor="discipline")
    point.retired_at = at(on)
    db.session.flush()


# 双随机抽查 ---------------------------------------------------------------------


def plan_with_draw(code: str, drawn: date, tasks: list[dict]) -> Plan:
    """A drawn plan; each task dict: credit class, result code, inspected_on, publication."""
    manifest = DrawManifest(
        kind="inspection",
        subject=code,
        plan=code,
        team_size=2,
        cap=3,
        quotas={"A": 1},
        target_count=len(tasks),
        inspector_count=4,
        conflict_count=0,
        targets_digest="a" * 64,
        inspectors_digest="b" * 64,
        conflicts_digest="c" * 64,
        quotas_digest="d" * 64,
        personal_ids=[],
        body_zlib=b"x",
        locked_by="legal",
    )
    db.session.add(manifest)
    db.session.flush()
    draw = Draw(
        manifest_id=manifest.id,
        round=1,
        entropy="07 13 22",
        entropy_source="公证摇号",
        seed="e" * 64,
        result_digest=f"{next(_seq):064x}",
        selected_count=len(tasks),
        has_personal=False,
        drawn_at=at(drawn),
        drawn_by="legal",
    )
    plan = Plan(
        code=code,
        name=f"{code} 市容环境卫生责任区检查",
        ratios={"A": "0.05"},
        created_by="legal",
        status="drawn",
        drawn_at=at(drawn),
    )
    db.session.add_all([draw, plan])
    db.session.flush()
    plan.manifest_id, plan.draw_id = manifest.id, draw.id
    for position, spec in enumerate(tasks, start=1):
        db.session.add(_task(plan, draw, position, spec))
    db.session.flush()
    return plan


def _task(plan: Plan, draw: Draw, position: int, spec: dict) -> Task:
    number = next(_seq)
    target = Target(
        code=f"DX-{number:05d}",
        name=f"临街商户{number}",
        kind="individual",
        credit_class=spec["class"],
        unit_id=_unit("ZD1-1").id,
    )
    db.session.add(target)
    db.session.flush()
    inspected = spec.get("inspected_on")
    published = spec.get("published")  # "on_time", "late" or None
    return Task(
        plan_id=plan.id,
        draw_id=draw.id,
        position=position,
        target_id=target.id,
        stratum=spec["class"],
        result_code=spec.get("result"),
        inspected_on=inspected,
        publish_due=inspected + timedelta(days=28) if inspected else None,
        published_at=at(inspected + timedelta(days=5)) if published else None,
        published_late=None if published is None else published == "late",
        entered_by="officer" if inspected else None,
    )


# 案卷评查 -----------------------------------------------------------------------


def review_campaign(code: str, start: date, end: date) -> Campaign:
    rubric = db.session.query(RubricVersion).first() or RubricVersion(
        version=1, name="行政处罚案卷评查标准", body={}, created_by="legal"
    )
    campaign = Campaign(
        code=code,
        name=f"{code} 行政处罚案卷评查",
        period_start=start,
        period_end=end,
        quotas={},
        rubric=rubric,
        status="drawn",
        created_by="legal",
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def reviewed_file(
    campaign: Campaign,
    unit: str,
    score: float,
    grade: str,
    confirmed: date,
    findings: list[tuple[str, str, str | None, float]] = (),
    referred: bool = False,
) -> ReviewFile:
    number = next(_seq)
    case = CaseFile(
        case_no=f"城管罚字〔2026〕第{number:04d}号",
        unit_id=_unit(unit).id,
        case_type="占道经营",
        procedure="general",
        handlers=["ZF-0001", "ZF-0002"],
        approver="ZF-0100",
        closed_on=confirmed - timedelta(days=30),
        imported_by="legal",
    )
    db.session.add(case)
    db.session.flush()
    row = ReviewFile(
        campaign_id=campaign.id,
        case_file_id=case.id,
        position=number,
        draw_key=f"{number:064x}",
        status="confirmed",
        score=score,
        grade=grade,
        vetoed=score == 0,
        confirmed_at=at(confirmed),
        confirmed_on=confirmed,
        confirmed_by="legal",
        referred_at=at(confirmed) if referred else None,
    )
    db.session.add(row)
    db.session.flush()
    for code, text, group, points in findings:
        db.session.add(
            Finding(
                review_file_id=row.id,
                kind="deduction" if group else "veto",
                item_code=code,
                item_text=text,
                group_name=group,
                points=points,
            )
        )
    db.session.flush()
    return row


# 首违不罚 -----------------------------------------------------------------------


def leniency_item(code: str, name: str) -> LeniencyItem:
    item = LeniencyItem(
        code=code,
        name=name,
        legal_basis="《城市市容和环境卫生管理条例》",
        conditions="首次违法、危害后果轻微并及时改正",
    )
    db.session.add(item)
    db.session.flush()
    db.session.add(
        LeniencyItemVersion(
            item_id=item.id,
            version=1,
            name=name,
            legal_basis=item.legal_basis,
            conditions=item.conditions,
            active=True,
            reason="发布",
            changed_by="legal",
        )
    )
    db.session.flush()
    return item


def leniency_record(
    item: LeniencyItem,
    unit: str,
    occurred: date,
    *,
    ground: str = "first_offence",
    followup: str | None = None,
    officers: tuple[str, str] = ("ZF-0001", "ZF-0002"),
    party: str = "",
) -> LeniencyRecord:
    number = next(_seq)
    status = {"passed": "corrected", "failed": "failed"}.get(followup or "", "committed")
    record = LeniencyRecord(
        party_kind="credit_code",
        party_key=party or f"party-{number}",
        party_cipher="-",
        party_masked="9131**********12",
        party_name=f"某某餐饮店{number}",
        item_id=item.id,
        item_version_id=item.versions[0].id,
        ground=ground,
        unit_id=_unit(unit).id,
        occurred_at=at(occurred),
        occurred_on=occurred,
        place="人民路 18 号门前",
        correction_deadline=occurred + timedelta(days=14),
        followup_due=occurred + timedelta(days=20),
        status=status,
        followup_result=followup,
        followup_on=occurred + timedelta(days=15) if followup else None,
        created_by="officer",
    )
    db.session.add(record)
    db.session.flush()
    for position, badge in enumerate(officers):
        db.session.add(RecordOfficer(record_id=record.id, position=position, number=badge))
    db.session.flush()
    return record


def refusal(earlier: LeniencyRecord, occurred: date) -> LeniencyRefusal:
    row = LeniencyRefusal(
        party_key=earlier.party_key,
        party_masked=earlier.party_masked,
        item_id=earlier.item_id,
        unit_id=earlier.unit_id,
        earlier_record_id=earlier.id,
        occurred_on=occurred,
        officers="ZF-0001,ZF-0002",
        attempted_by="officer",
    )
    db.session.add(row)
    db.session.flush()
    return row


# 整改台账与预警 -------------------------------------------------------------------


def ledger_item(
    unit_id: int,
    ref: str,
    opened: date,
    deadline: date,
    *,
    source: str = "review_finding",
    closed: date | None = None,
    title: str = "案卷未载明裁量理由",
) -> RectificationItem:
    item = ledger.open_item(source, ref, title, unit_id, "张勇", 10, actor="legal")
    item.opened_on, item.deadline = opened, deadline
    if closed is not None:
        item.status, item.closing_note = "closed", "已整改并组织学习"
        item.closed_at, item.closed_on, item.closed_by = at(closed), closed, "legal"
    db.session.flush()
    return item


def warning(unit_id: int, colour: str, raised: date, closed: date | None = None) -> Warning:
    row = Warning(
        rule="rectification_overdue",
        subject_key=f"unit:{unit_id}:{next(_seq)}",
        unit_id=unit_id,
        colour=colour,
        title="整改事项超期未销号",
        evidence=[],
        status="closed" if closed else "raised",
        raised_at=at(raised),
        last_seen_at=at(raised),
        closed_at=at(closed) if closed else None,
        closed_by="discipline" if closed else None,
        closing_note="已督促整改" if closed else None,
    )
    db.session.add(row)
    db.session.flush()
    return row
