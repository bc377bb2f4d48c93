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
    rows = [[c["seq"], moment(c["recorded_at"]), c["hash"]] for c in data["checkpoints"]]
    if rows:
        listed = "下表为签发前最近记录的检查点（亦公开于本局网站“审计日志检查点公示”页）。"
        table: list[Block] = [
            Table(["序号", f"记录时间（{zone_label}）", "哈希"], rows, col_widths=(1, 2, 6))
        ]
    else:
        listed = "签发前尚未记录过检查点。"
        table = []
    return [
        Heading("附：审计日志检查点"),
        Para(
            f"签发本报告时，审计日志最新一条记录为第 {head['seq']} 条，其哈希为：\n{head['hash']}\n"
            "审计日志的每条记录都含前一条记录的哈希，哈希用保存在数据库之外的密钥计算。"
            "请将上面的“序号:哈希”与本报告一同留存：此后任何时候运行\n"
            f"flask --app wsgi audit verify --anchor {head['seq']}:{head['hash']}\n"
            "如果日志在该记录之前被改写或被截断，校验即失败并指出该锚点。" + listed
        ),
        *table,
    ]
