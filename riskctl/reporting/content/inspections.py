"""The 双随机、一公开 section: plans, draws and digests, coverage, results, publication."""

from __future__ import annotations

from typing import Any

from riskctl.reporting.content.common import Subheadings, moment, pct
from riskctl.reporting.pdf import BarChart, Block, NoData, Para, PieChart, Table


def blocks(data: dict[str, Any]) -> list[Block]:
    sub = Subheadings()
    if not data["plans"] and not data["draws"] and not data["key"]["results"]:
        return [NoData("本季度未开展双随机抽查，也没有录入抽查结果")]
    return [
        sub("抽查计划与随机抽取"),
        *_plans(data),
        sub("按信用风险等级的抽查覆盖"),
        *_coverage(data["coverage"]),
        sub("抽查结果"),
        *_results(data["results"]),
        sub("结果公示"),
        *_publication(data["publication"], data["publication_days"]),
    ]


def _plans(data: dict[str, Any]) -> list[Block]:
    if not data["plans"]:
        return [NoData("本季度没有完成抽取的抽查计划")]
    plans = Table(
        ["计划编号", "计划名称", "抽取时间", "抽中对象", "已录入结果", "已公示", "完成率"],
        [
            [
                p["code"],
                p["name"],
                moment(p["drawn_at"]),
                p["selected"],
                p["entered"],
                p["published"],
                pct(p["completion"]),
            ]
            for p in data["plans"]
        ],
        col_widths=(1.4, 2.6, 1.5, 1, 1, 1, 1),
        title="本季度抽查计划",
    )
    draws = Table(
        ["计划编号", "轮次", "抽取时间", "抽中"],
        [[d["plan"], _round(d), moment(d["drawn_at"]), d["selected"]] for d in data["draws"]],
        col_widths=(1.3, 1.6, 1.5, 0.7),
        title="随机抽取及其结果摘要（可公开复核）",
        row_notes=[f"结果摘要：{d['result_digest']}" for d in data["draws"]],
        note=(
            "每次抽取的结果摘要可在公开页面依据抽取清单重新计算核对；重抽须经局领导批准并说明理由，"
            "原抽取结果同时保留公开。"
        ),
    )
    return [plans, draws]


def _round(draw: dict[str, Any]) -> str:
    if draw["round"] == 1:
        return "第 1 轮"
    return f"第 {draw['round']} 轮（重抽：{draw['redraw_reason'] or '—'}）"


def _coverage(rows: list[dict[str, Any]]) -> list[Block]:
    table = Table(
        ["信用风险等级", "名录库对象", "本季度抽中", "已检查", "覆盖率"],
        [
            [f"{r['class']} 类", r["roster"], r["drawn"], r["inspected"], pct(r["coverage"])]
            for r in rows
        ],
        title="抽查覆盖情况（按信用风险等级）",
    )
    chart = BarChart(
        "各信用风险等级抽中与已检查对象数",
        [f"{r['class']} 类" for r in rows],
        [("抽中", [r["drawn"] for r in rows]), ("已检查", [r["inspected"] for r in rows])],
    )
    return [table, chart]


def _results(rows: list[dict[str, Any]]) -> list[Block]:
    shown = [r for r in rows if r["count"]]
    if not shown:
        return [NoData("本季度没有录入抽查结果")]
    return [
        PieChart("抽查结果构成", [(r["label"], r["count"]) for r in shown]),
        Table(
            ["检查结果", "户次", "占比"],
            [[r["label"], r["count"], pct(r["share"])] for r in rows],
            col_widths=(4, 1, 1),
            title="抽查结果（按标准结果代码）",
        ),
    ]


def _publication(pub: dict[str, Any], days: int) -> list[Block]:
    if not pub["total"]:
        return [NoData("本季度没有需要公示的抽查结果")]
    text = (
        f"本季度检查的 {pub['total']} 户次结果中，按时公示 {pub['on_time']} 户次，"
        f"逾期公示 {pub['late']} 户次，逾期未公示 {pub['overdue']} 户次，"
        f"尚在公示期限内 {pub['pending']} 户次；按时公示率 {pct(pub['on_time_rate']) or '—'}"
        f"（公示期限为检查之日起 {days} 个工作日，法定节假日及调休已计入）。"
    )
    chart = PieChart(
        "抽查结果公示情况",
        [
            ("按时公示", pub["on_time"]),
            ("逾期公示", pub["late"]),
            ("逾期未公示", pub["overdue"]),
            ("尚在期限内", pub["pending"]),
        ],
    )
    return [Para(text), chart]
