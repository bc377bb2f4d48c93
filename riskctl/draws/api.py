"""``/api/v1/draws``: a draw, its full manifest, and verification of any manifest."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request

from riskctl.accounts.roles import ALL_ROLES, DISCIPLINE, LEADER, LEGAL
from riskctl.core.api import ApiBlueprint, errors
from riskctl.core.auth.policy import allow, current_actor, public
from riskctl.core.errors import BadRequest
from riskctl.core.http import upload_limit
from riskctl.draws import operations, queries, verification
from riskctl.draws.engine.draw import result_as_dict
from riskctl.draws.publication import published
from riskctl.draws.schemas import (
    DrawDetailSchema,
    DrawResultSchema,
    ManifestDocumentSchema,
    PublishedDrawSchema,
)

bp = ApiBlueprint(
    "draws_api",
    __name__,
    title="抽取与核验",
    url_prefix="/api/v1/draws",
    description="抽取结果、清单与核验",
)

# Roles that run or oversee draws read target ids in full; everyone else reads
# exactly what the public page shows.
FULL_VIEW = (LEGAL, DISCIPLINE, LEADER)


def json_document(document: Any, filename: str | None = None) -> Response:
    """Compact UTF-8 JSON without Flask's key sorting: a manifest can be 40 MB."""
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    response = Response(body, mimetype="application/json")
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/<int:draw_id>", methods=["GET"])
@allow(*ALL_ROLES)
@bp.response(200, DrawDetailSchema)
def get_draw(draw_id: int):
    """抽取结果：四项摘要、种子、抽中对象（含键值与检查组）、结果摘要、各轮次

    法制科、纪委与局领导看到对象编号全文与抽取人（drawn_by）；其他角色看到公开页面的内容
    （个人信息已遮蔽，无 drawn_by）。
    """
    draw = queries.get_draw(draw_id)
    actor = current_actor()
    if actor.role not in FULL_VIEW:
        return json_document(PublishedDrawSchema().dump(published(draw)))
    if draw.has_personal:
        operations.record_full_view(draw, "selections", actor)
    return published(draw, full=True)


@bp.route("/<int:draw_id>/manifest", methods=["GET"])
@allow(LEGAL, DISCIPLINE, LEADER)
@bp.response(200, ManifestDocumentSchema)
def get_manifest(draw_id: int):
    """完整抽取清单（draw-spec 格式，含本轮公开随机数）；原样提交到 /api/v1/draws/verify 即可复算"""
    draw = queries.get_draw(draw_id)
    if draw.manifest.personal_ids:
        operations.record_full_view(draw, "manifest", current_actor())
    # The engine's canonical document, served as is: pushing a million targets
    # through a schema would only copy them.
    return json_document(queries.manifest_document(draw), f"manifest-{draw.id}.json")


@bp.route("/verify", methods=["POST"])
@public
@upload_limit("VERIFY_MAX_UPLOAD")
@errors(400, 413, 422, 429, 503)
@bp.doc(
    requestBody={
        "required": True,
        "description": "draw-spec 格式的抽取清单（可不带 JSON 内容类型）",
        "content": {"application/json": {"schema": ManifestDocumentSchema}},
    }
)
@bp.response(200, DrawResultSchema)
def verify():
    """核验：按 riskctl-draw/1 由抽取清单重新计算抽取结果

    无需登录；按地址限频、按计算量限额，超限返回 429 或 503。请求体不经 schema
    解析：限额检查先于读取请求体。
    """
    # Limits first: nothing of the body is read before the address and the service
    # have room for one more verification (draws/verification.py).
    with verification.admission(request.remote_addr, request.content_length) as admitted:
        # force: a citizen's `curl -d @manifest.json` sends no JSON content type.
        document = request.get_json(force=True, silent=True)
        if document is None:
            raise BadRequest("请求体不是合法的 JSON：请提交 draw-spec 格式的抽取清单（UTF-8 编码）")
        result = admitted.verify(document)
    # Written straight from the engine's dict (the schema's shape): a marshmallow dump
    # of 300,000 selections would take longer than the draw itself.
    return json_document(result_as_dict(result))
