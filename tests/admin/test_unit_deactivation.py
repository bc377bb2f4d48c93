"""Deactivating a unit (停用单位): refused while it has people or sub-units in use; once
deactivated it keeps its history but takes no new user, record or quota; audited."""

from __future__ import annotations

import html
import io

import pytest
from sqlalchemy import select

from riskctl.accounts.models import Unit, User
from riskctl.admin import operations
from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.core.errors import Conflict, ValidationFailed
from riskctl.rectification import operations as rectification
from tests.conftest import csrf_token
from tests.factories import PASSWORD
from tests.inspections.conftest import TARGET_HEADER, csv_bytes, target_row


def _unit(code: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def _unit_actions() -> list[str]:
    """The audit log's entries about units, oldest first."""
    return db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "unit").order_by(AuditEntry.seq)
    ).all()


def _post(client, url: str, data: dict):
    return client.post(url, data={**data, "csrf_token": csrf_token(client)})


def _message(exc: pytest.ExceptionInfo) -> str:
    return "；".join(m for v in exc.value.details.values() for m in v)


def _empty_squad(bureau) -> Unit:
    """ZD1-2 with a former officer (stopped): nothing in use under it any more."""
    squad = _unit("ZD1-2")
    db.session.add(
        User(
            username="former",
            display_name="前队员",
            role="officer",
            unit=squad,
            password_hash="x",
            active=False,
        )
    )
    db.session.flush()
    return squad


def test_a_unit_with_people_or_sub_units_in_use_is_not_deactivated(bureau):
    db.session.add(
        User(
            username="zhang2",
            display_name="张二",
            role="officer",
            unit=_unit("ZD1-2"),
            password_hash="x",
        )
    )
    db.session.flush()
    with pytest.raises(Conflict) as people:
        operations.set_unit_active("ZD1-2", False)
    assert (
        _message(people)
        == "不能停用“市容秩序第二中队”：还有 1 名在用人员（张二），请先停用或改派到其他单位"
    )
    with pytest.raises(Conflict) as children:
        operations.set_unit_active("ZD1", False)
    assert (
        "还有 2 个在用的下级单位（市容秩序第一中队、市容秩序第二中队），请先停用下级单位"
        in _message(children)
    )
    assert _unit("ZD1-2").active and _unit("ZD1").active


def test_deactivation_is_audited_and_the_unit_takes_nothing_new(login, bureau):
    squad = _empty_squad(bureau)
    admin = login("admin")
    response = _post(admin, f"/admin/units/{squad.id}/active", {"active": "0"})
    assert response.status_code == 302
    db.session.expire_all()
    assert _unit("ZD1-2").active is False
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert (entry.action, entry.object_id, entry.actor) == ("unit.deactivate", "ZD1-2", "admin")
    page = html.unescape(admin.get("/admin/units").get_data(as_text=True))
    assert "已停用单位 市容秩序第二中队" in page and "已停用" in page

    # No new user, in the form or the API.
    created = _post(
        admin,
        "/admin/users",
        {
            "username": "li",
            "display_name": "李四",
            "role": "officer",
            "unit": "ZD1-2",
            "password": PASSWORD,
        },
    )
    assert created.status_code == 422
    assert "单位“市容秩序第二中队”已停用，不能再分配新的人员、记录或抽查配额" in html.unescape(
        created.get_data(as_text=True)
    )
    assert db.session.scalar(select(User).where(User.username == "li")) is None
    # The new-user form offers only units in use.
    assert (
        'value="ZD1-2"'
        not in admin.get("/admin/users").get_data(as_text=True).split('id="new-user"')[1]
    )

    # No new record: a rectification item for it is refused.
    with pytest.raises(ValidationFailed) as item:
        rectification.open_item("warning", "W-1", "整改", squad.id, None, 10, "", "legal")
    assert "已停用" in _message(item)

    # Its stopped officer cannot be reactivated into it.
    officer = db.session.scalar(select(User).where(User.username == "former"))
    again = _post(admin, f"/admin/users/{officer.id}/active", {"active": "1"})
    assert again.status_code == 302
    assert "请先启用该单位，或把用户改到其他单位" in html.unescape(
        admin.get("/admin/users").get_data(as_text=True)
    )


def test_a_deactivated_parent_blocks_new_children_and_reactivation_below_it(bureau):
    _empty_squad(bureau)
    for user in db.session.scalars(select(User).where(User.unit_id == _unit("ZD1-1").id)):
        user.active = False
    operations.set_unit_active("ZD1-1", False)
    operations.set_unit_active("ZD1-2", False)
    operations.set_unit_active("ZD1", False)
    with pytest.raises(Conflict) as child:
        operations.set_unit_active("ZD1-1", True)
    assert _message(child) == "上级单位“市容秩序执法支队”已停用：请先启用上级单位"
    operations.set_unit_active("ZD1", True)
    operations.set_unit_active("ZD1-1", True)
    assert _unit("ZD1").active and _unit("ZD1-1").active and not _unit("ZD1-2").active
    assert _unit_actions()[-5:] == ["unit.deactivate"] * 3 + ["unit.activate"] * 2


def test_quotas_and_plans_refuse_a_deactivated_unit(api, bureau):
    _empty_squad(bureau)
    operations.set_unit_active("ZD1-2", False)
    db.session.commit()
    from riskctl.reviews.operations import _check_quotas

    with pytest.raises(ValidationFailed) as quota:
        _check_quotas({"ZD1-1": 2, "ZD1-2": 1})
    assert _message(quota) == "单位“市容秩序第二中队”已停用，不能再分配抽取件数"
    assert _check_quotas({"ZD1-1": 2, "ZD1-2": 0}) == {"ZD1-1": 2}


def test_a_roster_row_naming_a_deactivated_unit_is_refused_by_row(login, bureau):
    _empty_squad(bureau)
    operations.set_unit_active("ZD1-2", False)
    db.session.commit()
    client = login("legal")
    rows = [
        target_row(0, unit="ZD1-1"),
        target_row(1, unit="ZD1-2"),
        target_row(2, unit="市容秩序第二中队"),
    ]
    shown = client.post(
        "/inspections/targets/import",
        content_type="multipart/form-data",
        data={
            "file": (io.BytesIO(csv_bytes(TARGET_HEADER, rows)), "名录.csv"),
            "csrf_token": csrf_token(client),
        },
    )
    assert shown.status_code == 422
    page = html.unescape(shown.get_data(as_text=True))
    assert page.count("单位“市容秩序第二中队”已停用，不能再分配新的记录") == 2
    assert "未导入任何数据" in page


def test_the_api_deactivates_and_reactivates_a_unit_as_the_page_does(api, bureau):
    _empty_squad(bureau)
    db.session.commit()
    admin = api("admin")
    # In use: 409 with the page's Chinese reason, nothing changes.
    refused = admin.post("/api/v1/units/ZD1-1/deactivate")
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "conflict"
    assert error["message"].startswith("不能停用“市容秩序第一中队”：还有")
    assert "名在用人员" in error["message"] and error["details"]["active"] == [error["message"]]
    db.session.expire_all()
    assert _unit("ZD1-1").active
    # Only the administrator; an unknown code is a 404.
    assert api("legal").post("/api/v1/units/ZD1-2/deactivate").status_code == 403
    assert api("auditor").post("/api/v1/units/ZD1-2/reactivate").status_code == 403
    missing = admin.post("/api/v1/units/NOPE/deactivate")
    assert (
        missing.status_code == 404 and "单位 NOPE 不存在" in missing.get_json()["error"]["message"]
    )
    # Deactivated, audited through the same operation, under the token's user.
    done = admin.post("/api/v1/units/ZD1-2/deactivate")
    assert done.status_code == 200
    assert done.get_json() == {
        "code": "ZD1-2",
        "name": "市容秩序第二中队",
        "kind": _unit("ZD1-2").kind,
        "parent": "ZD1",
        "active": False,
    }
    db.session.expire_all()
    assert _unit("ZD1-2").active is False
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert (entry.action, entry.object_id, entry.actor) == ("unit.deactivate", "ZD1-2", "admin")
    # A unit under a deactivated parent is refused its reactivation (409), then allowed.
    for user in db.session.scalars(select(User).where(User.unit_id == _unit("ZD1-1").id)):
        user.active = False
    db.session.commit()
    assert admin.post("/api/v1/units/ZD1-1/deactivate").status_code == 200
    assert admin.post("/api/v1/units/ZD1/deactivate").status_code == 200
    blocked = admin.post("/api/v1/units/ZD1-2/reactivate")
    assert blocked.status_code == 409
    assert (
        blocked.get_json()["error"]["message"]
        == "上级单位“市容秩序执法支队”已停用：请先启用上级单位"
    )
    assert admin.post("/api/v1/units/ZD1/reactivate").get_json()["active"] is True
    again = admin.post("/api/v1/units/ZD1-2/reactivate")
    assert again.status_code == 200 and again.get_json()["active"] is True
    assert _unit_actions()[-5:] == ["unit.deactivate"] * 3 + ["unit.activate"] * 2
