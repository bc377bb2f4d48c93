"""``/api/v1/units``."""

from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields

from riskctl.accounts.queries import units_tree
from riskctl.accounts.roles import ALL_ROLES
from riskctl.core.auth.policy import allow
from riskctl.core.http import doc

bp = Blueprint("units_api", __name__, url_prefix="/api/v1/units")


class UnitSchema(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    parent = fields.Function(lambda unit: unit.parent.code if unit.parent else None)


@bp.get("")
@allow(*ALL_ROLES)
@doc("单位树", response=UnitSchema, tags=("units",))
def list_units():
    units = units_tree()
    return {"items": UnitSchema(many=True).dump(units), "total": len(units)}
