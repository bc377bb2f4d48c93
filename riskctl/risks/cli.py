"""``flask risks overdue``: overdue reviews and measures, for cron and for people."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from riskctl.core import clock
from riskctl.risks import queries

risks_cli = AppGroup("risks", help="廉政风险点")


@risks_cli.command("overdue")
@click.option(
    "--date",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="按哪一天判断逾期（默认今天，北京时间）",
)
def overdue(on) -> None:
    """列出逾期未评估的风险点和逾期未落实的防控措施。"""
    today: date = on.date() if on else clock.today()
    reviews, measures = queries.overdue_reviews(today), queries.overdue_measures(today)
    click.echo(
        f"截至 {today.isoformat()}：评估逾期 {len(reviews)} 个风险点，措施逾期 {len(measures)} 条"
    )
    for r in reviews:
        click.echo(
            f"[评估逾期] #{r.point_id} {r.unit_name} {r.post}“{r.title}” 应于 "
            f"{r.next_review.isoformat()} 评估，逾期 {r.days_overdue} 天，"
            f"责任人 {r.responsible or '未填写'}"
        )
    for m in measures:
        click.echo(
            f"[措施逾期] #{m.point_id} {m.unit_name}“{m.title}” 措施“{m.measure}” 应于 "
            f"{m.deadline.isoformat()} 完成，逾期 {m.days_overdue} 天，"
            f"责任人 {m.owner or '未填写'}"
        )
