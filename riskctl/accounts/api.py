"""``/api/v1/units``."""

from __future__ import annotations

from marshmallow import Schema, fields

from riskctl.accounts.models import Unit
from riskctl.accounts.queries import units_tree
from riskctl.accounts.roles import ALL_ROLES
from riskctl.core.api import ApiBlueprint
from riskctl.core.auth.policy import allow
from riskctl.core.listcache import cached
from riskctl.core.schema import OutSchema, computed

bp = ApiBlueprint(
    "units_api",
    __name__,
    title="单位",
    url_prefix="/api/v1/units",
    description="单位树：局、科室、支队、中队",
)


class UnitSchema(OutSchema):
    class Meta:
        model = Unit

    code = fields.String(metadata={"example": "ZD1-1"})
    name = fields.String(metadata={"example": "市容秩序第一中队"})
    kind = fields.String()
    parent = computed(
        lambda unit: unit.parent.code if unit.parent else None,
        allow_none=True,
        metadata={"description": "上级单位代码（局为 null）"},
    )


class UnitListSchema(Schema):
    items = fields.List(fields.Nested(UnitSchema), required=True)
    total = fields.Integer(required=True)


@bp.route("", methods=["GET"])
@allow(*ALL_ROLES)
@cached
@bp.response(200, UnitListSchema)
def list_units():
    """单位树（全部单位，不分页：{items, total}）"""
    units = units_tree()
    return {"items": units, "total": len(units)}
