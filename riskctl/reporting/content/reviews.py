"""The 案卷评查 section: files reviewed, grades by unit, common problems, rectification."""

from __future__ import annotations

from typing import Any

from riskctl.reporting.content.common import Subheadings, chart_rows, pct
from riskctl.reporting.pdf import BarChart, Block, NoData, Para, PieChart, Table


def blocks(data: dict[str, Any]) -> list[Block]:
    if not data["key"]["files"]:
        return [NoData("本季度没有确认评查结果的案卷")]
    sub = Subheadings()
    return [
        sub("评查总体情况"),
        *_overall(data),
        sub("各单位评查等次"),
        *_units(data),
        sub("常见问题"),
        *_frequent(data["frequent"]),
        sub("问题整改进展"),
        *_rectification(data["rectification"]),
    ]


def _overall(data: dict[str, Any]) -> list[Block]:
    totals, key = data["totals"], data["key"]
    grades = "、".join(f"{g} {totals['grades'].get(g, 0)} 卷" for g in data["grades"])
    text = (
        f"本季度确认评查结果的案卷 {key['files']} 卷，平均得分 {totals['average']} 分，"
        f"其中{grades}；合格率 {pct(key['pass_rate']) or '—'}。"
        f"移送过错责任追究的案卷 {data['referred']} 卷。"
    )
    pie = PieChart("评查等次构成", [(g, totals["grades"].get(g, 0)) for g in data["grades"]])
    return [Para(text), pie]


def _units(data: dict[str, Any]) -> list[Block]:
    grades, units = data["grades"], data["units"]
    headers = ["单位", "案卷数", "平均分", *(f"{g}（占比）" for g in grades)]
    rows = [
        [
            u["name"],
            u["files"],
            u["average"],
            *(f"{u['grades'].get(g, 0)}（{pct(u['shares'].get(g, 0))}）" for g in grades),
        ]
        for u in units
    ]
    shown, title = chart_rows(units, lambda u: u["files"], "各单位评查等次分布", "案卷数")
    chart = BarChart(
        title,
        [u["name"] for u in shown],
        [(g, [u["grades"].get(g, 0) for u in shown]) for g in grades],
    )
    return [
        Table(headers, rows, col_widths=(3, 1, 1, *([1.6] * len(grades))), title="各单位评查等次"),
        chart,
    ]


def _frequent(rows: list[dict[str, Any]]) -> list[Block]:
    if not rows:
        return [NoData("本季度评查未发现扣分或否决问题")]
    kinds = {"veto": "否决项", "deduction": "扣分项"}
    return [
        Table(
            ["序号", "问题", "类别", "涉及案卷", "扣分合计"],
            [
                [
                    i,
                    f"{r['code']} {r['text']}",
                    r["group"] or kinds.get(r["kind"], r["kind"]),
                    r["files"],
                    r["points"],
                ]
                for i, r in enumerate(rows, start=1)
            ],
            col_widths=(0.6, 4.5, 1.3, 1, 1),
            title="出现次数最多的问题",
        )
    ]


def _rectification(progress: dict[str, Any]) -> list[Block]:
    if not progress["opened"]:
        return [NoData("本季度评查发现的问题没有登记整改事项")]
    return [
        Table(
            ["本季度登记整改", "已销号", "其中按期销号", "尚未销号"],
            [
                [
                    progress["opened"],
                    progress["closed"],
                    progress["closed_on_time"],
                    progress["open"],
                ]
            ],
            title="评查问题整改进展",
        )
    ]
