"""`flask demo` loads a demo bureau once; running it again adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from riskctl.accounts.models import Unit, User
from riskctl.core.audit import verify_chain
from riskctl.core.db import db


def _counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Unit)),
        db.session.scalar(select(func.count()).select_from(User)),
    )


def test_demo_is_idempotent_and_prints_passwords_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "密码仅显示这一次" in first.output
    counts = _counts()
    assert counts[0] >= 10 and counts[1] >= 5
    assert {u.role for u in db.session.scalars(select(User))} == {
        "admin",
        "discipline",
        "legal",
        "officer",
        "leader",
        "auditor",
    }

    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert "未重复创建" in second.output and "密码仅显示这一次" not in second.output
    assert _counts() == counts
    assert verify_chain()[1] is None


def test_demo_passwords_sign_in(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    line = next(line for line in result.output.splitlines() if line.strip().startswith("fazhi"))
    password = line.split()[-1]
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        response = client.post("/login", data={"username": "fazhi", "password": password})
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert response.status_code == 302
    assert "工作台" in client.get("/").get_data(as_text=True)
