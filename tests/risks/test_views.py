"""The pages: real data rendered, forms posted with the CSRF token, officers scoped."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from riskctl.core import clock
from riskctl.core.db import db
from riskctl.risks.models import RiskPoint, RiskPointVersion
from tests.risks.conftest import make_point, row, xlsx

# Dates count from the bureau's today: run at moments where UTC and Beijing disagree.
pytestmark = pytest.mark.usefixtures("instant")

SCRIPT = '<script>alert(1)</script><font color="red">罚款</font>'


def count(model=RiskPoint) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def form(token, **fields):
    data = {
        "csrf_token": token,
        "unit": "ZD1-1",
        "post": "现场执法岗",
        "power": "行政处罚",
        "stage": "承办",
        "title": "选择性执法",
        "description": "对熟人不予查处",
        "category": "岗位职责风险",
        "likelihood": "3",
        "impact": "2",
        "responsible": "张勇",
        "supervisor": "陈明",
        "indicator": "开启率",
        "next_review": "",
        "measures-0-text": "全程记录",
        "measures-0-owner": "张勇",
        "measures-0-deadline": "2099-09-30",
        "measures-0-status": "in_progress",
        "measures-1-text": "",
        "measures-1-owner": "",
        "measures-1-deadline": "",
        "measures-1-status": "planned",
    }
    data.update(fields)
    return data


def test_the_list_shows_points_with_filters_and_escapes_markup(web):
    make_point(title=SCRIPT)
    make_point(
        title="环卫审批拖延",
        unit="ZD2-1",
        likelihood=1,
        impact=1,
        next_review=(clock.today() - timedelta(days=3)).isoformat(),
    )
    client, _ = web("leader")
    page = client.get("/risks/").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;font" in page
    assert "<script>alert(1)" not in page
    assert "环卫审批拖延" in page and "已逾期" in page
    assert "登记风险点" not in page  # leaders read only
    filtered = client.get("/risks/?overdue=review").get_data(as_text=True)
    assert "环卫审批拖延" in filtered and "&lt;script&gt;" not in filtered
    empty = client.get("/risks/?q=没有这个").get_data(as_text=True)
    assert "暂无数据" in empty


def test_the_detail_page_shows_measures_and_history(web):
    point = make_point(title=SCRIPT)
    client, _ = web("discipline")
    page = client.get(f"/risks/{point.id}").get_data(as_text=True)
    assert (
        "&lt;font color=&#34;red&#34;&gt;" in page or "&lt;font color=&quot;red&quot;&gt;" in page
    )
    assert "全程佩戴执法记录仪" in page and "第 1 版 · 新建" in page
    assert "记录评估" in page and "停用风险点" in page
    history = page.split("第 1 版 · 新建", 1)[1]
    unit = point.unit
    assert f'<td class="pre">{unit.name}</td>' in history
    assert f'<td class="pre">{unit.code}</td>' not in history


def test_registering_through_the_form(web):
    client, token = web("discipline")
    assert "风险矩阵" in client.get("/risks/new").get_data(as_text=True)
    response = client.post("/risks/new", data=form(token))
    assert response.status_code == 302
    point = db.session.scalar(select(RiskPoint))
    assert (point.title, point.likelihood, point.impact) == ("选择性执法", 3, 2)
    assert [(m.text, m.owner) for m in point.measures] == [("全程记录", "张勇")]


def test_bad_form_input_is_shown_next_to_the_fields_and_nothing_is_written(web):
    client, token = web("discipline")
    response = client.post(
        "/risks/new",
        data=form(token, title="", likelihood="x", **{"measures-0-deadline": "2026-13-45"}),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count('class="error"') >= 3
    assert "此项为必填项" in page and "应为整数" in page and "日期" in page
    assert count() == 0


def test_editing_needs_a_reason_and_makes_a_version(web):
    point = make_point()
    client, token = web("discipline")
    edit = client.get(f"/risks/{point.id}/edit").get_data(as_text=True)
    assert "修改原因" in edit and 'value="全程佩戴执法记录仪"' in edit
    fields = form(
        token,
        version="1",
        likelihood="3",
        impact="3",
        responsible="李明",
        next_review=point.next_review.isoformat(),
        **{"measures-0-text": "全程佩戴执法记录仪", "measures-0-deadline": "2099-09-30"},
    )
    refused = client.post(f"/risks/{point.id}/edit", data={**fields, "reason": ""})
    assert refused.status_code == 422 and "请填写修改原因" in refused.get_data(as_text=True)
    saved = client.post(f"/risks/{point.id}/edit", data={**fields, "reason": "岗位调整"})
    assert saved.status_code == 302
    db.session.expire_all()
    point = db.session.get(RiskPoint, point.id)
    assert (point.responsible, point.version) == ("李明", 2)
    version = db.session.scalar(select(RiskPointVersion).where(RiskPointVersion.number == 2))
    # only what differs from version 1 is recorded
    assert {c["field"] for c in version.changes} == {"responsible", "title", "indicator"}


def test_a_retired_point_cannot_be_edited_from_the_page(web):
    point = make_point()
    client, token = web("discipline")
    assert (
        client.post(
            f"/risks/{point.id}/retire", data={"csrf_token": token, "reason": ""}
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"/risks/{point.id}/retire", data={"csrf_token": token, "reason": "职权划转"}
        ).status_code
        == 302
    )
    page = client.get(f"/risks/{point.id}").get_data(as_text=True)
    assert "已停用" in page and "职权划转" in page and "停用风险点" not in page
    assert client.get(f"/risks/{point.id}/edit").status_code == 302
    response = client.post(f"/risks/{point.id}/edit", data=form(token, reason="改", version="2"))
    assert response.status_code == 409


def test_recording_a_review_from_the_page(web):
    point = make_point()
    client, token = web("discipline")
    bad = client.post(
        f"/risks/{point.id}/review",
        data={"csrf_token": token, "note": "", "likelihood": "", "impact": ""},
    )
    assert bad.status_code == 422 and "此项为必填项" in bad.get_data(as_text=True)
    ok = client.post(
        f"/risks/{point.id}/review",
        data={
            "csrf_token": token,
            "note": "风险可控",
            "reviewed_on": "",
            "likelihood": "1",
            "impact": "",
        },
    )
    assert ok.status_code == 302
    db.session.expire_all()
    point = db.session.get(RiskPoint, point.id)
    assert point.likelihood == 1 and point.last_reviewed == clock.today()


def test_a_post_without_the_csrf_token_is_refused(web):
    client, _ = web("discipline")
    assert client.post("/risks/new", data=form("")).status_code == 400
    assert count() == 0


def test_import_preview_shows_every_problem_and_writes_nothing(web):
    client, token = web("discipline")
    data = xlsx(row(**{"可能性": 7}), row(**{"风险点": "乙", "单位": "无此单位"}))
    response = client.post(
        "/risks/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), "登记表.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "共 2 处问题，未导入任何数据" in page
    assert "<td>2</td><td>可能性</td>" in page and "<td>3</td><td>单位</td>" in page
    assert count() == 0


def test_import_preview_then_confirm(web):
    make_point(title="选择性执法", responsible="王芳")
    client, token = web("discipline")
    data = xlsx(row(), row(**{"风险点": "新风险"}))
    preview = client.post(
        "/risks/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), "登记表.xlsx")},
        content_type="multipart/form-data",
    )
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "预览：尚未写入" in page
    assert count() == 1
    upload = re.search(r'name="token" value="([^"]+)"', page).group(1)
    confirm = {"csrf_token": token, "token": upload, "suffix": ".xlsx", "filename": "登记表.xlsx"}
    refused = client.post("/risks/import/confirm", data={**confirm, "reason": ""})
    assert refused.status_code == 422 and "请填写修改原因" in refused.get_data(as_text=True)
    assert count() == 1
    done = client.post("/risks/import/confirm", data={**confirm, "reason": "年度排查"})
    assert done.status_code == 302
    assert count() == 2
    assert "导入完成" in client.get("/risks/").get_data(as_text=True)
    again = client.post("/risks/import/confirm", data={**confirm, "reason": "年度排查"})
    assert again.status_code == 302 and count() == 2  # the upload is used once


def test_export_heat_map_and_quality_pages(web):
    make_point(responsible="")
    make_point(title="中风险", unit="ZD2-1", likelihood=2, impact=2)
    client, _ = web("legal")
    export = client.get("/risks/export.xlsx?level=高")
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    heat = client.get("/risks/heatmap").get_data(as_text=True)
    assert "在用风险点共 2 个" in heat and "市容秩序第一中队" in heat
    assert "在用风险点共 1 个" in client.get("/risks/heatmap?unit=ZD2").get_data(as_text=True)
    quality = client.get("/risks/quality").get_data(as_text=True)
    assert "未填写责任人" in quality
    assert "暂无数据" in client.get("/risks/quality?rule=measure_overdue").get_data(as_text=True)


def test_an_officer_sees_only_their_units_points(web):
    own = make_point(title="本中队风险")
    other = make_point(title="环卫风险", unit="ZD2-1")
    client, token = web("officer")
    page = client.get("/risks/").get_data(as_text=True)
    assert "本中队风险" in page and "环卫风险" not in page
    assert client.get(f"/risks/{own.id}").status_code == 200
    assert client.get(f"/risks/{other.id}").status_code == 404
    assert "在用风险点共 1 个" in client.get("/risks/heatmap").get_data(as_text=True)
    assert client.post("/risks/new", data=form(token)).status_code == 403


def test_the_home_page_card_counts_overdue_reviews_and_measures(web):
    make_point(
        next_review=(clock.today() - timedelta(days=1)).isoformat(),
        measures=[
            {
                "text": "当日上缴",
                "owner": "刘洋",
                "deadline": (clock.today() - timedelta(days=2)).isoformat(),
            }
        ],
    )
    client, _ = web("leader")
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'<span class="value">2</span><span class="label">逾期评估与措施</span>', page)
