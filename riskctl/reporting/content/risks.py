"""The 廉政风险点 section: level by unit, heat map, changes in the quarter, overdue items."""

from __future__ import annotations

from typing import Any

from riskctl.reporting.content.common import Subheadings, chart_rows, moment
from riskctl.reporting.pdf import BarChart, Block, HeatMap, NoData, Para, Table


def blocks(data: dict[str, Any]) -> list[Block]:
    if not data["key"]["points"] and not data["changes"]:
        return [NoData("登记簿中没有风险点")]
    sub = Subheadings()
    return [
        sub("风险点等级分布"),
        *_levels(data),
        sub("可能性与影响程度热力图"),
        _heat_map(data),
        sub("本季度新增、修改和停用"),
        *_changes(data),
        sub("逾期未评估的风险点与逾期的防控措施"),
        *_overdue(data),
    ]


def _labels(data: dict[str, Any]) -> list[str]:
    return [data["level_labels"][level] for level in data["levels"]]


def _levels(data: dict[str, Any]) -> list[Block]:
    key, labels, units = data["key"], _labels(data), data["units"]
    if not units:
        return [NoData("登记簿中没有在册的风险点")]
    totals = {level: sum(u["levels"][level] for u in units) for level in data["levels"]}
    counts = "、".join(
        f"{label} {totals[level]} 个" for level, label in zip(data["levels"], labels, strict=True)
    )
    return [
        Para(f"登记簿在册风险点 {key['points']} 个，其中{counts}。"),
        Table(
            ["单位", *labels, "合计"],
            [
                [u["name"], *(u["levels"][level] for level in data["levels"]), u["total"]]
                for u in units
            ],
            col_widths=(3, *([1] * len(labels)), 1),
            title="各单位风险点等级分布",
        ),
        _level_chart(data, labels),
    ]


def _level_chart(data: dict[str, Any], labels: list[str]) -> BarChart:
    units, title = chart_rows(data["units"], lambda u: u["total"], "各单位风险点数量（按等级）")
    return BarChart(
        title,
        [u["name"] for u in units],
        [
            (label, [u["levels"][level] for u in units])
            for level, label in zip(data["levels"], labels, strict=True)
        ],
    )


def _heat_map(data: dict[str, Any]) -> HeatMap:
    grid = data["heat_map"]
    size = len(grid["counts"])
    style = data["level_labels"]
    return HeatMap(
        "在册风险点的可能性与影响程度分布",
        [f"可能性 {n}" for n in range(1, size + 1)],
        [f"影响 {n}" for n in range(1, size + 1)],
        grid["counts"],
        [[style.get(level, level) for level in row] for row in grid["levels"]],
    )


def _changes(data: dict[str, Any]) -> list[Block]:
    rows = data["changes"]
    if not rows:
        return [NoData("本季度没有新增、修改或停用的风险点")]
    blocks: list[Block] = [
        Table(
            ["单位", "新增", "修改或重新评估", "停用"],
            [[r["name"], r["added"], r["changed"], r["retired"]] for r in rows],
            col_widths=(3, 1, 1.5, 1),
            title="本季度风险点变化（按单位）",
        )
    ]
    if data["retired"]:
        blocks.append(
            Table(
                ["编号", "单位", "风险点", "停用时间", "停用原因"],
                [
                    [r["id"], r["unit"], r["title"], moment(r["retired_at"]), r["reason"]]
                    for r in data["retired"]
                ],
                col_widths=(0.7, 1.8, 3, 1.5, 3),
                title="本季度停用的风险点",
            )
        )
    return blocks


def _overdue(data: dict[str, Any]) -> list[Block]:
    key = data["key"]
    if not key["overdue_reviews"] and not key["overdue_measures"]:
        return [NoData("统计日没有逾期未评估的风险点，也没有逾期的防控措施")]
    blocks: list[Block] = [
        Para(
            f"统计日逾期未评估的风险点 {key['overdue_reviews']} 个，逾期未落实的防控措施 "
            f"{key['overdue_measures']} 项。下表按逾期时间由长到短列出。"
        )
    ]
    if data["overdue_reviews"]:
        blocks.append(
            Table(
                ["编号", "单位", "风险点", "责任人", "应评估日期", "逾期天数"],
                [
                    [r["id"], r["unit"], r["title"], r["responsible"], r["due"], r["days_overdue"]]
                    for r in data["overdue_reviews"]
                ],
                col_widths=(0.7, 1.8, 3.5, 1.1, 1.3, 0.9),
                title=_listed(
                    "逾期未评估的风险点", len(data["overdue_reviews"]), key["overdue_reviews"]
                ),
            )
        )
    if data["overdue_measures"]:
        blocks.append(
            Table(
                ["编号", "风险点", "防控措施", "责任人", "完成时限", "逾期天数"],
                [
                    [
                        r["id"],
                        r["title"],
                        r["measure"],
                        r["owner"],
                        r["deadline"],
                        r["days_overdue"],
                    ]
                    for r in data["overdue_measures"]
                ],
                col_widths=(0.7, 2.5, 3, 1.1, 1.3, 0.9),
                title=_listed(
                    "逾期的防控措施", len(data["overdue_measures"]), key["overdue_measures"]
                ),
            )
        )
    return blocks


def _listed(title: str, shown: int, total: int) -> str:
    return title if shown >= total else f"{title}（共 {total} 项，列出逾期最久的 {shown} 项）"
