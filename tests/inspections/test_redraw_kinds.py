"""Issue 12 §2 walked through: a re-draw approved for "DX-0005 已注销" must not re-run the
same manifest with new entropy; the corrected roster is re-locked and published first."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from riskctl.core.audit import verify_chain
from riskctl.core.db import db
from riskctl.draws.models import Draw, DrawManifest
from riskctl.inspections.models import Plan, Target
from tests.inspections.conftest import SOURCE
from tests.inspections.test_concurrency import _race

NEW = {"entropy": "2026-11-22 公证摇号 03 08 15 27 44", "entropy_source": SOURCE}
PLAN = "/api/v1/inspection/plans/SJ-T-01"


def _approved(api, kind: str, reason: str) -> int:
    request = api("legal").post(f"{PLAN}/redraws", json={"kind": kind, "reason": reason})
    assert request.status_code == 201, request.get_json()
    request_id = request.get_json()["id"]
    decision = api("leader").post(
        f"/api/v1/inspection/redraws/{request_id}/decision", json={"approve": True, "note": "同意"}
    )
    assert decision.status_code == 200
    return request_id


def test_a_wrong_manifest_is_relocked_and_published_before_new_entropy(api, drawn, client):
    request_id = _approved(api, "manifest_error", "DX-0005 已注销")
    legal = api("legal")
    # Running against the old manifest is refused: that would be a free re-roll.
    rerun = legal.post(f"/api/v1/inspection/redraws/{request_id}/run", json=NEW)
    assert rerun.status_code == 409 and "不能对原清单重抽" in rerun.get_json()["error"]["message"]
    # Nor can the "corrected" manifest be the same one.
    same = legal.post(f"/api/v1/inspection/redraws/{request_id}/relock")
    assert same.status_code == 422 and "完全相同" in same.get_json()["error"]["message"]

    drawn_ids = [
        s["target"] for s in legal.get(f"/api/v1/draws/{drawn['draw_id']}").get_json()["selected"]
    ]
    closed = drawn_ids[0]
    db.session.execute(update(Target).where(Target.code == closed).values(closed=True))
    db.session.commit()
    relocked = legal.post(f"/api/v1/inspection/redraws/{request_id}/relock")
    assert relocked.status_code == 200, relocked.get_json()
    manifest_id = relocked.get_json()["manifest_id"]
    page = client.get(f"/public/draws/manifests/{manifest_id}").get_data(as_text=True)
    assert "第 2 版" in page and closed in page  # the removal is public before the entropy

    run = legal.post(f"/api/v1/inspection/redraws/{request_id}/run", json=NEW)
    assert run.status_code == 201, run.get_json()
    draw = db.session.get(Draw, run.get_json()["draw_id"])
    assert (draw.round, draw.redraw_kind, draw.manifest_id) == (2, "manifest_error", manifest_id)
    public = client.get(f"/public/draws/{draw.id}.json").get_json()
    redraw = public["redraw"]
    assert redraw["kind_label"] == "抽取清单有误" and redraw["reason"] == "DX-0005 已注销"
    assert redraw["manifest_changed"] and redraw["approved_by"]
    assert any(closed in t for t in redraw["changes"]["targets"]["removed"])
    assert [r["round"] for r in public["rounds"]] == [1, 2]
    html = client.get(f"/public/draws/{draw.id}").get_data(as_text=True)
    assert "抽取清单有误" in html and "两版清单的差异" in html
    assert closed not in [s["target"] for s in public["selected"]]
    # The re-draw warning counts rounds per plan, across manifest versions.
    from riskctl.warnings.models import Warning
    from riskctl.warnings.scan import run_scan
    from riskctl.warnings.sources import draws as draw_rules

    run_scan(rules=(draw_rules.REDRAWN,))
    warning = db.session.scalar(select(Warning).where(Warning.rule == "draw_redrawn"))
    assert warning is not None and "已重抽 1 次" in warning.title


def test_an_unchanged_manifest_is_redrawn_only_for_a_failed_entropy_source(api, drawn):
    request_id = _approved(api, "entropy_failure", "开奖推迟，号码未公布")
    legal = api("legal")
    relock = legal.post(f"/api/v1/inspection/redraws/{request_id}/relock")
    assert relock.status_code == 409 and "不能重新锁定" in relock.get_json()["error"]["message"]
    run = legal.post(f"/api/v1/inspection/redraws/{request_id}/run", json=NEW)
    assert run.status_code == 201
    draw = db.session.get(Draw, run.get_json()["draw_id"])
    assert draw.redraw_kind == "entropy_failure"
    assert draw.manifest_id == db.session.get(Draw, drawn["draw_id"]).manifest_id
    other = legal.post(f"{PLAN}/redraws", json={"kind": "reroll", "reason": "结果不理想"})
    assert other.status_code == 422


@pytest.mark.postgres_only
def test_a_redraw_run_twice_at_once_succeeds_once(database_url, is_postgres, api, drawn):
    if not is_postgres:
        pytest.skip("SQLite serialises writers itself; the row lock is PostgreSQL's")
    request_id = _approved(api, "entropy_failure", "开奖号码录入有误")
    from tests.factories import Bureau  # noqa: F401

    token = api("legal").headers["Authorization"].split()[1]
    path = f"/api/v1/inspection/redraws/{request_id}/run"
    assert _race(database_url, token, path, NEW) == [201, 409, 409, 409]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Draw.id))) == 2
    assert db.session.scalar(select(func.count(DrawManifest.id))) == 1
    assert db.session.scalar(select(Plan.draw_id)) != drawn["draw_id"]
    assert verify_chain()[1] is None
