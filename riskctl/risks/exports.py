"""Exporting the register as .xlsx (导出), in the column order of api.md, re-importable.

Read as plain rows (two queries, no ORM objects): the export of a whole register
must stay well under the time a person waits for a download.
"""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

from flask import Response, send_file
from sqlalchemy import select

from riskctl.accounts.models import Unit
from riskctl.core import clock
from riskctl.core.db import db
from riskctl.core.tabular.writing import write_xlsx
from riskctl.risks.filters import RiskFilter, filtered
from riskctl.risks.models import RiskMeasure, RiskPoint
from riskctl.risks.rules import current_matrix, current_style
from riskctl.risks.spreadsheet import HEADERS, UnitIndex, export_row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_COLUMNS = (
    RiskPoint.id,
    Unit.code.label("unit_code"),
    Unit.name.label("unit_name"),
    RiskPoint.post,
    RiskPoint.power,
    RiskPoint.stage,
    RiskPoint.title,
    RiskPoint.description,
    RiskPoint.category,
    RiskPoint.likelihood,
    RiskPoint.impact,
    RiskPoint.responsible,
    RiskPoint.supervisor,
    RiskPoint.indicator,
    RiskPoint.next_review,
)


def _measures(ids: Any) -> dict[int, list[dict[str, Any]]]:
    query = (
        select(
            RiskMeasure.point_id,
            RiskMeasure.text,
            RiskMeasure.owner,
            RiskMeasure.deadline,
            RiskMeasure.status,
        )
        .where(RiskMeasure.point_id.in_(ids))
        .order_by(RiskMeasure.point_id, RiskMeasure.position)
    )
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for point_id, text, owner, deadline, status in db.session.execute(query):
        found[point_id].append(
            {"text": text, "owner": owner, "deadline": deadline, "status": status}
        )
    return found


def register_xlsx(flt: RiskFilter, unit_ids: list[int] | None) -> bytes:
    """The points matching ``flt`` as the bureau's spreadsheet; text cells formula-safe."""
    today = clock.today()
    points = db.session.execute(
        filtered(select(*_COLUMNS).join(RiskPoint.unit), flt, unit_ids, today)
    ).all()
    ids = filtered(select(RiskPoint.id).join(RiskPoint.unit), flt, unit_ids, today)
    measures = _measures(ids.order_by(None).scalar_subquery())
    units = UnitIndex(db.session.scalars(select(Unit)))
    matrix, style = current_matrix(), current_style()
    rows = (export_row(p, measures.get(p.id, []), units, matrix, style) for p in points)
    return write_xlsx(HEADERS, rows, "廉政风险点")


def xlsx_response(flt: RiskFilter, unit_ids: list[int] | None) -> Response:
    data = register_xlsx(flt, unit_ids)
    name = f"廉政风险点登记表-{clock.today():%Y%m%d}.xlsx"
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)
