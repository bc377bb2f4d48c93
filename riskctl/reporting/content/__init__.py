"""The quarterly report's content: a snapshot of figures in, a ``pdf.Report`` out.

A pure function of the archived snapshot (no database, no Flask), so an issued
report can be rebuilt from its JSON and compared byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from riskctl.core import clock
from riskctl.reporting.content import (
    audit,
    inspections,
    leniency,
    rectification,
    reviews,
    risks,
)
from riskctl.reporting.content.common import cn_date, numeral, pct
from riskctl.reporting.pdf import Block, Figures, Heading, PageBreak, Para, Report
from riskctl.reporting.pdf.flowables import change_text, display

TITLE = "廉政风险防控工作季度报告"
Writer = Callable[[dict[str, Any]], list[Block]]
SECTIONS: list[tuple[str, str, Writer]] = [
    ("risks", "廉政风险点登记", risks.blocks),
    ("inspections", "双随机、一公开抽查", inspections.blocks),
    ("reviews", "案卷评查", reviews.blocks),
    ("leniency", "首违不罚", leniency.blocks),
]


def data_filename(snapshot: dict[str, Any], version: int) -> str:
    period = snapshot["period"]
    return f"{period['year']}-Q{period['quarter']}-v{version}.json"


def build_report(snapshot: dict[str, Any], *, version: int, issued_on: date) -> Report:
    """The report for an archived snapshot, as issued on ``issued_on`` as ``version``."""
    period, sections = snapshot["period"], snapshot["sections"]
    blocks: list[Block] = [Heading(f"{numeral(1)}、主要指标"), *summary_blocks(snapshot)]
    for number, (name, title, writer) in enumerate(SECTIONS, start=2):
        blocks += [PageBreak(), Heading(f"{numeral(number)}、{title}"), *writer(sections[name])]
    blocks += [
        PageBreak(),
        Heading(f"{numeral(len(SECTIONS) + 2)}、预警与整改"),
        *rectification.blocks(sections["rectification"], sections["warnings"], period["as_of"]),
    ]
    blocks += [Heading("说明", 2), Para(_notes(snapshot, version))]
    if "audit" in snapshot:  # reports issued before checkpoints existed have none
        blocks += audit.blocks(snapshot["audit"], period.get("time_zone_label", "北京时间"))
    return Report(
        title=TITLE,
        subtitle=period["label"],
        org=snapshot["org"],
        issued_on=issued_on,
        issued_offset=clock.local(clock.day_start(issued_on)).strftime("%z"),
        version=version,
        cover_lines=[
            f"统计期间：{cn_date(period['start'])}至{cn_date(period['end'])}",
            f"数据截至：{cn_date(period['as_of'])}",
            f"统计口径：{basis_text(period)}",
        ],
        blocks=blocks,
    )


def summary_blocks(snapshot: dict[str, Any]) -> list[Block]:
    """The key figures with their change from the previous quarter."""
    period = snapshot["period"]
    items = [(row["label"], _value(row), _change(row)) for row in snapshot["summary"]]
    intro = (
        f"统计期间为{cn_date(period['start'])}至{cn_date(period['end'])}，"
        f"数据截至{cn_date(period['as_of'])}。“较上季度”与{period['previous']}同口径数据比较。"
        f"统计口径：{basis_text(period)}。"
    )
    return [Para(intro), Figures(items)]


def basis_text(period: dict[str, Any]) -> str:
    """统计口径: which clock cut the days, the quarter and the times in the report."""
    label = period.get("time_zone_label", "北京时间")
    return f"日期、季度均按{label}划分（以{label}零时为界），文中时间均为{label}"


def figure_texts(row: dict[str, Any]) -> tuple[str, str]:
    """A summary row's value and change as the PDF prints them (for pages)."""
    return display(_value(row)), change_text(_change(row))  # type: ignore[arg-type]


def _value(row: dict[str, Any]) -> object:
    return pct(row["value"]) if row["unit"] == "%" else row["value"]


def _change(row: dict[str, Any]) -> object:
    change = row["change"]
    if row["unit"] != "%" or change is None:
        return change
    if change == 0:
        return "较上季度 持平"
    arrow = "↑" if change > 0 else "↓"
    return f"较上季度 {arrow}{abs(change):g} 个百分点"


def _notes(snapshot: dict[str, Any], version: int) -> str:
    return (
        "本报告由廉政风险防控系统根据签发时刻的数据一致性快照生成，签发后不再改变；"
        "风险点按统计日仍在册者统计，其等级、评估日期和防控措施取签发时登记簿的记录；"
        "如需更正，重新签发新版本，原版本保留备查。报告中的全部数字及其明细随报告一并存档于"
        f"数据文件 {data_filename(snapshot, version)}，亦可在系统中下载 Excel 表。"
        "“—”表示没有可计算的数据。"
    )
