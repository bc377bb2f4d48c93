"""The audit log page speaks Chinese: action names, people by name, filters by date."""

from __future__ import annotations

from riskctl.core import audit
from riskctl.core.db import db
from tests.conftest import csrf_token
from tests.factories import PASSWORD


def _signed_in(app, role: str):
    client = app.test_client()
    response = client.post(
        "/login", data={"username": role, "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302
    return client


def test_the_audit_log_names_actions_and_people_in_chinese_and_filters_by_group_and_date(
    app, bureau
):
    auditor = _signed_in(app, "discipline")  # reads the log and may open risk points
    audit.record("login.success", "user", "legal", {})
    audit.record("risk_point.create", "risk_point", "7", {"title": "x"})
    db.session.commit()
    page = auditor.get("/audit").get_data(as_text=True)
    assert "<td>登录成功</td>" in page and "<td>登记风险点</td>" in page
    assert "<td>login.success</td>" not in page and "<code>login.success</code>" not in page
    assert 'href="/risks/7"' in page
    only_logins = auditor.get("/audit?action=login").get_data(as_text=True)
    assert "<td>登录成功</td>" in only_logins and "<td>登记风险点</td>" not in only_logins
    future = auditor.get("/audit?from=2999-01-01").get_data(as_text=True)
    assert "没有符合当前筛选条件的审计记录" in future and "清除筛选" in future
    bad = auditor.get("/audit?from=2026-99-01")
    assert bad.status_code == 200 and "起始日期须为 年-月-日 格式" in bad.get_data(as_text=True)


def test_the_audit_log_sorts_the_action_column_by_its_chinese_name(app, bureau):
    from sqlalchemy import literal, select

    from riskctl.core.audit import labels

    keys = [
        *labels.ACTIONS,
        "review.reviewer_draw.third",
        "login_x.success",
        "leniencyXrecord.x",
        "nothing.known",
    ]
    in_sql = [db.session.scalar(select(labels.action_order(literal(k)))) for k in keys]
    assert in_sql == [labels.action_label(k) for k in keys]
    auditor = _signed_in(app, "discipline")
    for action in ("login.success", "user.create", "logout"):  # key order ≠ name order
        audit.record(action, "user", "legal", {})
    db.session.commit()

    def names(query: str) -> list[str]:
        page = auditor.get(f"/audit?per_page=200&{query}").get_data(as_text=True)
        shown = [n for n in ("新建用户", "登录成功", "退出登录") if f"<td>{n}</td>" in page]
        return sorted(shown, key=lambda n: page.index(f"<td>{n}</td>"))

    assert names("sort=action&dir=asc") == ["新建用户", "登录成功", "退出登录"]
    assert names("sort=action&dir=desc") == ["退出登录", "登录成功", "新建用户"]
