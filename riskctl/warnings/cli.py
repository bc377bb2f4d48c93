"""``flask warnings scan``: the scheduled scan (e.g. nightly from cron or a systemd timer)."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from riskctl.core.cli import run_command
from riskctl.warnings import scan

warnings_cli = AppGroup("warnings", help="预警（廉政风险预警信号）")


@warnings_cli.command("scan")
@click.option(
    "--date", "day", default=None, metavar="YYYY-MM-DD", help="按指定日期计算（默认今天，北京时间）"
)
def scan_command(day: str | None) -> None:
    """运行全部已启用的预警规则：新增预警、刷新未关闭的预警；可重复运行，不会重复预警。"""
    try:
        today = date.fromisoformat(day) if day else None
    except ValueError:
        raise click.BadParameter(
            f"日期“{day}”格式不对，应如 2026-03-01", param_hint="--date"
        ) from None
    report = run_command(lambda: scan.run_scan(today))
    for line in report.lines():
        click.echo(line)
