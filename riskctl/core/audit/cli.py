"""``flask audit verify``."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from riskctl.core.audit.chain import verify_chain

audit_cli = AppGroup("audit", help="审计日志")


@audit_cli.command("verify")
def verify() -> None:
    """校验审计日志哈希链；链条断开时退出码为 1，并指出第一条有问题的记录。"""
    count, broken = verify_chain()
    if broken is not None:
        click.echo(
            f"审计链校验失败：第 {broken.seq} 条记录 — {broken.reason}（此前 {count} 条完好）",
            err=True,
        )
        sys.exit(1)
    click.echo(f"审计链完好：共 {count} 条记录")
