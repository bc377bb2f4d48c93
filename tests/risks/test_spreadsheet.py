"""Excel round-trip: import all rows or none, every problem by row and column; safe export."""

import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from riskctl.core import settings
from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.core.errors import ValidationFailed
from riskctl.core.tabular.problems import ImportProblems
from riskctl.risks import operations
from riskctl.risks.exports import register_xlsx
from riskctl.risks.filters import RiskFilter
from riskctl.risks.imports.operations import import_register
from riskctl.risks.models import RiskMeasure, RiskPoint, RiskPointVersion
from riskctl.risks.rules import STYLE_GRADED, STYLE_KEY
from riskctl.risks.spreadsheet import HEADERS, format_measure, parse_measures
from tests.risks.conftest import make_point, row, xlsx


def problems_of(data, filename="登记表.xlsx"):
    with pytest.raises(ImportProblems) as caught:
        import_register(data, filename, reason="测试")
    return [(p.row, p.column, p.message) for p in caught.value.problems]


def count(model=RiskPoint) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_export_reimports_unchanged(bureau):
    tricky = make_point(
        title='<script>alert(1)</script><font color="red">罚款</font>',
        description='=HYPERLINK("http://x")',
        indicator="+1 次/月",
        measures=[
            {"text": "双人清点（试行）", "owner": "", "deadline": None},
            {"text": "-每月核对", "owner": "李明", "deadline": "2026-08-01", "status": "done"},
        ],
    )
    make_point(title="中风险", unit="ZD2-1", likelihood=2, impact=2, measures=[])
    data = register_xlsx(RiskFilter(), None)
    before = count(RiskPointVersion)
    result = import_register(data, "export.xlsx")
    assert (result.rows, result.created, result.updated, result.unchanged) == (2, 0, 0, 2)
    assert count(RiskPointVersion) == before
    assert db.session.get(RiskPoint, tricky.id).version == 1


def test_the_export_has_the_contract_columns_and_never_a_formula(bureau):
    make_point(title="=SUM(A1:A2)", description="@cmd")
    sheet = openpyxl.load_workbook(io.BytesIO(register_xlsx(RiskFilter(), None))).active
    assert [c.value for c in sheet[1]] == list(HEADERS)
    cells = {h: c for h, c in zip(HEADERS, sheet[2], strict=True)}
    assert cells["风险点"].value == "'=SUM(A1:A2)" and cells["风险点"].data_type == "s"
    assert cells["表现形式"].value == "'@cmd"
    assert cells["单位"].value == "市容秩序第一中队"
    assert cells["风险等级"].value == "高"
    assert (
        cells["防控措施"].value
        == "全程佩戴执法记录仪（责任人：张勇；完成时限：2099-09-30；状态：落实中）"
    )
    assert cells["下次评估日期"].is_date


def test_import_creates_points_with_versions_and_one_audit_entry(bureau):
    data = xlsx(
        row(),
        row(
            **{
                "风险点": "罚款截留",
                "可能性": 1,
                "影响程度": 2,
                "风险等级": "",
                "防控措施": "",
                "下次评估日期": "",
            }
        ),
    )
    result = import_register(data, "登记表.xlsx")
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    first = db.session.scalar(select(RiskPoint).where(RiskPoint.title == "选择性执法"))
    assert [(m.text, m.owner, m.deadline) for m in first.measures] == [
        ("全程记录", "张勇", date(2099, 9, 30))
    ]
    assert first.next_review == date(2026, 12, 31)
    versions = db.session.scalars(select(RiskPointVersion)).all()
    assert {(v.number, v.action, v.reason) for v in versions} == {(1, "import", "批量导入")}
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "risk_point.import"))
    assert '"created":[' in entry.summary and "sha256" in entry.summary


def test_import_updates_matching_points_with_a_reason_and_counts_them(bureau):
    kept = make_point(
        title="选择性执法",
        next_review="2026-12-31",
        measures=[{"text": "全程记录", "owner": "张勇", "deadline": "2099-09-30"}],
        description="对熟人不予查处",
        indicator="开启率",
    )
    changed = make_point(title="罚款截留")
    data = xlsx(row(), row(**{"风险点": "罚款截留", "责任人": "李明"}), row(**{"风险点": "新风险"}))
    preview = import_register(data, "x.xlsx", dry_run=True)
    assert (preview.created, preview.updated, preview.unchanged) == (1, 1, 1)
    with pytest.raises(ValidationFailed, match="将修改 1 个已有风险点"):
        import_register(data, "x.xlsx")
    result = import_register(data, "x.xlsx", reason="年度排查")
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    db.session.commit()
    assert db.session.get(RiskPoint, kept.id).version == 1
    point = db.session.get(RiskPoint, changed.id)
    assert (point.responsible, point.version) == ("李明", 2)
    latest = db.session.scalar(
        select(RiskPointVersion).where(
            RiskPointVersion.point_id == changed.id, RiskPointVersion.number == 2
        )
    )
    assert latest.reason == "年度排查"
    assert {
        "field": "responsible",
        "label": "责任人",
        "before": "张勇",
        "after": "李明",
    } in latest.changes


def test_a_dry_run_writes_nothing(bureau):
    import_register(xlsx(row()), "x.xlsx", dry_run=True)
    assert count() == 0 and count(RiskPointVersion) == 0


def test_every_bad_row_is_reported_by_row_and_column_and_nothing_is_written(bureau):
    data = xlsx(
        row(),
        row(**{"风险点": "甲", "可能性": 7}),
        row(**{"风险点": "乙", "单位": "不存在的中队", "下次评估日期": "2026-02-30"}),
        row(**{"风险点": "丙", "风险等级": "低"}),
        row(**{"风险点": "", "防控措施": "措施（完成时限：明天）"}),
        row(),
    )
    found = problems_of(data)
    assert (3, "可能性", "应为 1 到 3 之间的整数") in found
    assert (4, "单位", "单位“不存在的中队”不存在（填写单位全称或单位代码）") in found
    assert (4, "下次评估日期", "日期“2026-02-30”不存在") in found
    assert any(r == 5 and c == "风险等级" and "应为“高”" in m for r, c, m in found)
    assert (6, "风险点", "不能为空") in found
    assert any(r == 6 and c == "防控措施" and "明天" in m for r, c, m in found)
    assert (7, "风险点", "与第 2 行重复（单位、岗位、风险点都相同）") in found
    assert count() == 0


def test_missing_columns_are_named(bureau):
    headers = [h for h in HEADERS if h not in ("责任人", "监测指标")]
    with pytest.raises(ValidationFailed) as caught:
        import_register(xlsx(headers=headers), "x.xlsx")
    assert caught.value.details == {"file": ["缺少列：责任人、监测指标"]}


def test_merged_header_cells_an_extra_sheet_blank_rows_and_dates_of_every_kind(bureau):
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "填表说明"
    notes["A1"] = "风险等级由系统计算"
    sheet = book.create_sheet("登记表")
    sheet["A1"] = "2026 年度廉政风险点登记表"
    sheet.merge_cells("A1:O1")
    for index, header in enumerate(HEADERS, 1):
        sheet.cell(row=2, column=index, value=header)
    sheet.merge_cells("A2:A3")  # 单位 spans two header rows
    sheet.append([])
    values = [
        row(**{"风险点": "文本日期", "下次评估日期": "2026年12月31日"}),
        row(**{"风险点": "序列号日期", "下次评估日期": 46387}),
        row(**{"风险点": "日期单元格", "下次评估日期": date(2026, 12, 31)}),
    ]
    sheet.append(values[0])
    sheet.append([None] * 15)
    sheet.append(values[1])
    sheet.append(values[2])
    buffer = io.BytesIO()
    book.save(buffer)
    result = import_register(buffer.getvalue(), "登记表.xlsx")
    assert result.created == 3
    assert set(db.session.scalars(select(RiskPoint.next_review))) == {date(2026, 12, 31)}


def test_a_gbk_csv_imports(bureau):
    text = (
        ",".join(HEADERS)
        + "\r\n"
        + ",".join(f'"{v}"' if isinstance(v, str) else str(v) for v in row())
        + "\r\n"
    )
    result = import_register(text.encode("gbk"), "登记表.csv")
    assert result.created == 1
    assert db.session.scalar(select(RiskPoint.post)) == "现场执法岗"


def test_an_empty_or_foreign_file_is_refused_clearly(bureau):
    with pytest.raises(ValidationFailed, match="没有任何数据行"):
        import_register(xlsx(), "x.xlsx")
    with pytest.raises(ValidationFailed, match="不支持的文件类型"):
        import_register(b"hello", "x.pdf")
    with pytest.raises(ValidationFailed, match="无法读取"):
        import_register(b"not a zip", "x.xlsx")


def test_a_retired_point_is_not_revived_by_an_import(bureau):
    point = make_point(title="选择性执法")
    operations.retire_point(point, "职权划转")
    db.session.commit()
    [(number, column, message)] = problems_of(xlsx(row()))
    assert (number, column) == (2, "风险点") and "已停用" in message


def test_a_unit_can_be_given_by_code(bureau):
    import_register(xlsx(row(**{"单位": "ZD2-1"})), "x.xlsx")
    assert db.session.scalar(select(RiskPoint)).unit.code == "ZD2-1"
    assert count(RiskMeasure) == 1


def test_measure_lines_round_trip():
    measures = [
        {"text": "双人清点（试行）", "owner": "", "deadline": None, "status": "planned"},
        {"text": "每月核对", "owner": "李明", "deadline": date(2026, 8, 1), "status": "done"},
    ]
    cell = "\n".join(format_measure(m) for m in measures)
    assert cell == "双人清点（试行）\n每月核对（责任人：李明；完成时限：2026-08-01；状态：已落实）"
    assert parse_measures(cell) == measures
    assert parse_measures("1. 全程记录(负责人:张勇;期限:2026/9/30)\n\n2、复核") == [
        {"text": "全程记录", "owner": "张勇", "deadline": date(2026, 9, 30), "status": "planned"},
        {"text": "复核", "owner": "", "deadline": None, "status": "planned"},
    ]


def test_graded_labels_export_and_reimport_unchanged(bureau):
    settings.change(STYLE_KEY, STYLE_GRADED, "admin")
    make_point()
    data = register_xlsx(RiskFilter(), None)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.cell(row=2, column=HEADERS.index("风险等级") + 1).value == "一级"
    assert import_register(data, "x.xlsx").unchanged == 1
