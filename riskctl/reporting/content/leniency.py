"""The 首违不罚 section: by item and unit, correction, refused repeats, rates against the median."""

from __future__ import annotations

from typing import Any

from riskctl.reporting.content.common import Subheadings, chart_rows, pct
from riskctl.reporting.pdf import BarChart, Block, NoData, Para, Table

CHART_ITEMS = 10


def blocks(data: dict[str, Any]) -> list[Block]:
    key = data["key"]
    if not key["decisions"] and not key["refused"]:
        return [NoData("本季度没有首违不罚决定，也没有被拒绝的重复申请")]
    sub = Subheadings()
    return [
        sub("总体情况"),
        _overall(data),
        sub("按免罚事项"),
        *_items(data["items"]),
        sub("按单位"),
        *_units(data["units"]),
        sub("各单位免罚率与全局中位数"),
        *_rates(data),
        sub("被拒绝的重复申请"),
        *_refused(data["refused_by_unit"]),
    ]


def _overall(data: dict[str, Any]) -> Para:
    key, c = data["key"], data["correction"]
    return Para(
        f"本季度作出首违不罚决定 {key['decisions']} 件，"
        f"其中首违可以不罚 {data['first_offence']} 件、轻微不罚 {data['minor']} 件。"
        f"复查已按期改正 {c['passed']} 件、未按期改正 {c['failed']} 件，"
        f"复查改正率 {pct(key['correction_rate']) or '—'}；尚待复查 {c['pending']} 件，"
        f"其中已过复查期限 {c['overdue']} 件。因回溯期内已有同一事项的首违记录而被拒绝的申请 "
        f"{key['refused']} 次。"
    )


def _items(items: list[dict[str, Any]]) -> list[Block]:
    if not items:
        return [NoData("本季度没有首违不罚决定")]
    top = items[:CHART_ITEMS]
    return [
        BarChart(
            f"决定数最多的免罚事项（前 {len(top)} 项）",
            [i["name"] for i in top],
            [("决定数", [i["total"] for i in top])],
            horizontal=True,
        ),
        Table(
            ["事项编号", "违法行为", "合计", "首违可以不罚", "轻微不罚"],
            [[i["code"], i["name"], i["total"], i["first_offence"], i["minor"]] for i in items],
            col_widths=(1.2, 4, 0.8, 1.2, 1),
            title="首违不罚决定（按免罚事项）",
        ),
    ]


def _units(units: list[dict[str, Any]]) -> list[Block]:
    if not units:
        return [NoData("本季度没有首违不罚决定")]
    return [
        Table(
            ["单位", "合计", "首违可以不罚", "轻微不罚", "占全局"],
            [
                [u["name"], u["total"], u["first_offence"], u["minor"], pct(u["share"])]
                for u in units
            ],
            col_widths=(3, 1, 1.2, 1, 1),
            title="首违不罚决定（按单位）",
        )
    ]


def _rates(data: dict[str, Any]) -> list[Block]:
    rows = data["unit_rates"]
    if not rows:
        return [NoData("本季度没有首违不罚决定，无法计算免罚率")]
    flagged = [r["name"] for r in rows if r["flagged"]]
    text = (
        f"免罚率按“单位决定数 ÷ 参与决定的执法人员数”计算。全局中位数为 {data['median']}；"
        f"达到中位数 {data['warn_ratio']:g} 倍及以上的单位："
        f"{'、'.join(flagged) if flagged else '无'}。"
    )
    return [
        Para(text),
        Table(
            ["单位", "决定数", "执法人员", "免罚率", "为中位数的倍数", "达到预警倍数"],
            [
                [
                    r["name"],
                    r["decisions"],
                    r["officers"],
                    r["rate"],
                    r["ratio"],
                    "是" if r["flagged"] else "否",
                ]
                for r in rows
            ],
            col_widths=(3, 1, 1, 1, 1.3, 1.2),
            title="各单位免罚率与全局中位数比较",
        ),
        _rate_chart(rows),
    ]


def _rate_chart(rows: list[dict[str, Any]]) -> BarChart:
    shown, title = chart_rows(rows, lambda r: r["rate"], "各单位免罚率（人均决定数）", "免罚率")
    return BarChart(title, [r["name"] for r in shown], [("免罚率", [r["rate"] for r in shown])])


def _refused(rows: list[dict[str, Any]]) -> list[Block]:
    if not rows:
        return [NoData("本季度没有因重复申请被拒绝的情况")]
    return [
        Table(
            ["单位", "被拒绝次数"],
            [[r["name"], r["count"]] for r in rows],
            col_widths=(4, 1),
            title="被拒绝的重复申请（按单位）",
        )
    ]
