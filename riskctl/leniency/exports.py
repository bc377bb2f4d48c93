"""首违不罚 records as .xlsx, party ids masked (an export leaves the access control behind)."""

from __future__ import annotations

from sqlalchemy import Select

from riskctl.core import clock
from riskctl.core.db import db
from riskctl.core.tabular.writing import write_xlsx
from riskctl.leniency.party import KIND_LABELS
from riskctl.leniency.rules import FOLLOWUP_LABELS, GROUND_LABELS, STATUS_LABELS

HEADERS = [
    "记录号",
    "发生时间",
    "单位",
    "当事人",
    "证件类型",
    "证件号码（已脱敏）",
    "事项编号",
    "违法行为",
    "清单版本",
    "免罚情形",
    "地点",
    "执法人员",
    "整改期限",
    "复查期限",
    "复查日期",
    "复查结果",
    "法制审核",
    "状态",
]
_BATCH = 2000


def export_records(query: Select) -> bytes:
    return write_xlsx(HEADERS, _rows(query), "首违不罚记录")


def _rows(query: Select):
    for record in db.session.scalars(query.execution_options(yield_per=_BATCH)):
        yield (
            record.id,
            clock.display(record.occurred_at),
            record.unit.name,
            record.party_name,
            KIND_LABELS[record.party_kind],
            record.party_masked,
            record.item.code,
            record.item_version.name,
            record.item_version.version,
            GROUND_LABELS[record.ground],
            record.place,
            "、".join(record.officer_numbers),
            record.correction_deadline,
            record.followup_due,
            record.followup_on,
            FOLLOWUP_LABELS.get(record.followup_result or "", ""),
            "已审核" if record.signed_off_at else "未审核",
            STATUS_LABELS[record.status],
        )
