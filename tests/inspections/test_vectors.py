"""The inspection flow — roster, 回避, plan, lock, draw — reproduces the published vectors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from riskctl.accounts import operations as accounts
from riskctl.core.db import db
from riskctl.draws.models import DrawSelection
from riskctl.inspections import operations
from riskctl.inspections.models import Task
from riskctl.inspections.rosters.imports import import_roster
from tests.inspections.conftest import INSPECTOR_HEADER, TARGET_HEADER, csv_bytes

VECTORS = {
    v["name"]: v
    for v in json.loads(
        (Path(__file__).parents[1] / "draws" / "draw-vectors.json").read_text("utf-8")
    )["vectors"]
}


def _roster_from(manifest: dict) -> None:
    for unit in sorted({i["unit"] for i in manifest["inspectors"]}):
        accounts.create_unit(unit, unit, "JU")
    targets = [
        [t["id"], f"对象 {t['id']}", "", "其他", "", t["stratum"], "JU"]
        for t in manifest["targets"]
    ]
    people = [
        [i["id"], f"检查员 {i['id']}", f"证-{i['id']}", i["unit"], "", "在岗"]
        for i in manifest["inspectors"]
    ]
    import_roster("targets", csv_bytes(TARGET_HEADER, targets), "t.csv", None, "legal")
    import_roster("inspectors", csv_bytes(INSPECTOR_HEADER, people), "i.csv", None, "legal")
    for inspector, target in manifest["conflicts"]:
        operations.declare_conflict(inspector, target, "近亲属关系", "向量", "legal")
    db.session.commit()


@pytest.mark.parametrize("name", ["tiny-two-strata", "medium-four-classes"])
def test_a_plan_reproduces_the_published_vector(api, bureau, name):
    manifest, expected = VECTORS[name]["manifest"], VECTORS[name]["expected"]
    _roster_from(manifest)
    client = api("legal")
    created = client.post(
        "/api/v1/inspection/plans",
        json={
            "code": manifest["plan"],
            "name": name,
            "ratios": {s: 1 for s in manifest["quotas"]},
            "quotas": manifest["quotas"],
            "team_size": manifest["team_size"],
            "cap": manifest["cap"],
        },
    )
    assert created.status_code == 201, created.get_json()
    locked = client.post(f"/api/v1/inspection/plans/{manifest['plan']}/lock").get_json()
    assert locked["digests"] == {
        k: expected[k]
        for k in ("targets_digest", "inspectors_digest", "conflicts_digest", "quotas_digest")
    }
    drawn = client.post(
        f"/api/v1/inspection/plans/{manifest['plan']}/draw",
        json={"entropy": manifest["entropy"], "entropy_source": "向量"},
    ).get_json()
    assert (drawn["seed"], drawn["result_digest"]) == (expected["seed"], expected["result_digest"])
    stored = db.session.scalars(
        select(DrawSelection)
        .where(DrawSelection.draw_id == drawn["draw_id"])
        .order_by(DrawSelection.position)
    ).all()
    assert [
        {"target": s.target_id, "stratum": s.stratum, "key": s.key, "inspectors": s.inspectors}
        for s in stored
    ] == expected["selected"]
    tasks = db.session.scalars(select(Task).order_by(Task.position)).all()
    assert [(t.target.code, [i.code for i in t.inspectors]) for t in tasks] == [
        (s["target"], s["inspectors"]) for s in expected["selected"]
    ]
