"""Storing a draw's selections (抽中对象) in bulk, one driver-level executemany."""

from __future__ import annotations

import json
from collections.abc import Sequence

from riskctl.core.db import db
from riskctl.core.ids import mask_party_id
from riskctl.draws.engine.draw import Selection
from riskctl.draws.models import DrawSelection

_SELECTION_COLUMNS = (
    "draw_id",
    "position",
    "target_id",
    "stratum",
    "key",
    "inspectors",
    "public_label",
)


def save_selections(draw_id: int, selected: Sequence[Selection], personal: set[str]) -> None:
    """One row per selected target, in one driver-level executemany.

    50,000 rows through the ORM or even Core's per-row parameter processing cost
    seconds; the rows are plain values (the team pre-encoded as JSON), so the
    driver takes them as they are, inside the session's transaction.
    """
    encoded: dict[str, str] = {}
    rows = [
        (
            draw_id,
            n,
            s.target,
            s.stratum,
            s.key,
            _team_json(s.inspectors, encoded),
            mask_party_id(s.target) if s.target in personal else None,
        )
        for n, s in enumerate(selected, start=1)
    ]
    if rows:
        connection = db.session.connection()
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        sql = (
            f"INSERT INTO {DrawSelection.__tablename__} ({', '.join(_SELECTION_COLUMNS)}) "
            f"VALUES ({', '.join([mark] * len(_SELECTION_COLUMNS))})"
        )
        connection.exec_driver_sql(sql, rows)


def _team_json(team: tuple[str, ...], encoded: dict[str, str]) -> str:
    """``json.dumps(list(team), ensure_ascii=False)``, each inspector id encoded once per draw
    (a list of strings dumps as ``[`` + its items' JSON joined by ``, `` + ``]``)."""
    items = []
    for inspector in team:
        item = encoded.get(inspector)
        if item is None:
            item = encoded[inspector] = json.dumps(inspector, ensure_ascii=False)
        items.append(item)
    return f"[{', '.join(items)}]"
