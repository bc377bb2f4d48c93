"""``flask units …`` and ``flask users …``."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from riskctl.accounts import operations
from riskctl.core.auth.policy import ALL_ROLES
from riskctl.core.cli import run_command

units_cli = AppGroup("units", help="单位管理（局 → 科室/支队 → 中队）")
users_cli = AppGroup("users", help="用户与 API 令牌")


@units_cli.command("create")
@click.argument("code")
@click.argument("name")
@click.option("--parent", "parent", default=None, help="上级单位代码")
@click.option("--kind", default=None, help="bureau / office / detachment / squad")
def create_unit(code: str, name: str, parent: str | None, kind: str | None) -> None:
    """新建单位 CODE NAME。"""
    unit = run_command(lambda: operations.create_unit(code, name, parent, kind))
    click.echo(f"已创建单位 {unit.code} {unit.name}")


@users_cli.command("create")
@click.argument("name")
@click.option("--role", required=True, help=f"角色：{', '.join(ALL_ROLES)}")
@click.option("--unit", "unit", default=None, help="所属单位代码（执法队员必填）")
@click.option("--display-name", default=None, help="姓名")
def create_user(name: str, role: str, unit: str | None, display_name: str | None) -> None:
    """新建用户 NAME；密码从标准输入读取（一行）。"""
    if sys.stdin.isatty():
        password = click.prompt("密码", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    user = run_command(
        lambda: operations.create_user(name, display_name or name, role, password, unit)
    )
    click.echo(f"已创建用户 {user.username}（{user.role}）")


@users_cli.command("token")
@click.argument("name")
def token(name: str) -> None:
    """为用户 NAME 生成新的 API 令牌（只显示一次，数据库中仅存哈希）。"""
    click.echo(run_command(lambda: operations.issue_token(name)))
