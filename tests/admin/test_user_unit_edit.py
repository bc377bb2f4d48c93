"""The administrator edits users (name, role, unit) and units (rename, move), audited."""

from __future__ import annotations

from sqlalchemy import select

from riskctl.accounts.models import Unit, User
from riskctl.accounts.queries import subtree_ids
from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from tests.conftest import csrf_token


def _post(client, url: str, data: dict):
    return client.post(url, data={**data, "csrf_token": csrf_token(client)})


def _last_audit() -> AuditEntry:
    return db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def test_the_admin_changes_a_users_name_role_and_unit_and_it_is_audited(login, bureau):
    admin = login("admin")
    legal = _user("legal")
    page = admin.get(f"/admin/users/{legal.id}/edit").get_data(as_text=True)
    assert 'value="legal"' in page  # the current name is filled in
    response = _post(
        admin,
        f"/admin/users/{legal.id}/edit",
        {"display_name": "李新名", "role": "officer", "unit": "ZD1-2"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    legal = _user("legal")
    assert (legal.display_name, legal.role, legal.unit.code) == ("李新名", "officer", "ZD1-2")
    entry = _last_audit()
    assert (entry.action, entry.object_id) == ("user.update", "legal")
    assert "李新名" in admin.get("/admin/users").get_data(as_text=True)


def test_an_officer_without_a_unit_is_refused_and_the_form_keeps_its_input(login, bureau):
    admin = login("admin")
    leader = _user("leader")
    response = _post(
        admin,
        f"/admin/users/{leader.id}/edit",
        {"display_name": "新名字", "role": "officer", "unit": ""},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "执法队员必须指定所属单位" in page and 'value="新名字"' in page
    assert '<option value="officer" selected>' in page
    db.session.expire_all()
    assert _user("leader").role == "leader"


def test_the_admin_cannot_change_their_own_role_nor_edit_the_auditor(login, bureau):
    admin = login("admin")
    me = _user("admin")
    response = _post(
        admin, f"/admin/users/{me.id}/edit", {"display_name": "管理", "role": "legal", "unit": ""}
    )
    assert response.status_code == 422 and "不能修改自己的角色" in response.get_data(as_text=True)
    auditor = _user("auditor")
    assert admin.get(f"/admin/users/{auditor.id}/edit").status_code == 404
    assert login("legal").get(f"/admin/users/{me.id}/edit").status_code == 403


def test_a_unit_is_renamed_and_moved_with_its_sub_units_and_the_scope_follows(login, bureau):
    admin = login("admin")
    squad = db.session.scalar(select(Unit).where(Unit.code == "ZD1-1"))
    response = _post(
        admin, f"/admin/units/{squad.id}/edit", {"name": "市容秩序一中队", "parent": "ZD2"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    squad = db.session.scalar(select(Unit).where(Unit.code == "ZD1-1"))
    assert (squad.name, squad.parent.code, squad.path) == (
        "市容秩序一中队",
        "ZD2",
        "/JU/ZD2/ZD1-1/",
    )
    entry = _last_audit()
    assert (entry.action, entry.object_id) == ("unit.update", "ZD1-1")
    zd2 = db.session.scalar(select(Unit).where(Unit.code == "ZD2"))
    assert squad.id in subtree_ids(zd2)
    zd1 = db.session.scalar(select(Unit).where(Unit.code == "ZD1"))
    assert squad.id not in subtree_ids(zd1)


def test_a_unit_cannot_move_under_itself_and_keeps_the_input(login, bureau):
    admin = login("admin")
    detachment = db.session.scalar(select(Unit).where(Unit.code == "ZD1"))
    response = _post(
        admin, f"/admin/units/{detachment.id}/edit", {"name": "改了的名字", "parent": "ZD1-1"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "不能把市容秩序执法支队移到它自己或它的下级单位之下" in page
    assert 'value="改了的名字"' in page
    db.session.expire_all()
    assert db.session.scalar(select(Unit.path).where(Unit.code == "ZD1-1")) == "/JU/ZD1/ZD1-1/"


def test_the_audit_log_exports_its_filtered_entries_with_formulas_escaped(login, bureau):
    import csv
    import io

    from openpyxl import load_workbook

    from riskctl.accounts import operations as accounts
    from tests.factories import PASSWORD

    accounts.create_user("evil", "=1+2", "admin", PASSWORD, None)
    db.session.commit()
    _post(login("evil"), "/admin/units", {"code": "EVIL", "name": "测试单位", "parent": "JU"})
    auditor = login("auditor")
    page = auditor.get("/audit").get_data(as_text=True)
    assert "/audit/export.csv" in page and "/audit/export.xlsx" in page
    response = auditor.get("/audit/export.csv?object_type=unit&object_id=EVIL")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["序号", "时间（北京时间）", "操作人", "操作"]
    assert len(rows) == 2 and rows[1][3] == "新建单位" and rows[1][5] == "EVIL"
    assert rows[1][2] == "'=1+2（evil）"  # a spreadsheet would run it: escaped
    book = load_workbook(io.BytesIO(auditor.get("/audit/export.xlsx?object_id=EVIL").data))
    values = [[c.value for c in row] for row in book.active.iter_rows()]
    assert values[0][3] == "操作" and len(values) == 2
    assert values[1][2] == "'=1+2（evil）"
    assert login("admin").get("/audit/export.csv").status_code == 403
    assert auditor.get("/audit/export.pdf").status_code == 404
    assert auditor.get("/audit/export.csv?from=bad").status_code == 302
