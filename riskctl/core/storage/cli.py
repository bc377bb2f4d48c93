"""``flask storage sweep | migrate --to BACKEND | verify``."""

from __future__ import annotations

import sys
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from riskctl.core.storage import maintenance

storage_cli = AppGroup("storage", help="文件存储（清理孤儿文件、迁移、校验）")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n} 字节"


@storage_cli.command("sweep")
@click.option(
    "--min-age-hours",
    type=click.FloatRange(min=0),
    default=24,
    show_default=True,
    help="只清理早于这么多小时的文件（正在进行的请求的临时文件不受影响）",
)
def sweep(min_age_hours: float) -> None:
    """清理文件系统中的孤儿文件：中断请求留下的临时文件、没有任何记录引用的文件。"""
    report = maintenance.sweep(timedelta(hours=min_age_hours))
    for path in report.recovered:
        click.echo(f"已补齐：{path}（其记录已提交，文件此前未移入正式位置）")
    for path, size in report.removed:
        click.echo(f"已清理：{path}（{_size(size)}）")
    total = sum(size for _, size in report.removed)
    click.echo(
        f"清理完成：删除 {len(report.removed)} 个孤儿文件（共 {_size(total)}），"
        f"补齐 {len(report.recovered)} 个文件"
    )


def _finish(report: maintenance.CopyReport, done: str) -> None:
    for failure in report.failures:
        click.echo(f"失败：{failure}", err=True)
    click.echo(done)
    if report.failures:
        sys.exit(1)


@storage_cli.command("migrate")
@click.option("--to", "target", type=click.Choice(["database", "filesystem"]), required=True)
def migrate(target: str) -> None:
    """把所有文件复制到另一种存储，逐个校验 SHA-256；完成后再修改 RISKCTL_STORAGE。"""
    if current_app.config["STORAGE"] == target:
        click.echo(
            f"提示：当前 RISKCTL_STORAGE 已是 {target}，将补记 0012 之前存档文件的哈希，"
            "并从另一种存储补齐缺少的文件"
        )
    report = maintenance.migrate(target)
    _finish(
        report,
        f"迁移到 {target}：复制 {report.copied} 个，已存在且校验通过 {report.present} 个，"
        f"补记哈希 {report.adopted} 个，失败 {len(report.failures)} 个",
    )


@storage_cli.command("verify")
def verify() -> None:
    """读取当前存储中的每个文件，校验其大小与 SHA-256。"""
    report = maintenance.verify()
    _finish(
        report,
        f"校验 {current_app.config['STORAGE']} 存储：完好 {report.checked} 个，"
        f"有问题 {len(report.failures)} 个",
    )
