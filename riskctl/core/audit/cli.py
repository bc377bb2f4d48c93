"""``flask audit verify|head|checkpoint``."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from riskctl.core.audit.chain import Anchor, verify
from riskctl.core.audit.checkpoints import head, record_checkpoint
from riskctl.core.cli import run_command

audit_cli = AppGroup("audit", help="审计日志")


def _anchors(ctx, param, values: tuple[str, ...]) -> list[Anchor]:
    try:
        return [Anchor.parse(value) for value in values]
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@audit_cli.command("verify")
@click.option(
    "--anchor",
    "anchors",
    multiple=True,
    callback=_anchors,
    metavar="SEQ:HASH",
    help="在系统外保存的链头（可重复）；链条不再包含该记录及哈希时校验失败",
)
@click.option("--no-checkpoint", is_flag=True, help="链条完好时也不记录检查点（只读校验）")
def verify_command(anchors: list[Anchor], no_checkpoint: bool) -> None:
    """校验审计日志哈希链、全部已记录的检查点和给出的锚点；有问题时退出码为 1。

    链条完好时记录一个检查点（每日定时校验即每日一个检查点）。
    """
    result = verify(anchors)
    if not result.ok:
        for problem in result.breaks:
            click.echo(f"审计链校验失败：第 {problem.seq} 条记录 — {problem.reason}", err=True)
        click.echo(f"（自第 1 条起完好的记录共 {result.count} 条）", err=True)
        sys.exit(1)
    click.echo(f"审计链完好：共 {result.count} 条记录，核对检查点与锚点 {result.checked} 个")
    if not no_checkpoint:
        checkpoint = run_command(lambda: record_checkpoint("verify"))
        click.echo(f"已记录检查点 {checkpoint.seq}:{checkpoint.hash}")


@audit_cli.command("head")
def head_command() -> None:
    """打印最新一条记录的 序号:哈希（可抄录或打印后在系统外保存，作为锚点）。"""
    point = head()
    if point is None:
        click.echo("审计日志为空", err=True)
        sys.exit(1)
    click.echo(str(point))


@audit_cli.command("checkpoint")
def checkpoint_command() -> None:
    """记录当前链头为检查点（公开于 /public/audit），并打印 序号:哈希。"""
    checkpoint = run_command(lambda: record_checkpoint("command"))
    click.echo(f"{checkpoint.seq}:{checkpoint.hash}")
