"""一单两库: roster import (all rows or none, every problem by row and column) and export."""

from __future__ import annotations

import codecs

from sqlalchemy import func, select

from riskctl.core import storage
from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.core.tabular.writing import write_xlsx
from riskctl.inspections.models import Inspector, RosterImport, Target
from riskctl.inspections.rosters import imports as rosters
from tests.inspections.conftest import (
    INSPECTOR_HEADER,
    TARGET_HEADER,
    credit_code,
    csv_bytes,
    inspector_row,
    target_row,
    targets_csv,
    upload,
)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _target(code: str) -> Target:
    return db.session.scalar(select(Target).where(Target.code == code))


def _problems(response) -> list[tuple[int, str, str]]:
    rows = response.get_json()["error"]["details"]["rows"]
    return [(p["row"], p["column"], p["message"]) for p in rows]


def test_a_csv_roster_is_imported_with_every_column(api, bureau, app):
    response = upload(api("legal"), "targets", targets_csv(30))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["rows"], body["created"], body["updated"], body["missing"]) == (30, 30, 0, 0)
    target = _target("T00007")
    assert target.name == "新华路商户00007"
    assert target.credit_code == credit_code(7)
    assert (target.kind, target.credit_class, target.unit.code) == ("enterprise", "C", "ZD1-2")
    assert target.active and not target.closed
    record = db.session.get(RosterImport, body["import_id"])
    assert (record.roster, record.rows, record.imported_by) == ("targets", 30, "legal")
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "inspection.targets.import")
    )
    assert entry.actor == "legal" and record.sha256 in entry.summary
    assert record.size == len(targets_csv(30))
    assert storage.read(rosters.archive_ref(record)) == targets_csv(30)


def test_gbk_and_bom_files_read_the_same_chinese(api, bureau):
    rows = [target_row(1), target_row(2)]
    gbk = csv_bytes(TARGET_HEADER, rows, encoding="gbk")
    assert upload(api("legal"), "targets", gbk).status_code == 200
    assert _target("T00001").name == "新华路商户00001"
    bom = codecs.BOM_UTF8 + csv_bytes(TARGET_HEADER, [target_row(3)])
    response = upload(api("legal"), "targets", bom, deactivate_missing="0")
    assert response.status_code == 200, response.get_json()
    assert _target("T00003").unit.code == "ZD1-1"


def test_an_xlsx_roster_is_imported(api, bureau):
    data = write_xlsx(TARGET_HEADER, [target_row(i) for i in range(5)], "检查对象名录库")
    response = upload(api("legal"), "targets", data, filename="名录.xlsx")
    assert response.status_code == 200, response.get_json()
    assert _count(Target) == 5


def test_duplicate_ids_tabs_and_trailing_spaces_are_reported_and_nothing_is_written(api, bureau):
    rows = [target_row(i) for i in range(4)]
    rows[2][0] = "T00000"  # duplicate of row 2 (header is row 1)
    rows[1][0] = "T\t0001"
    rows[3][0] = "T00003 "
    response = upload(api("legal"), "targets", csv_bytes(TARGET_HEADER, rows))
    assert response.status_code == 422
    problems = _problems(response)
    assert (3, "对象编号", "对象编号“T\t0001”含有制表符，请删除后重试") in problems
    assert (4, "对象编号", "对象编号“T00000”与第 2 行重复") in problems
    assert (5, "对象编号", "对象编号“T00003”首尾含有空格，请删除后重试") in problems
    assert response.get_json()["error"]["message"] == "共 3 处问题，未导入任何数据"
    assert _count(Target) == 0 and _count(RosterImport) == 0


def test_a_wrong_check_character_refuses_the_row(api, bureau):
    rows = [target_row(1), target_row(2)]
    good = rows[1][2]
    rows[1][2] = good[:17] + ("0" if good[17] != "0" else "1")
    response = upload(api("legal"), "targets", csv_bytes(TARGET_HEADER, rows))
    assert response.status_code == 422
    [(row, column, message)] = _problems(response)
    assert (row, column) == (3, "统一社会信用代码")
    assert "校验位错误" in message and f"应为 {good[17]}" in message
    assert _count(Target) == 0


def test_every_bad_cell_is_reported_at_once(api, bureau):
    rows = [target_row(i) for i in range(3)]
    rows[0][3] = "工厂"
    rows[1][5] = "E"
    rows[2][6] = "ZD9"
    rows[2][1] = ""
    response = upload(api("legal"), "targets", csv_bytes(TARGET_HEADER, rows))
    problems = _problems(response)
    assert [(r, c) for r, c, _ in problems] == [
        (2, "对象类型"),
        (3, "信用风险等级"),
        (4, "对象名称"),
        (4, "主管单位"),
    ]
    assert "“工厂”不是可选值" in problems[0][2]
    assert problems[3][2] == "单位“ZD9”不存在"


def test_a_file_without_a_required_column_names_it(api, bureau):
    data = csv_bytes(TARGET_HEADER[:-1], [target_row(1)[:-1]])
    response = upload(api("legal"), "targets", data)
    assert response.status_code == 422
    assert "缺少列：主管单位" in response.get_json()["error"]["message"]


def test_reimport_updates_by_id_and_asks_before_deactivating(api, bureau):
    client = api("legal")
    assert upload(client, "targets", targets_csv(5)).status_code == 200
    rows = [target_row(i) for i in range(1, 5)] + [target_row(9)]
    rows[0][1] = "新华路商户（已更名）"
    data = csv_bytes(TARGET_HEADER, rows)

    asked = upload(client, "targets", data)
    assert asked.status_code == 409
    error = asked.get_json()["error"]
    assert "1 个检查对象不在本次文件中" in error["message"]
    assert error["details"]["missing"] == {
        "total": 1,
        "sample": [{"code": "T00000", "name": "新华路商户00000"}],
    }
    assert _target("T00001").name == "新华路商户00001" and _target("T00009") is None

    kept = upload(client, "targets", data, deactivate_missing="0").get_json()
    assert (kept["created"], kept["updated"], kept["unchanged"], kept["kept_missing"]) == (
        1,
        1,
        3,
        1,
    )
    assert _target("T00000").active and _target("T00001").name == "新华路商户（已更名）"

    removed = upload(client, "targets", data, deactivate_missing="1").get_json()
    assert (removed["created"], removed["updated"], removed["deactivated"]) == (0, 0, 1)
    assert not _target("T00000").active

    back = upload(client, "targets", targets_csv(1), deactivate_missing="0").get_json()
    assert back["reactivated"] == 1 and _target("T00000").active


def test_inspector_roster_import_and_its_checks(api, bureau):
    rows = [inspector_row(i) for i in range(4)]
    rows[3][5] = "停用"
    client = api("legal")
    response = upload(client, "inspectors", csv_bytes(INSPECTOR_HEADER, rows))
    assert response.status_code == 200, response.get_json()
    people = {i.code: i for i in db.session.scalars(select(Inspector))}
    assert people["ZF-0003"].active is False and people["ZF-0001"].unit.code == "ZD1-2"

    clash = [inspector_row(i) for i in range(4)] + [inspector_row(7)]
    clash[4][2] = clash[0][2]
    clash[1][5] = "休假"
    problems = _problems(upload(client, "inspectors", csv_bytes(INSPECTOR_HEADER, clash)))
    assert (3, "状态", "“休假”不是可选值，应为以下之一：在岗、停用") in problems
    assert any(r == 6 and c == "执法证号" and "与第 2 行重复" in m for r, c, m in problems)


def test_a_licence_held_by_someone_outside_the_file_is_refused(api, bureau):
    client = api("legal")
    assert (
        upload(client, "inspectors", csv_bytes(INSPECTOR_HEADER, [inspector_row(1)])).status_code
        == 200
    )
    newcomer = inspector_row(2)
    newcomer[2] = inspector_row(1)[2]
    response = upload(
        client, "inspectors", csv_bytes(INSPECTOR_HEADER, [newcomer]), deactivate_missing="0"
    )
    assert _problems(response) == [(2, "执法证号", f"执法证号“{newcomer[2]}”已属于人员 ZF-0001")]


def test_an_export_reimports_unchanged(api, bureau):
    client = api("legal")
    upload(client, "targets", targets_csv(12))
    exported = client.get("/api/v1/inspection/targets/export.csv")
    assert exported.status_code == 200
    again = upload(client, "targets", exported.data, filename="export.csv").get_json()
    assert (again["unchanged"], again["created"], again["updated"]) == (12, 0, 0)
    xlsx = client.get("/api/v1/inspection/targets/export.xlsx")
    assert upload(client, "targets", xlsx.data, filename="e.xlsx").get_json()["unchanged"] == 12


def test_only_the_legal_office_imports(api, bureau):
    for role in ("officer", "leader", "discipline", "admin"):
        assert upload(api(role), "targets", targets_csv(1)).status_code == 403


def test_officers_see_only_their_units_targets(api, bureau):
    upload(api("legal"), "targets", targets_csv(9))
    listed = api("officer").get("/api/v1/inspection/targets?per_page=50").get_json()
    assert listed["total"] == 3
    assert {t["unit"] for t in listed["items"]} == {"ZD1-1"}
    assert api("leader").get("/api/v1/inspection/targets").get_json()["total"] == 9


def test_search_finds_by_name_and_credit_code(api, bureau):
    upload(api("legal"), "targets", targets_csv(20))
    found = api("legal").get(f"/api/v1/inspection/targets?q={credit_code(13)}").get_json()
    assert [t["code"] for t in found["items"]] == ["T00013"]
    by_class = api("legal").get("/api/v1/inspection/targets?class=D").get_json()
    assert {t["credit_class"] for t in by_class["items"]} == {"D"} and by_class["total"] == 2


def test_the_command_line_imports_a_huge_file_and_asks_about_missing_rows(app, bureau, tmp_path):
    path = tmp_path / "名录.csv"
    path.write_bytes(targets_csv(5))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["inspection", "import-targets", str(path)])
    assert first.exit_code == 0, first.output
    assert "新增 5" in first.output and _count(Target) == 5
    path.write_bytes(targets_csv(3))
    asked = runner.invoke(args=["inspection", "import-targets", str(path)])
    assert asked.exit_code == 1
    assert "2 个检查对象不在本次文件中" in asked.output and "T00003 新华路商户00003" in asked.output
    removed = runner.invoke(
        args=["inspection", "import-targets", str(path), "--missing", "deactivate"]
    )
    assert removed.exit_code == 0 and "移出 2" in removed.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(TARGET_HEADER, [target_row(1), target_row(1)]))
    refused = runner.invoke(args=["inspection", "import-targets", str(bad), "--missing", "keep"])
    assert refused.exit_code == 1 and "第 3 行 [对象编号]" in refused.output
