"""``flask --app wsgi reports issue YEAR QUARTER``: issue a quarterly report from the shell."""

from __future__ import annotations

import getpass

import click
from flask.cli import AppGroup

from riskctl.accounts.models import User
from riskctl.accounts.queries import user_by_username
from riskctl.accounts.roles import DISCIPLINE, LEGAL
from riskctl.core.cli import run_command
from riskctl.core.errors import ValidationFailed
from riskctl.reporting import operations

reports_cli = AppGroup("reports", help="季度报告：签发、冻结并存档")


@reports_cli.command("issue")
@click.argument("year", type=int)
@click.argument("quarter", type=int)
@click.option(
    "--as",
    "username",
    default=None,
    help="以该用户（法制科或机关纪委）的名义签发；缺省记为命令行操作系统用户",
)
def issue_command(year: int, quarter: int, username: str | None) -> None:
    """签发 YEAR 年第 QUARTER 季度的报告；同一季度再次签发生成新版本。"""
    report = run_command(lambda: operations.issue_report(year, quarter, _issuer(username)))
    click.echo(f"已签发 {report.label}：{report.filename}（{report.size} 字节）")
    click.echo(f"SHA-256 {report.sha256}")


def _issuer(username: str | None) -> User | str:
    if not username:
        # Whoever can run the CLI on the server; the audit entry names that account.
        return f"cli:{getpass.getuser()}"
    user = user_by_username(username)
    if user is None or not user.active:
        raise ValidationFailed.field("as", f"用户 {username} 不存在或已停用")
    if user.role not in (LEGAL, DISCIPLINE):
        raise ValidationFailed.field(
            "as", f"用户 {username} 不是法制科或机关纪委人员，不能签发报告"
        )
    return user
