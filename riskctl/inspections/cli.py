"""``flask inspection import-targets FILE`` and ``import-inspectors FILE`` for huge rosters."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from riskctl.core.cli import run_command
from riskctl.core.db import db
from riskctl.core.errors import Conflict
from riskctl.core.tabular.problems import ImportProblems
from riskctl.inspections import operations

inspection_cli = AppGroup("inspection", help="双随机抽查（名录库导入）")
SHOWN = 50

_MISSING = click.option(
    "--missing",
    type=click.Choice(["ask", "keep", "deactivate"]),
    default="ask",
    show_default=True,
    help="名录中有、文件中没有的记录：ask 列出后不导入；keep 保留；deactivate 移出名录或停用",
)
_ACTOR = click.option("--actor", default="system", show_default=True, help="记入审计日志的操作人")


def _import(roster: str, data: bytes, name: str, flag: bool | None, actor: str):
    try:
        return operations.import_roster(roster, data, name, flag, actor)
    except Conflict as exc:
        # List who would disappear (run_command prints list-valued details).
        sample = exc.details.get("missing", {}).get("sample", [])
        exc.details = {"不在文件中（前若干条）": [f"{m['code']} {m['name']}" for m in sample]}
        raise


def _run(roster: str, path: Path, missing: str, actor: str) -> None:
    flag = {"ask": None, "keep": False, "deactivate": True}[missing]
    data = path.read_bytes()
    try:
        analysis, record = run_command(lambda: _import(roster, data, path.name, flag, actor))
    except ImportProblems as exc:
        db.session.rollback()
        lines = [f"  第 {p.row} 行 [{p.column}] {p.message}" for p in exc.problems[:SHOWN]]
        more = f"\n  ……另有 {len(exc.problems) - SHOWN} 处" if len(exc.problems) > SHOWN else ""
        raise click.ClickException(exc.message + "\n" + "\n".join(lines) + more) from exc
    summary = analysis.summary()
    click.echo(
        f"导入完成（第 {record.id} 次导入）：共 {summary['rows']} 行，新增 {record.created}，"
        f"更新 {record.updated}，恢复 {record.reactivated}，无变化 {summary['unchanged']}，"
        f"移出 {record.deactivated}，保留未列出 {record.kept_missing}"
    )


@inspection_cli.command("import-targets")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_MISSING
@_ACTOR
def import_targets(file: Path, missing: str, actor: str) -> None:
    """导入检查对象名录库 FILE（.xlsx/.csv；任何一行有问题都不导入）。"""
    _run("targets", file, missing, actor)


@inspection_cli.command("import-inspectors")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_MISSING
@_ACTOR
def import_inspectors(file: Path, missing: str, actor: str) -> None:
    """导入执法检查人员名录库 FILE。"""
    _run("inspectors", file, missing, actor)
