"""``flask demo``: a realistic demo bureau, loaded idempotently.

The foundation loads the unit tree and one user per role; each module registers a
loader for its own demo records with :func:`riskctl.core.contributions.register_demo`.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from riskctl.accounts import operations
from riskctl.accounts.models import Unit
from riskctl.accounts.queries import user_by_username
from riskctl.core import contributions
from riskctl.core.db import db

UNITS = [
    ("JU", "市城市管理综合执法局", None, "bureau"),
    ("JW", "机关纪委", "JU", "office"),
    ("FZK", "法制科", "JU", "office"),
    ("BGS", "办公室", "JU", "office"),
    ("ZD1", "市容秩序执法支队", "JU", "detachment"),
    ("ZD1-1", "市容秩序第一中队", "ZD1", "squad"),
    ("ZD1-2", "市容秩序第二中队", "ZD1", "squad"),
    ("ZD2", "环境卫生执法支队", "JU", "detachment"),
    ("ZD2-1", "环境卫生第一中队", "ZD2", "squad"),
    ("ZD3", "园林绿化执法支队", "JU", "detachment"),
    ("ZD3-1", "园林绿化第一中队", "ZD3", "squad"),
]
USERS = [
    ("admin", "系统管理员", "admin", "BGS"),
    ("jiwei", "纪委 王洁", "discipline", "JW"),
    ("fazhi", "法制科 李法", "legal", "FZK"),
    ("duiyuan", "一中队 张勇", "officer", "ZD1-1"),
    ("lingdao", "局长 陈明", "leader", "JU"),
    ("shenji", "审计管理员 周审", "auditor", "BGS"),
]


def load_units_and_users() -> list[tuple[str, str, str]]:
    for code, name, parent, kind in UNITS:
        if not db.session.query(Unit.id).filter_by(code=code).first():
            operations.create_unit(code, name, parent, kind)
    created = []
    for username, display, role, unit in USERS:
        if user_by_username(username) is None:
            password = operations.generate_password()
            operations.create_user(username, display, role, password, unit)
            created.append((username, role, password))
    return created


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """载入演示数据（可重复执行，不会重复创建）。"""
    created = load_units_and_users()
    db.session.commit()
    for _, name, loader in contributions.demo_loaders():
        line = loader()
        db.session.commit()
        if line:
            click.echo(f"{name}：{line}")
    if created:
        lines = [f"  {u:<10} {r:<11} {p}" for u, r, p in created]
        text = "演示账号（密码仅显示这一次，另存于 instance/demo-credentials.txt）：\n" + "\n".join(
            lines
        )
        click.echo(text)
        path = Path(current_app.instance_path) / "demo-credentials.txt"
        path.write_text(text + "\n", encoding="utf-8")
        path.chmod(0o600)
    else:
        click.echo("演示单位与账号已存在，未重复创建。")
