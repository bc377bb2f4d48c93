"""Creating, changing, reviewing and retiring points: versions, audit, computed levels."""

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from riskctl.core import clock, settings
from riskctl.core.audit import AuditEntry, verify_chain
from riskctl.core.db import db
from riskctl.core.errors import Conflict, ValidationFailed
from riskctl.risks import operations
from riskctl.risks.models import RiskPointVersion
from riskctl.risks.options import MATRIX_KEY, current_matrix
from riskctl.risks.queries import point_or_404
from tests.risks.conftest import make_point

# Dates count from the bureau's today: run at moments where UTC and Beijing disagree.
pytestmark = pytest.mark.usefixtures("instant")

DAY = date(2026, 3, 2)


def versions(point):
    return db.session.scalars(
        select(RiskPointVersion)
        .where(RiskPointVersion.point_id == point.id)
        .order_by(RiskPointVersion.number)
    ).all()


def audit_entries(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_a_new_point_gets_its_level_next_review_and_first_version(bureau):
    point = make_point(today=DAY, likelihood=2, impact=2)
    assert current_matrix().level(point.likelihood, point.impact) == "中"
    assert point.next_review == DAY + timedelta(days=180)
    assert point.version == 1
    [first] = versions(point)
    assert (first.number, first.action, first.actor, first.reason) == (
        1,
        "create",
        "discipline",
        "新建",
    )
    assert first.snapshot["level"] == "中"
    assert {c["field"] for c in first.changes} >= {
        "unit",
        "title",
        "likelihood",
        "level",
        "measures",
    }
    [entry] = audit_entries("risk_point.create")
    assert entry.object_id == str(point.id)


def test_a_given_next_review_is_kept(bureau):
    point = make_point(next_review="2026-05-01")
    assert point.next_review == date(2026, 5, 1)


def test_a_level_sent_by_the_client_is_never_taken(bureau):
    with pytest.raises(ValidationFailed, match="应为“高”") as caught:
        make_point(level="低")
    assert "level" in caught.value.details
    assert make_point(level="一级").likelihood == 3  # agrees with 3 × 3: accepted, not stored


def test_a_change_needs_a_reason_and_keeps_what_changed_field_by_field(bureau):
    point = make_point(today=DAY)
    with pytest.raises(ValidationFailed) as caught:
        operations.update_point(point, {"responsible": "李明"}, "  ")
    assert caught.value.details == {"reason": ["请填写修改原因"]}

    version = operations.update_point(
        point, {"responsible": "李明", "likelihood": 1}, "岗位调整", actor="discipline", today=DAY
    )
    db.session.commit()
    assert (version.number, point.version) == (2, 2)
    changed = {c["field"]: (c["before"], c["after"]) for c in version.changes}
    assert changed == {
        "responsible": ("张勇", "李明"),
        "likelihood": (3, 1),
        "level": ("高", "中"),  # 1 × 3
        # a new level is a new assessment: the review interval restarts from that day
        "next_review": (
            (DAY + timedelta(days=90)).isoformat(),
            (DAY + timedelta(days=180)).isoformat(),
        ),
    }
    summary = json.loads(audit_entries("risk_point.update")[0].summary)
    assert summary["reason"] == "岗位调整" and summary["version"] == 2
    assert {"field": "responsible", "before": "张勇", "after": "李明"} in summary["changes"]
    assert verify_chain()[1] is None


def test_a_change_that_changes_nothing_makes_no_version(bureau):
    point = make_point()
    assert operations.update_point(point, {"responsible": "张勇"}, "核对") is None
    with pytest.raises(ValidationFailed, match="没有需要保存的修改"):
        operations.change_point(point, {"responsible": "张勇"}, "核对")
    assert len(versions(point)) == 1


def test_measures_are_replaced_in_place_and_shown_in_the_diff(bureau):
    point = make_point()
    new = [
        {
            "text": "每月比对处罚结果",
            "owner": "李明",
            "deadline": date(2026, 12, 1),
            "status": "planned",
        },
        {"text": "执法记录仪抽查", "owner": "", "deadline": None, "status": "done"},
    ]
    version = operations.update_point(point, {"measures": new}, "补充措施")
    db.session.commit()
    assert [(m.position, m.text, m.status) for m in point.measures] == [
        (0, "每月比对处罚结果", "planned"),
        (1, "执法记录仪抽查", "done"),
    ]
    [change] = version.changes
    assert change["field"] == "measures"
    assert change["before"][0]["text"] == "全程佩戴执法记录仪"
    assert change["after"][1] == {
        "text": "执法记录仪抽查",
        "owner": "",
        "deadline": None,
        "status": "done",
    }


def test_a_stale_version_is_refused(bureau):
    point = make_point()
    operations.update_point(point, {"responsible": "李明"}, "调整")
    with pytest.raises(Conflict, match="第 2 版"):
        operations.update_point(point, {"responsible": "王芳"}, "调整", expected_version=1)


def test_two_active_points_cannot_share_unit_post_and_title(bureau):
    make_point()
    with pytest.raises(Conflict, match="已有同名风险点"):
        make_point()
    other = make_point(title="另一个风险点")
    with pytest.raises(Conflict):
        operations.update_point(other, {"title": "对占道经营选择性执法"}, "改名")


def test_retiring_needs_a_reason_keeps_the_point_and_freezes_it(bureau):
    point = make_point()
    with pytest.raises(ValidationFailed, match="停用原因"):
        operations.retire_point(point, "")
    operations.retire_point(point, "职权已划转", actor="discipline")
    db.session.commit()
    assert point_or_404(point.id, None).status == "retired"
    assert [v.action for v in versions(point)] == ["create", "retire"]
    assert versions(point)[-1].changes == [
        {"field": "status", "label": "状态", "before": "active", "after": "retired"}
    ]
    with pytest.raises(Conflict, match="已停用，不能修改"):
        operations.update_point(point, {"responsible": "李明"}, "调整")
    with pytest.raises(Conflict):
        operations.retire_point(point, "再停一次")
    with pytest.raises(Conflict):
        operations.record_review(point, "评估")
    # a retired point frees its name for a new registration
    assert make_point().id != point.id


def test_a_review_sets_the_next_review_from_the_review_day_and_level(bureau):
    point = make_point(today=DAY)
    operations.record_review(
        point, "维持原等级", reviewed_on=date(2026, 4, 1), today=DAY + timedelta(60)
    )
    assert point.last_reviewed == date(2026, 4, 1)
    assert point.next_review == date(2026, 4, 1) + timedelta(days=90)
    operations.record_review(
        point,
        "已整改，降低可能性",
        likelihood=1,
        impact=1,
        reviewed_on=date(2026, 5, 1),
        today=date(2026, 5, 2),
    )
    assert point.next_review == date(2026, 5, 1) + timedelta(days=360)  # now 低
    assert [v.action for v in versions(point)] == ["create", "review", "review"]
    assert versions(point)[-1].reason == "已整改，降低可能性"


def test_a_review_date_in_the_future_or_before_the_last_review_is_refused(bureau):
    point = make_point()
    today = clock.today()
    with pytest.raises(ValidationFailed, match="不能晚于今天"):
        operations.record_review(point, "评估", reviewed_on=today + timedelta(days=1))
    operations.record_review(point, "评估", reviewed_on=today)
    with pytest.raises(ValidationFailed, match="不能早于上次评估日期"):
        operations.record_review(point, "补记", reviewed_on=today - timedelta(days=3))
    with pytest.raises(ValidationFailed, match="评估意见"):
        operations.record_review(point, " ")


def test_levels_follow_the_matrix_in_force(bureau):
    point = make_point(likelihood=2, impact=2)
    assert current_matrix().level(2, 2) == "中"
    settings.change(
        MATRIX_KEY, [["低", "中", "高"], ["中", "高", "高"], ["高", "高", "高"]], "admin"
    )
    assert current_matrix().level(point.likelihood, point.impact) == "高"


def test_the_matrix_cannot_shrink_below_the_values_in_use(bureau):
    settings.change(
        MATRIX_KEY,
        [["低"] * 4, ["低", "中", "中", "中"], ["中", "中", "高", "高"], ["中", "高", "高", "高"]],
        "admin",
    )
    point = make_point(likelihood=4, impact=2)
    assert current_matrix().level(point.likelihood, point.impact) == "高"
    with pytest.raises(ValidationFailed, match="矩阵不能小于 4×4"):
        settings.change(MATRIX_KEY, [["低", "中"], ["中", "高"]], "admin")


def test_a_likelihood_outside_the_matrix_is_refused_naming_the_field(bureau):
    with pytest.raises(ValidationFailed) as caught:
        make_point(likelihood=5)
    assert list(caught.value.details) == ["likelihood"]
    assert "当前风险矩阵为 3×3" in caught.value.message
