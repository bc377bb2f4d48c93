"""Every spreadsheet import refuses a hostile .xlsx with a 4xx naming the limit.

The attack of issue 13: a 1.7 KB file whose one far cell makes the reader build the
whole grid (549 GB for XFD1048576, 10 GB for XFD20000) and kills the worker.
"""

from __future__ import annotations

import io
import json

import pytest

from riskctl.core.xlsx_bounds import MAX_COLUMNS
from riskctl.leniency.items.operations import COLUMNS as ITEM_COLUMNS
from riskctl.reviews.registry.imports import HEADERS as CASE_HEADERS
from riskctl.risks.spreadsheet import COLUMNS as RISK_COLUMNS
from tests.hostile import far_corner_xlsx
from tests.inspections.conftest import INSPECTOR_HEADER, TARGET_HEADER

IMPORTS = {
    "targets": ("/api/v1/inspection/targets/import", TARGET_HEADER),
    "inspectors": ("/api/v1/inspection/inspectors/import", INSPECTOR_HEADER),
    "leniency items": ("/api/v1/leniency/items/import", [c.header for c in ITEM_COLUMNS]),
    "case files": ("/api/v1/reviews/case-files/import", CASE_HEADERS),
    "risk register": ("/api/v1/risk-points/import", [c.header for c in RISK_COLUMNS]),
}
ROLES = {"risk register": "discipline"}


@pytest.mark.parametrize("far", ["XFD1048576", "XFD20000"])
@pytest.mark.parametrize("name", list(IMPORTS))
def test_a_far_cell_is_refused_with_the_column_limit(api, name, far):
    url, headers = IMPORTS[name]
    data = far_corner_xlsx(list(headers), far)
    assert len(data) < 2048
    response = api(ROLES.get(name, "legal")).post(
        url,
        data={"file": (io.BytesIO(data), "名录.xlsx"), "reason": "导入"},
        content_type="multipart/form-data",
    )
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    body = json.dumps(response.get_json(), ensure_ascii=False)
    assert f"超过每次导入最多 {MAX_COLUMNS} 列的上限" in body
