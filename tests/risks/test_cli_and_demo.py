"""``flask risks overdue`` for cron, and the demo loader."""

from sqlalchemy import func, select

from riskctl.core.audit import verify_chain
from riskctl.core.db import db
from riskctl.risks.demo import load_demo
from riskctl.risks.models import RiskPoint, RiskPointVersion
from tests.risks.conftest import make_point


def test_overdue_command_lists_reviews_and_measures_as_of_a_day(app, bureau):
    make_point(
        title="审批拖延",
        next_review="2026-05-20",
        measures=[{"text": "当日上缴", "owner": "刘洋", "deadline": "2026-05-15"}],
    )
    make_point(title="按期", next_review="2026-12-01", measures=[])
    result = app.test_cli_runner().invoke(args=["risks", "overdue", "--date", "2026-06-01"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "截至 2026-06-01：评估逾期 1 个风险点，措施逾期 1 条"
    assert "[评估逾期]" in lines[1] and "“审批拖延” 应于 2026-05-20 评估，逾期 12 天" in lines[1]
    assert (
        "[措施逾期]" in lines[2] and "措施“当日上缴” 应于 2026-05-15 完成，逾期 17 天" in lines[2]
    )
    assert "按期" not in result.output


def test_overdue_command_says_when_nothing_is_overdue(app, bureau):
    result = app.test_cli_runner().invoke(args=["risks", "overdue"])
    assert result.exit_code == 0 and "评估逾期 0 个风险点，措施逾期 0 条" in result.output


def test_demo_register_loads_once_with_history(bureau):
    assert "风险点" in load_demo()
    db.session.commit()
    points = db.session.scalar(select(func.count(RiskPoint.id)))
    versions = db.session.scalar(select(func.count(RiskPointVersion.id)))
    assert points >= 8 and versions > points  # edits, reviews and a retirement
    assert load_demo() is None
    assert db.session.scalar(select(func.count(RiskPoint.id))) == points
    assert verify_chain()[1] is None
