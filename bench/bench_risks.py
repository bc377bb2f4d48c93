"""The integrity risk-point register at bureau scale: 5,000 points in 20 squads with
10,000 measures and 50,000 versions.

Scenarios, in process through the test client: the API list and the list page, both
filtered (unit subtree + level + text) and paginated; the quality check; the Excel
export of all 5,000 points; an import of 5,000 new rows (rolled back after each run);
and the re-import of the export (5,000 rows, all unchanged). Run
``python bench/bench_risks.py``; set RISKCTL_BENCH_DATABASE_URL for PostgreSQL.
"""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from bench._common import Row, backend, bench_app, measure, print_table  # noqa: E402
from riskctl.accounts import operations as accounts  # noqa: E402
from riskctl.core.db import db  # noqa: E402
from riskctl.core.tabular.writing import write_xlsx  # noqa: E402
from riskctl.risks.imports.operations import import_register  # noqa: E402
from riskctl.risks.models import RiskMeasure, RiskPoint, RiskPointVersion  # noqa: E402
from riskctl.risks.spreadsheet import HEADERS  # noqa: E402

POINTS = 5_000
VERSIONS_PER_POINT = 10
SQUADS = 20
PASSWORD = "bench-password-1"
POWERS = ("行政处罚", "行政许可", "暂扣物品处置", "罚没款管理", "政府采购", "人事")
STAGES = ("受理", "承办", "审查", "决定", "执行")
POSTS = ("现场执法岗", "案件审核岗", "暂扣物品保管岗", "罚没款收缴岗", "审批服务岗", "巡查岗")
NAMES = ("张勇", "李明", "王芳", "赵磊", "刘洋", "孙丽", "周静", "吴刚")
LIST_QUERY = "unit=ZD1&level=高&q=执法&status=active&page=2&per_page=50"
TODAY = date(2026, 11, 20)


def _units() -> list[int]:
    """The bureau: 局, 纪委, 2 detachments with 10 squads each; returns the squads' ids."""
    accounts.create_unit("JU", "市城市管理综合执法局")
    accounts.create_unit("JW", "机关纪委", "JU", "office")
    squads = []
    for d in (1, 2):
        accounts.create_unit(f"ZD{d}", f"第{d}执法支队", "JU", "detachment")
        for s in range(1, SQUADS // 2 + 1):
            squads.append(accounts.create_unit(f"ZD{d}-{s}", f"第{d}支队第{s}中队", f"ZD{d}").id)
    accounts.create_user("jiwei", "纪委 王洁", "discipline", PASSWORD, "JW")
    db.session.commit()
    return squads


def _point(n: int, unit_id: int, rng: random.Random) -> dict[str, Any]:
    likelihood, impact = rng.randint(1, 3), rng.randint(1, 3)
    return {
        "id": n,
        "unit_id": unit_id,
        "post": POSTS[n % len(POSTS)],
        "power": POWERS[n % len(POWERS)],
        "stage": STAGES[n % len(STAGES)],
        "title": f"第{n}号风险：{'选择性执法' if n % 3 else '违规减免罚款'}",
        "description": "对熟人、关系户不予查处或从轻处理；同类违法行为处罚标准不一",
        "category": "岗位职责风险",
        "likelihood": likelihood,
        "impact": impact,
        "responsible": rng.choice(NAMES),
        "supervisor": "陈明",
        "indicator": "同一当事人一年内被从轻处罚的次数",
        "next_review": TODAY + timedelta(days=rng.randint(-60, 360)),
        "last_reviewed": None,
        "status": "active",
        "version": VERSIONS_PER_POINT,
        "retired_at": None,
        "retire_reason": None,
        "created_at": datetime(2026, 1, 5, tzinfo=UTC),
        "updated_at": datetime(2026, 11, 1, tzinfo=UTC),
    }


def _children(point: dict[str, Any], rng: random.Random) -> tuple[list[dict], list[dict]]:
    measures = [
        {
            "point_id": point["id"],
            "position": k,
            "text": f"执法全过程记录，第{k + 1}项措施",
            "owner": rng.choice(NAMES),
            "deadline": TODAY + timedelta(days=rng.randint(-30, 200)),
            "status": rng.choice(("planned", "in_progress", "done")),
        }
        for k in range(2)
    ]
    snapshot = {k: str(v) for k, v in point.items() if k not in ("id", "unit_id")}
    snapshot["measures"] = [{**m, "deadline": m["deadline"].isoformat()} for m in measures]
    versions = [
        {
            "point_id": point["id"],
            "number": v,
            "action": "create" if v == 1 else "update",
            "actor": "jiwei",
            "reason": "年度廉政风险排查",
            "snapshot": snapshot,
            "changes": [{"field": "responsible", "before": "张勇", "after": "李明"}],
            "at": datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=v),
        }
        for v in range(1, VERSIONS_PER_POINT + 1)
    ]
    return measures, versions


def _fill(squads: list[int]) -> None:
    rng = random.Random(20261120)
    points, measures, versions = [], [], []
    for n in range(1, POINTS + 1):
        point = _point(n, squads[n % len(squads)], rng)
        points.append(point)
        more_measures, more_versions = _children(point, rng)
        measures += more_measures
        versions += more_versions
    db.session.execute(insert(RiskPoint), points)
    db.session.execute(insert(RiskMeasure), measures)
    for start in range(0, len(versions), 10_000):
        db.session.execute(insert(RiskPointVersion), versions[start : start + 10_000])
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval('risk_points_id_seq', :n)"), {"n": POINTS})
        db.session.execute(text("ANALYZE"))
    db.session.commit()


def _new_rows_xlsx() -> bytes:
    """5,000 rows none of which is in the register yet (import creates them all)."""
    rng = random.Random(7)
    rows = [
        [
            f"第{1 + n % 2}支队第{1 + n % 10}中队",
            POSTS[n % len(POSTS)],
            POWERS[n % len(POWERS)],
            STAGES[n % len(STAGES)],
            f"新排查风险{n}",
            "表现形式",
            "制度机制风险",
            rng.randint(1, 3),
            rng.randint(1, 3),
            "",
            f"双人清点（责任人：{rng.choice(NAMES)}；完成时限：2027-03-31）\n每月核对",
            rng.choice(NAMES),
            "陈明",
            "监测指标",
            "2027-06-30",
        ]
        for n in range(POINTS)
    ]
    return write_xlsx(HEADERS, rows, "导入")


def _login(app: Flask):
    client = app.test_client()
    token = re.search(
        r'name="csrf-token" content="([^"]+)"', client.get("/login").get_data(as_text=True)
    ).group(1)
    client.post("/login", data={"username": "jiwei", "password": PASSWORD, "csrf_token": token})
    return client


def _get(client, url: str, headers: dict[str, str] | None = None) -> Callable[[], bytes]:
    def run() -> bytes:
        # A served request has its own app context and session; here the requests share
        # the bench's context, so end the session as the request's teardown would.
        db.session.remove()
        response = client.get(url, headers=headers or {})
        if response.status_code != 200:
            raise AssertionError(f"{url} answered {response.status_code}")
        return response.get_data()

    return run


def _import(data: bytes, expect: str) -> Callable[[], None]:
    def run() -> None:
        result = import_register(data, "bench.xlsx", reason="基准测试")
        db.session.rollback()
        if getattr(result, expect) != POINTS:
            raise AssertionError(f"import: expected {POINTS} {expect}, got {result}")

    return run


def scenarios() -> list[Row]:
    rows = []
    with bench_app() as app:
        _fill(_units())
        token = accounts.issue_token("jiwei")
        db.session.commit()
        bearer = {"Authorization": f"Bearer {token}"}
        api, web = app.test_client(), _login(app)
        exported = _get(api, "/api/v1/risk-points/export.xlsx", bearer)()
        size = f"{POINTS:,} points / {POINTS * VERSIONS_PER_POINT:,} versions"
        cases = [
            (
                "API list, filtered + paginated",
                _get(api, f"/api/v1/risk-points?{LIST_QUERY}", bearer),
                21,
            ),
            ("list page, filtered + paginated", _get(web, f"/risks/?{LIST_QUERY}"), 21),
            ("quality check API, first page", _get(api, "/api/v1/risk-points/quality", bearer), 11),
            ("export .xlsx, all points", _get(api, "/api/v1/risk-points/export.xlsx", bearer), 3),
            ("import 5,000 new rows (rolled back)", _import(_new_rows_xlsx(), "created"), 3),
            ("re-import the export (all unchanged)", _import(exported, "unchanged"), 3),
        ]
        for name, fn, repeat in cases:
            rows.append(Row(f"risks {name} ({backend()})", size, *measure(fn, repeat=repeat)))
    return rows


if __name__ == "__main__":
    print_table(scenarios())
