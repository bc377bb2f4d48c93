"""``flask units …`` and ``flask users …``."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from riskctl.accounts import login, operations
from riskctl.accounts.queries import tokens_of, user_by_username
from riskctl.accounts.roles import ALL_ROLES
from riskctl.core import clock
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


@users_cli.command("tokens")
@click.argument("name")
def list_tokens(name: str) -> None:
    """列出用户 NAME 的 API 令牌（编号、开头几位、签发与到期时间、状态）。"""
    user = user_by_username(name)
    if user is None:
        raise click.ClickException(f"用户 {name} 不存在")
    rows = tokens_of(user)
    if not rows:
        click.echo(f"用户 {name} 没有 API 令牌")
    for row in rows:
        click.echo(
            f"{row.id:>6}  {row.hint}…  签发 {clock.display(row.created_at)}  "
            f"到期 {clock.display(row.expires_at)}  {row.state}"
        )


@users_cli.command("revoke-token")
@click.argument("token_id", type=int)
def revoke_token(token_id: int) -> None:
    """吊销编号为 TOKEN_ID 的 API 令牌，立即失效。"""
    row = run_command(lambda: operations.revoke_token(token_id, "system"))
    click.echo(f"已吊销用户 {row.user.username} 的 API 令牌 {row.id}（{row.hint}…）")


@users_cli.command("reset-password")
@click.argument("name")
def reset_password(name: str) -> None:
    """重置用户 NAME 的密码：打印一次性临时密码，其所有登录立即失效，下次登录须先改密码。"""
    _, password = run_command(lambda: operations.reset_password(name))
    click.echo(f"用户 {name} 的临时密码（只显示这一次）：{password}")


@users_cli.command("unlock")
@click.argument("name")
@click.option("--address", is_flag=True, help="NAME 是客户端地址而不是账号")
def unlock(name: str, address: bool) -> None:
    """提前解除账号（或 --address 地址）NAME 的登录锁定。"""
    lifted = run_command(lambda: login.unlock("address" if address else "account", name))
    click.echo(f"已解除 {name} 的登录锁定" if lifted else f"{name} 当前没有被锁定")
