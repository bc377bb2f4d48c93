"""The appendix: checkpoints of the audit chain (审计日志检查点) at the moment of issue.

Printed, they become anchors kept outside the system: whoever holds the report can
have the chain checked against them (``flask audit verify --anchor SEQ:HASH``).
"""

from __future__ import annotations

from typing import Any

from riskctl.reporting.content.common import moment
from riskctl.reporting.pdf import Block, Heading, Para, Table


def blocks(data: dict[str, Any], zone_label: str = "北京时间") -> list[Block]:
    head = data["head"]
    checkpoints = data["checkpoints"]
    # Hashes print whole on a line of their own under their row: a hash never wraps.
    # A report issued before the snapshot kept the anchor's moment prints "—" as it did.
    at = moment(head["recorded_at"]) if head.get("recorded_at") else None
    rows: list[list[object]] = [[head["seq"], at, "签发时的锚点"]]
    rows += [[c["seq"], moment(c["recorded_at"]), "检查点"] for c in checkpoints]
    hashes = [f"哈希：{head['hash']}", *(f"哈希：{c['hash']}" for c in checkpoints)]
    listed = (
        "下表其余各行为签发前最近记录的检查点（亦公开于本局网站“审计日志检查点公示”页）。"
        if checkpoints
        else "签发前尚未记录过检查点。"
    )
    return [
        Heading("附：审计日志检查点"),
        Para(
            f"签发本报告时，审计日志最新一条记录为第 {head['seq']} 条，"
            "它的序号与哈希即下表第一行的锚点。"
            "审计日志的每条记录都含前一条记录的哈希，哈希用保存在数据库之外的密钥计算。"
            "请将锚点与本报告一同留存：此后任何时候运行\n"
            "flask --app wsgi audit verify --anchor 序号:哈希\n"
            "（代入该锚点），如果日志在该记录之前被改写或被截断，校验即失败并指出该锚点。" + listed
        ),
        Table(
            ["序号", f"记录时间（{zone_label}）", "类别"],
            rows,
            col_widths=(1, 2, 2),
            row_notes=hashes,
        ),
    ]
