"""A province-scale bureau for benchmarks: one quarter of records in every module.

At ``scale=1.0``: 5,000 risk points, a 1,000,000-target roster with 2,000
inspectors, 200 drawn plans with 100,000 inspection results, 20,000 scored case
files, 200,000 leniency records, plus ledger items and warnings. Most records
fall in the quarter just ended, a sixth in the quarter before it (the report's
change column). Rows go straight into the modules' tables in batches (COPY on
PostgreSQL, executemany elsewhere); each module has its own function, so a table
that changes breaks one function, not the set.

Use inside ``bench._common.bench_app()``::

    with bench_app():
        province = build_province(scale=0.1)
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import Table, insert, text

from riskctl.accounts import operations as accounts
from riskctl.core import clock
from riskctl.core.db import db, is_postgres
from riskctl.reporting.periods import Quarter, quarter_of

BATCH = 20_000
BASE = {  # records at scale 1.0
    "risk_points": 5_000,
    "targets": 1_000_000,
    "inspectors": 2_000,
    "plans": 200,
    "results": 100_000,
    "case_files": 20_000,
    "leniency": 200_000,
    "ledger": 6_000,
    "warnings": 600,
}
DETACHMENTS = [
    "市容秩序",
    "环境卫生",
    "园林绿化",
    "市政设施",
    "建筑工地",
    "户外广告",
    "渣土运输",
    "河道管理",
]
DISTRICTS = ["东城", "西城", "南湖", "北岸", "高新", "经开"]
POSTS = ["执法队员", "中队长", "案件审核员", "罚没款管理员", "暂扣物品保管员", "采购专员"]
POWERS = ["行政处罚", "行政许可", "行政强制", "暂扣物品处置", "罚没款管理", "政府采购"]
RISKS = [
    "选择性执法、随意减免处罚",
    "暂扣物品未登记造册",
    "罚没款未及时上缴",
    "执法记录仪选择性使用",
    "接受管理对象宴请",
    "违规干预案件办理",
    "泄露举报人信息",
    "以罚代管",
]
RESULTS = [
    ("no_problem", 62),
    ("corrected", 14),
    ("not_publicised", 6),
    ("unreachable", 5),
    ("closed", 5),
    ("no_activity", 5),
    ("refused_serious", 2),
    ("falsified", 1),
]
LENIENCY = [
    "占道经营",
    "店外经营",
    "乱张贴小广告",
    "乱堆物堆料",
    "未按规定设置垃圾容器",
    "车辆带泥上路",
    "擅自设置户外广告",
    "沿街晾晒",
]


@dataclass
class Province:
    """What was built: the quarter to report, and how many rows each table got."""

    quarter: Quarter
    counts: dict[str, int] = field(default_factory=dict)
    squads: list[int] = field(default_factory=list)
    history_years: int = 0


def _n(key: str, scale: float) -> int:
    return max(1, round(BASE[key] * scale))


def moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randrange(1, 10), rng.randrange(60)), tzinfo=UTC)


def _days(quarter: Quarter) -> int:
    return (quarter.end - quarter.start).days + 1


def pick_day(province: Province, rng: random.Random) -> date:
    """A day in the reported quarter, or (one time in six) in the quarter before; with
    ``province.history_years``, three records in four fall uniformly in those earlier
    years instead (a province's lists hold years of records, not two quarters)."""
    if province.history_years and rng.random() < 0.75:
        days = 365 * province.history_years
        return province.quarter.start - timedelta(days=1 + rng.randrange(days))
    quarter = province.quarter.previous() if rng.random() < 1 / 6 else province.quarter
    return quarter.start + timedelta(days=rng.randrange(_days(quarter)))


def bulk(table: Table, rows: Iterable[dict[str, Any]]) -> int:
    """Insert ``rows`` in batches; COPY on PostgreSQL, the driver's own executemany of
    plain tuples on SQLite (no per-value SQLAlchemy processing). Every row must have
    the same keys."""
    total = 0
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        if is_postgres():
            _copy(table, batch)
        else:
            _executemany(table, batch)
        total += len(batch)
    return total


def _executemany(table: Table, batch: list[dict[str, Any]]) -> None:
    # The values stored as SQLAlchemy stores them on SQLite: a moment as UTC text with
    # microseconds, a date in ISO form, JSON as text; the models' Python defaults added.
    defaults = _defaults(table, set(batch[0]))
    columns = [*batch[0], *defaults]
    extra = tuple(_sqlite_value(v) for v in defaults.values())
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" * len(columns))
    raw = db.session.connection().connection.dbapi_connection
    raw.executemany(
        f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',
        [(*map(_sqlite_value, row.values()), *extra) for row in batch],
    )


def _sqlite_value(value: Any) -> Any:
    kind = type(value)
    if kind is datetime:
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}")
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    if kind is date:
        return value.isoformat()
    if kind is dict or kind is list:
        return json.dumps(value)
    return value


def _copy(table: Table, batch: list[dict[str, Any]]) -> None:
    # COPY bypasses the models' Python-side defaults, which executemany would apply.
    defaults = _defaults(table, set(batch[0]))
    columns = [*batch[0], *defaults]
    raw = db.session.connection().connection.dbapi_connection
    names = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in batch:
            values = [*row.values(), *defaults.values()]
            copy.write_row(
                [
                    json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                    for v in values
                ]
            )


def _defaults(table: Table, given: set[str]) -> dict[str, Any]:
    found = {}
    for column in table.columns:
        if column.name in given or column.default is None:
            continue
        default = column.default
        found[column.name] = default.arg(None) if default.is_callable else default.arg
    return found


def _fix_sequences(tables: Iterable[str]) -> None:
    # Rows were given explicit ids: later inserts must continue after them.
    if not is_postgres():
        return
    for name in tables:
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{name}"), 0) + 1, false)'
            )
        )


def _table(name: str) -> Table:
    return db.metadata.tables[name]


# Units and users ---------------------------------------------------------------------


def units(province: Province) -> None:
    """局 → 4 科室 + 8 支队 → 6 中队 each (48 squads)."""
    accounts.create_unit("JU", "省会城市城市管理综合行政执法局", None, "bureau")
    for code, name in [("JW", "机关纪委"), ("FZK", "法制科"), ("BGS", "办公室"), ("CWK", "财务科")]:
        accounts.create_unit(code, name, "JU", "office")
    for d, name in enumerate(DETACHMENTS, start=1):
        accounts.create_unit(f"ZD{d}", f"{name}执法支队", "JU", "detachment")
        for s, district in enumerate(DISTRICTS, start=1):
            unit = accounts.create_unit(f"ZD{d}-{s}", f"{name}{district}中队", f"ZD{d}", "squad")
            province.squads.append(unit.id)
    db.session.flush()
    for username, role, unit in [
        ("fazhi", "legal", "FZK"),
        ("jiwei", "discipline", "JW"),
        ("lingdao", "leader", "JU"),
    ]:
        accounts.create_user(username, username, role, "bench-password-1", unit)
    province.counts["units"] = 5 + len(DETACHMENTS) * (1 + len(DISTRICTS))


# 廉政风险点 ------------------------------------------------------------------------------


def risks(province: Province, rng: random.Random, scale: float) -> None:
    n, q = _n("risk_points", scale), province.quarter
    points, measures, versions = [], [], []
    for i in range(1, n + 1):
        created = (
            pick_day(province, rng)
            if rng.random() < 0.2
            else q.start - timedelta(days=rng.randrange(30, 700))
        )
        retired = rng.random() < 0.03
        title = f"{rng.choice(RISKS)}（{i:05d}）"
        points.append(
            {
                "id": i,
                "unit_id": rng.choice(province.squads),
                "post": rng.choice(POSTS),
                "power": rng.choice(POWERS),
                "stage": rng.choice(["受理", "承办", "审查", "决定", "执行"]),
                "title": title,
                "description": "执法过程中可能出现的廉政风险",
                "category": "岗位职责风险",
                "likelihood": rng.randint(1, 3),
                "impact": rng.randint(1, 3),
                "responsible": "张勇",
                "supervisor": "李明",
                "indicator": "投诉举报件数",
                "status": "retired" if retired else "active",
                "next_review": q.start + timedelta(days=rng.randrange(-60, 200)),
                "last_reviewed": None,
                "version": 1,
                "retired_at": moment(pick_day(province, rng), rng) if retired else None,
                "retire_reason": "岗位职责调整" if retired else None,
                "created_at": moment(created, rng),
                "updated_at": moment(created, rng),
            }
        )
        for position in range(rng.randint(1, 3)):
            measures.append(
                {
                    "id": len(measures) + 1,
                    "point_id": i,
                    "position": position,
                    "text": "建立台账并每月核对",
                    "owner": "王平",
                    "deadline": q.start + timedelta(days=rng.randrange(-30, 150)),
                    "status": rng.choice(["planned", "in_progress", "done"]),
                }
            )
        versions.append(
            {
                "id": i,
                "point_id": i,
                "number": 1,
                "action": "create",
                "actor": "jiwei",
                "reason": "新建",
                "at": moment(created, rng),
                "snapshot": {"title": title},
                "changes": [],
            }
        )
    province.counts["risk_points"] = bulk(_table("risk_points"), points)
    province.counts["risk_measures"] = bulk(_table("risk_measures"), measures)
    bulk(_table("risk_point_versions"), versions)


# 双随机抽查 ------------------------------------------------------------------------------


def _target_rows(n: int, squads: list[int], seed: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    now = clock.now()
    for i in range(1, n + 1):
        yield {
            "id": i,
            "code": f"DX{i:08d}",
            "name": f"{rng.choice(DISTRICTS)}区商户{i}",
            "credit_code": None,
            "kind": "individual",
            "address": "",
            "credit_class": rng.choices("ABCD", (10, 40, 35, 15))[0],
            "unit_id": rng.choice(squads),
            "closed": False,
            "active": True,
            "created_at": now,
            "updated_at": now,
        }


def inspections(province: Province, rng: random.Random, scale: float) -> None:
    targets, plans = _n("targets", scale), _n("plans", scale)
    province.counts["targets"] = bulk(
        _table("inspection_targets"), _target_rows(targets, province.squads, rng.randrange(2**32))
    )
    now = clock.now()
    bulk(
        _table("inspection_inspectors"),
        (
            {
                "id": i,
                "code": f"RY{i:05d}",
                "name": f"执法员{i}",
                "license_no": f"ZF{i:08d}",
                "unit_id": rng.choice(province.squads),
                "fields": "市容",
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(1, _n("inspectors", scale) + 1)
        ),
    )
    manifests, draws, plan_rows = [], [], []
    for p in range(1, plans + 1):
        drawn = moment(pick_day(province, rng), rng)
        code = f"SJ-{drawn.year}-{p:04d}"
        manifests.append(
            {
                "id": p,
                "kind": "inspection",
                "subject": code,
                "plan": code,
                "team_size": 2,
                "cap": 60,
                "quotas": {"A": 1},
                "target_count": targets,
                "inspector_count": 2000,
                "conflict_count": 0,
                "targets_digest": _hex(p, 1),
                "inspectors_digest": _hex(p, 2),
                "conflicts_digest": _hex(p, 3),
                "quotas_digest": _hex(p, 4),
                "personal_ids": [],
                "body_zlib": b"-",
                "locked_at": drawn,
                "locked_by": "fazhi",
            }
        )
        draws.append(
            {
                "id": p,
                "manifest_id": p,
                "round": 1,
                "entropy": "公证摇号 07 13 22",
                "entropy_source": "公证处现场摇号",
                "seed": _hex(p, 5),
                "result_digest": _hex(p, 6),
                "selected_count": 0,
                "has_personal": False,
                "drawn_at": drawn,
                "drawn_by": "fazhi",
                "redraw_reason": None,
                "approved_by": None,
            }
        )
        plan_rows.append(
            {
                "id": p,
                "code": code,
                "name": f"{rng.choice(DETACHMENTS)}领域双随机抽查（第{p}批）",
                "ratios": {"A": "0.05"},
                "status": "drawn",
                "created_by": "fazhi",
                "created_at": drawn,
                "manifest_id": p,
                "draw_id": p,
                "drawn_at": drawn,
                "locked_at": drawn,
            }
        )
    bulk(_table("draw_manifests"), manifests)
    bulk(_table("draws"), draws)
    province.counts["plans"] = bulk(_table("inspection_plans"), plan_rows)
    province.counts["results"] = bulk(
        _table("inspection_tasks"),
        _task_rows(province, rng, plan_rows, _n("results", scale), targets),
    )
    inspectors = _n("inspectors", scale)
    bulk(  # a team of two per task, so an officer's task list has the tasks of their units
        _table("inspection_task_inspectors"),
        (
            {"task_id": task, "inspector_id": member, "position": k}
            for task in range(1, province.counts["results"] + 1)
            for k, member in enumerate(rng.sample(range(1, inspectors + 1), 2))
        ),
    )


def _hex(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _task_rows(
    province: Province, rng: random.Random, plans: list[dict], results: int, targets: int
) -> Iterator[dict[str, Any]]:
    codes, weights = zip(*RESULTS, strict=True)
    per_plan = max(1, results // len(plans))
    task_id = 0
    for plan in plans:
        drawn = plan["drawn_at"].date()
        for position, target in enumerate(rng.sample(range(1, targets + 1), per_plan), start=1):
            task_id += 1
            inspected = drawn + timedelta(days=rng.randrange(1, 40))
            published = rng.random() < 0.9
            yield {
                "id": task_id,
                "plan_id": plan["id"],
                "draw_id": plan["id"],
                "position": position,
                "target_id": target,
                "stratum": "ABCD"[target % 4],
                "superseded": False,
                "result_code": rng.choices(codes, weights)[0],
                "inspected_on": inspected,
                "entered_by": "officer",
                "publish_due": inspected + timedelta(days=28),
                "due_provisional": False,
                "published_at": moment(inspected + timedelta(days=rng.randrange(1, 35)), rng)
                if published
                else None,
                "published_late": (rng.random() < 0.08) if published else None,
            }


# 案卷评查 ------------------------------------------------------------------------------


def reviews(province: Province, rng: random.Random, scale: float) -> None:
    n = _n("case_files", scale)
    db.session.execute(
        insert(_table("review_rubrics")),
        [
            {
                "id": 1,
                "version": 1,
                "name": "行政处罚案卷评查标准",
                "body": {},
                "created_by": "fazhi",
            }
        ],
    )
    q, p = province.quarter, province.quarter.previous()
    db.session.execute(
        insert(_table("review_campaigns")),
        [
            {
                "id": i,
                "code": f"PC-{quarter.key}",
                "name": f"{quarter.label}行政处罚案卷评查",
                "period_start": quarter.start,
                "period_end": quarter.end,
                "quotas": {},
                "rubric_id": 1,
                "status": "drawn",
                "created_by": "fazhi",
            }
            for i, quarter in ((1, p), (2, q))
        ],
    )
    cases, files, findings = [], [], []
    for i in range(1, n + 1):
        confirmed = pick_day(province, rng)
        score = rng.choice([0, *range(55, 101)]) if rng.random() < 0.97 else 0
        grade = "优秀" if score >= 90 else "合格" if score >= 70 else "不合格"
        cases.append(
            {
                "id": i,
                "case_no": f"城管罚字〔{confirmed.year}〕第{i:05d}号",
                "unit_id": rng.choice(province.squads),
                "case_type": "占道经营",
                "procedure": "general",
                "handlers": ["ZF00000001", "ZF00000002"],
                "approver": "ZF00000100",
                "closed_on": confirmed - timedelta(days=30),
                "imported_by": "fazhi",
            }
        )
        files.append(
            {
                "id": i,
                "campaign_id": 2 if confirmed >= q.start else 1,
                "case_file_id": i,
                "position": i,
                "draw_key": _hex(i),
                "status": "confirmed",
                "score": float(score),
                "grade": grade,
                "vetoed": score == 0,
                "confirmed_at": moment(confirmed, rng),
                "confirmed_on": confirmed,
                "confirmed_by": "fazhi",
                "referred_at": moment(confirmed, rng) if score == 0 else None,
            }
        )
        for code, text_, group in rng.sample(_FINDINGS, rng.randint(0, 2)):
            findings.append(
                {
                    "id": len(findings) + 1,
                    "review_file_id": i,
                    "kind": "deduction" if group else "veto",
                    "item_code": code,
                    "item_text": text_,
                    "group_name": group,
                    "points": 2.0 if group else 0,
                }
            )
    bulk(_table("case_files"), cases)
    province.counts["case_files"] = bulk(_table("review_files"), files)
    bulk(_table("review_findings"), findings)


_FINDINGS = [
    ("CX2", "未依法告知陈述、申辩或听证权利", "程序"),
    ("SZ3", "证据未载明来源、收集人或时间", "事实与证据"),
    ("FL1", "引用法律条款不具体", "法律适用"),
    ("CL1", "未说明裁量理由", "裁量"),
    ("WS2", "文书存在错别字或涂改", "文书"),
    ("F05", "证据不充分", None),
]


# 首违不罚 ------------------------------------------------------------------------------


def leniency(province: Province, rng: random.Random, scale: float) -> None:
    items = [
        {
            "id": i,
            "code": f"MF-{i:02d}",
            "name": f"{name}（首次、及时改正）",
            "legal_basis": "《城市市容和环境卫生管理条例》",
            "conditions": "首次违法、危害后果轻微并及时改正",
        }
        for i, name in enumerate(LENIENCY, start=1)
    ]
    bulk(_table("leniency_items"), items)
    bulk(
        _table("leniency_item_versions"),
        (
            {
                "id": i["id"],
                "item_id": i["id"],
                "version": 1,
                "name": i["name"],
                "legal_basis": i["legal_basis"],
                "conditions": i["conditions"],
                "active": True,
                "reason": "发布",
                "changed_by": "fazhi",
            }
            for i in items
        ),
    )
    n = _n("leniency", scale)
    officers = [f"ZF{k:08d}" for k in range(1, 2001)]
    records, crew = [], []
    for i in range(1, n + 1):
        day = pick_day(province, rng)
        followup = rng.choices(["passed", "failed", None], (80, 5, 15))[0]
        records.append(_leniency_row(i, day, followup, rng.randint(1, len(items)), rng, province))
        pair = rng.sample(officers, 2)
        crew += [{"record_id": i, "position": k, "number": badge} for k, badge in enumerate(pair)]
    province.counts["leniency"] = bulk(_table("leniency_records"), records)
    bulk(_table("leniency_record_officers"), crew)
    bulk(
        _table("leniency_refusals"),
        (
            {
                "id": k,
                "party_key": f"party-{k}",
                "party_masked": "9131**********12",
                "item_id": rng.randint(1, len(items)),
                "unit_id": rng.choice(province.squads),
                "earlier_record_id": rng.randint(1, n),
                "occurred_on": pick_day(province, rng),
                "officers": "ZF00000001,ZF00000002",
                "attempted_by": "officer",
            }
            for k in range(1, max(1, n // 100) + 1)
        ),
    )


def _leniency_row(
    i: int, day: date, followup: str | None, item: int, rng: random.Random, province: Province
) -> dict[str, Any]:
    status = {"passed": "corrected", "failed": "failed"}.get(followup or "", "committed")
    return {
        "id": i,
        "party_kind": "credit_code",
        "party_key": f"party-{rng.randrange(150_000)}",
        "party_cipher": "-",
        "party_masked": "9131**********12",
        "party_name": f"某某商行{i}",
        "item_id": item,
        "item_version_id": item,
        "ground": "first_offence" if rng.random() < 0.8 else "minor",
        "unit_id": rng.choice(province.squads),
        "occurred_at": moment(day, rng),
        "occurred_on": day,
        "place": "人民路与解放路交叉口",
        "facts": "",
        "education": "",
        "correction_deadline": day + timedelta(days=7),
        "followup_due": day + timedelta(days=12),
        "followup_due_provisional": False,
        "status": status,
        "followup_result": followup,
        "followup_on": day + timedelta(days=8) if followup else None,
        "created_at": moment(day, rng),
        "created_by": "officer",
    }


# 整改台账与预警 ----------------------------------------------------------------------------


def rectification(province: Province, rng: random.Random, scale: float) -> None:
    rows = []
    for i in range(1, _n("ledger", scale) + 1):
        opened = pick_day(province, rng)
        deadline = opened + timedelta(days=rng.randrange(10, 60))
        closed = rng.random() < 0.6
        closed_on = opened + timedelta(days=rng.randrange(3, 70))
        rows.append(
            {
                "id": i,
                "source": rng.choice(["review_finding", "inspection_result", "risk_measure"]),
                "source_ref": f"SRC-{i}",
                "title": rng.choice(
                    ["案卷未载明裁量理由", "抽查发现未按规定公示", "防控措施逾期未落实"]
                ),
                "detail": "",
                "unit_id": rng.choice(province.squads),
                "owner": "王平",
                "opened_on": opened,
                "deadline_days": 15,
                "deadline": deadline,
                "deadline_provisional": False,
                "status": "closed" if closed else "open",
                "evidence": "",
                "closing_note": "已整改" if closed else None,
                "closed_at": moment(closed_on, rng) if closed else None,
                "closed_on": closed_on if closed else None,
                "closed_by": "fazhi" if closed else None,
                "created_at": moment(opened, rng),
                "created_by": "fazhi",
            }
        )
    province.counts["ledger"] = bulk(_table("rectification_items"), rows)


def warnings(province: Province, rng: random.Random, scale: float) -> None:
    rows = []
    for i in range(1, _n("warnings", scale) + 1):
        raised = pick_day(province, rng)
        closed = rng.random() < 0.5
        rows.append(
            {
                "id": i,
                "rule": "rectification_overdue",
                "subject_key": f"bench:{i}",
                "unit_id": rng.choice(province.squads),
                "colour": rng.choice(["red", "yellow"]),
                "title": "单位有超期未销号的整改事项",
                "evidence": [],
                "status": "closed" if closed else "raised",
                "raised_at": moment(raised, rng),
                "last_seen_at": moment(raised, rng),
                "closed_at": moment(raised + timedelta(days=10), rng) if closed else None,
                "closed_by": "jiwei" if closed else None,
                "closing_note": "已处置" if closed else None,
            }
        )
    province.counts["warnings"] = bulk(_table("warnings"), rows)


TABLES_WITH_IDS = (
    "risk_points",
    "risk_measures",
    "risk_point_versions",
    "inspection_targets",
    "inspection_inspectors",
    "draw_manifests",
    "draws",
    "inspection_plans",
    "inspection_tasks",
    "review_rubrics",
    "review_campaigns",
    "case_files",
    "review_files",
    "review_findings",
    "leniency_items",
    "leniency_item_versions",
    "leniency_records",
    "leniency_refusals",
    "rectification_items",
    "warnings",
)


def build_province(
    scale: float = 1.0, quarter: Quarter | None = None, seed: int = 20261121, history_years: int = 0
) -> Province:
    """Fill the (empty, migrated) database of the current app; commit; say what was built."""
    province = Province(
        quarter or quarter_of(clock.today()).previous(), history_years=history_years
    )
    rng = random.Random(seed)
    units(province)
    for build in (risks, inspections, reviews, leniency, rectification, warnings):
        build(province, rng, scale)
    _fix_sequences(TABLES_WITH_IDS)
    db.session.commit()
    return province
