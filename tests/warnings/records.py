"""Minimal records of the other modules, written straight to their tables, for end-to-end
scans: each factory fills only what the tables require."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from riskctl.core import clock
from riskctl.core.db import db
from riskctl.draws.models import Draw, DrawManifest
from riskctl.inspections.models import Inspector, Plan, Target, Task, TaskInspector
from riskctl.leniency.models import (
    LeniencyItem,
    LeniencyItemVersion,
    LeniencyRecord,
    RecordOfficer,
)
from riskctl.reviews.models import Campaign, CaseFile, ReviewFile, RubricVersion
from riskctl.risks.models import RiskPoint, RiskPointVersion


def leniency_item() -> LeniencyItem:
    item = LeniencyItem(
        code="MF-01",
        name="店外经营（首次）",
        legal_basis="《城市市容和环境卫生管理条例》",
        conditions="首次违法、及时改正",
    )
    db.session.add(item)
    db.session.flush()
    db.session.add(
        LeniencyItemVersion(
            item_id=item.id,
            version=1,
            name=item.name,
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
    bureau,
    item: LeniencyItem,
    *,
    unit: str = "ZD1-1",
    party: str = "P1",
    officers: tuple[str, str] = ("ZF-0101", "ZF-0102"),
    days_ago: int = 10,
) -> LeniencyRecord:
    day = clock.today() - timedelta(days=days_ago)
    record = LeniencyRecord(
        party_kind="person",
        party_key=f"key-{party}",
        party_cipher="x",
        party_masked="4101**********1234",
        party_name=f"当事人{party}",
        item_id=item.id,
        item_version_id=item.versions[0].id if item.versions else 1,
        ground="first_offence",
        unit_id=bureau.units[unit].id,
        occurred_at=clock.from_local(datetime.combine(day, time(10))),
        occurred_on=day,
        place="人民路 1 号",
        correction_deadline=day,
        followup_due=day,
        status="recorded",
        created_by="officer",
        officers=[RecordOfficer(position=n, number=o) for n, o in enumerate(officers)],
    )
    db.session.add(record)
    db.session.commit()
    return record


def inspection_roster(bureau) -> tuple[Target, Inspector, Inspector]:
    target = Target(
        code="DX-001",
        name="某某餐饮店",
        kind="individual",
        credit_class="B",
        unit_id=bureau.units["ZD1-1"].id,
    )
    first = Inspector(
        code="ZF-0101", name="王五", license_no="L-0101", unit_id=bureau.units["ZD1-1"].id
    )
    second = Inspector(
        code="ZF-0102", name="赵六", license_no="L-0102", unit_id=bureau.units["ZD1-1"].id
    )
    db.session.add_all([target, first, second])
    db.session.flush()
    return target, first, second


def inspection_task(
    target: Target,
    team: tuple[Inspector, ...],
    *,
    plan_code: str,
    days_ago: int = 30,
    due_days_ago: int | None = None,
    published_late: bool | None = None,
) -> Task:
    """A drawn plan with one task; ``due_days_ago`` sets an entered result's publish deadline."""
    drawn = clock.now() - timedelta(days=days_ago)
    frozen = manifest(plan_code)
    draw = db.session.scalar(select(Draw).where(Draw.manifest_id == frozen.id))
    plan = Plan(
        code=plan_code,
        name=f"计划 {plan_code}",
        ratios={"B": "0.1"},
        team_size=2,
        status="drawn",
        created_by="legal",
        drawn_at=drawn,
        draw_id=draw.id,
        manifest_id=draw.manifest_id,
    )
    db.session.add(plan)
    db.session.flush()
    task = Task(
        plan_id=plan.id,
        draw_id=draw.id,
        position=1,
        target_id=target.id,
        stratum="B",
        superseded=False,
    )
    if due_days_ago is not None:
        task.result_code, task.inspected_on = (
            "no_problem",
            clock.today() - timedelta(days=due_days_ago + 28),
        )
        task.publish_due = clock.today() - timedelta(days=due_days_ago)
        if published_late is not None:
            task.published_at, task.published_late = clock.now(), published_late
    db.session.add(task)
    db.session.flush()
    db.session.add_all(
        TaskInspector(task_id=task.id, inspector_id=i.id, position=n) for n, i in enumerate(team)
    )
    db.session.commit()
    return task


def review_campaign(code: str = "PC-2026-H2") -> Campaign:
    rubric = RubricVersion(version=1, name="评查标准", body={}, created_by="legal")
    db.session.add(rubric)
    db.session.flush()
    campaign = Campaign(
        code=code,
        name="2026 年下半年案卷评查",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30),
        quotas={},
        rubric_id=rubric.id,
        status="drawn",
        created_by="legal",
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def reviewed_file(
    bureau, campaign: Campaign, n: int, score: float, grade: str, unit: str = "ZD1-1"
) -> ReviewFile:
    case = CaseFile(
        case_no=f"城管罚字〔2026〕{n}号",
        unit_id=bureau.units[unit].id,
        case_type="占道经营",
        procedure="general",
        handlers=["L-0101"],
        approver="L-0001",
        closed_on=date(2026, 3, 1),
        imported_by="legal",
    )
    db.session.add(case)
    db.session.flush()
    reviewed = ReviewFile(
        campaign_id=campaign.id,
        case_file_id=case.id,
        position=n,
        draw_key=f"k{n}",
        status="confirmed",
        score=score,
        grade=grade,
        vetoed=score == 0,
        confirmed_on=clock.today() - timedelta(days=5),
        confirmed_at=clock.now(),
        confirmed_by="legal",
    )
    db.session.add(reviewed)
    db.session.commit()
    return reviewed


def manifest(subject: str, rounds: int = 1, locked_at: datetime | None = None) -> DrawManifest:
    row = DrawManifest(
        kind="inspection",
        subject=subject,
        plan="{}",
        team_size=2,
        cap=3,
        quotas={"B": 1},
        target_count=1,
        inspector_count=2,
        conflict_count=0,
        targets_digest="0" * 64,
        inspectors_digest="0" * 64,
        conflicts_digest="0" * 64,
        quotas_digest="0" * 64,
        personal_ids=[],
        body_zlib=b"",
        locked_at=locked_at or clock.now() - timedelta(days=3),
        locked_by="legal",
    )
    db.session.add(row)
    db.session.flush()
    for number in range(1, rounds + 1):
        db.session.add(
            Draw(
                manifest_id=row.id,
                round=number,
                entropy="e",
                entropy_source="双色球",
                seed="0" * 64,
                result_digest="0" * 64,
                selected_count=1,
                has_personal=False,
                drawn_by="legal",
                drawn_at=clock.now() - timedelta(days=2),
                redraw_reason=None if number == 1 else "抽中对象已注销",
                approved_by=None if number == 1 else "leader",
                redraw_kind=None if number == 1 else "manifest_error",
            )
        )
    db.session.commit()
    return row


def risk_point(
    bureau,
    *,
    title: str = "暂扣物品处置不规范",
    responsible: str = "张三",
    next_review: date | None = None,
    likelihood: int = 3,
    impact: int = 3,
    holders: tuple[tuple[str, int], ...] = (),
) -> RiskPoint:
    """A point; ``holders`` are (responsible, days ago) versions, oldest first."""
    point = RiskPoint(
        unit_id=bureau.units["ZD1-1"].id,
        post="暂扣物品保管员",
        power="暂扣物品处置",
        stage="执行",
        title=title,
        likelihood=likelihood,
        impact=impact,
        responsible=responsible,
        next_review=next_review or clock.today() + timedelta(days=30),
    )
    db.session.add(point)
    db.session.flush()
    for number, (person, days_ago) in enumerate(holders, 1):
        db.session.add(
            RiskPointVersion(
                point_id=point.id,
                number=number,
                action="update" if number > 1 else "create",
                actor="discipline",
                reason="调整",
                at=clock.now() - timedelta(days=days_ago),
                snapshot={"responsible": person},
                changes=[],
            )
        )
    db.session.commit()
    return point
