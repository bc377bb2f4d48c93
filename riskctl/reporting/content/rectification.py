"""The 预警与整改 section: open warnings, and open rectification items by colour."""

from __future__ import annotations

from typing import Any

from riskctl.reporting.content.common import Subheadings, cn_date
from riskctl.reporting.pdf import Block, NoData, Para, PieChart, Table

COLOURS = (("red", "已超期（红）"), ("yellow", "即将到期（黄）"), ("green", "期限内（绿）"))


def blocks(data: dict[str, Any], warnings: dict[str, Any], as_of: str) -> list[Block]:
    sub = Subheadings()
    return [
        sub("预警"),
        *_warnings(warnings),
        sub("未销号整改事项"),
        *_items(data, as_of),
    ]


def _warnings(data: dict[str, Any]) -> list[Block]:
    if not data["key"]["open"]:
        return [NoData("暂无预警数据")]
    counts = data["counts"]
    return [
        Para(
            f"截至统计日，尚未关闭的预警 {data['key']['open']} 条，其中红色 {counts['red']} 条、"
            f"黄色 {counts['yellow']} 条；本季度新产生预警 {data['raised']} 条。"
        ),
        Table(
            ["单位", "红色", "黄色", "合计"],
            [[u["name"], u["red"], u["yellow"], u["open"]] for u in data["units"]],
            col_widths=(4, 1, 1, 1),
            title="未关闭的预警（按单位）",
        ),
        Table(
            ["预警规则", "红色", "黄色", "合计"],
            [[r["label"], r["red"], r["yellow"], r["open"]] for r in data["rules"]],
            col_widths=(4, 1, 1, 1),
            title="未关闭的预警（按规则）",
        ),
    ]


def _items(data: dict[str, Any], as_of: str) -> list[Block]:
    counts = data["counts"]
    if not counts["open"]:
        return [NoData(f"截至{cn_date(as_of)}没有未销号的整改事项")]
    text = (
        f"截至{cn_date(as_of)}，未销号的整改事项 {counts['open']} 项："
        + "，".join(f"{label} {counts[key]} 项" for key, label in COLOURS)
        + f"。本季度销号 {data['closed_in_quarter']} 项。"
    )
    blocks: list[Block] = [
        Para(text),
        PieChart("未销号整改事项（按颜色）", [(label, counts[key]) for key, label in COLOURS]),
        Table(
            ["责任单位", "红", "黄", "绿", "合计"],
            [[u["name"], u["red"], u["yellow"], u["green"], u["open"]] for u in data["units"]],
            col_widths=(4, 1, 1, 1, 1),
            title="未销号整改事项（按责任单位）",
        ),
        Table(
            ["来源", "红", "黄", "绿", "合计"],
            [[s["label"], s["red"], s["yellow"], s["green"], s["open"]] for s in data["sources"]],
            col_widths=(4, 1, 1, 1, 1),
            title="未销号整改事项（按来源）",
        ),
    ]
    if data["overdue"]:
        blocks.append(
            Table(
                ["编号", "整改事项", "来源", "责任单位", "整改期限", "超期天数"],
                [
                    [i["id"], i["title"], i["source"], i["unit"], i["deadline"], i["days_overdue"]]
                    for i in data["overdue"]
                ],
                col_widths=(0.7, 3.4, 1.5, 1.8, 1.6, 0.9),
                title=f"超期时间最长的整改事项（前 {len(data['overdue'])} 项）",
            )
        )
    return blocks
