"""Shapes of the campaign API's answers beyond the records themselves: lists, the
campaign after its lock or draw, re-draw steps and the results (统计)."""

from __future__ import annotations

from marshmallow import Schema, fields

from riskctl.core.schema import OutSchema
from riskctl.reviews.schemas import CampaignRedrawSchema, CampaignSchema, ReviewFileSchema


def _digests() -> fields.Dict:
    return fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "抽取清单的四个摘要（D_T、D_I、D_C、D_Q）"},
    )


def _by_grade(values: fields.Field) -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=values, metadata={"description": "按等级"})


class CampaignDetailOut(CampaignSchema):
    eligible = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "各单位可抽案卷数（评查期内结案、未被其他活动抽中）"},
    )


class CampaignLockOut(CampaignSchema):
    digests = _digests()


class CampaignDrawOut(CampaignSchema):
    result_digest = fields.String()
    public_url = fields.String(metadata={"description": "公开的抽取结果页"})


class CampaignRedrawListOut(Schema):
    items = fields.List(fields.Nested(CampaignRedrawSchema), required=True)


class CampaignRelockOut(CampaignRedrawSchema):
    digests = _digests()


class CampaignRedrawRunOut(CampaignRedrawSchema):
    round = fields.Integer(metadata={"description": "第几轮抽取（首次为 1）"})
    result_digest = fields.String()
    public_url = fields.String(metadata={"description": "公开的抽取结果页"})


class UnitGradesOut(OutSchema):
    code = fields.String()
    name = fields.String()
    files = fields.Integer(metadata={"description": "已确认案卷数"})
    average = fields.Float(metadata={"description": "平均分"})
    grades = _by_grade(fields.Integer())
    shares = _by_grade(fields.Float())


class GradeTotalsOut(OutSchema):
    files = fields.Integer()
    average = fields.Float(allow_none=True, metadata={"description": "无已确认案卷时为 null"})
    grades = _by_grade(fields.Integer())
    shares = _by_grade(fields.Float())


class DeductionCountOut(OutSchema):
    code = fields.String()
    text = fields.String()
    group = fields.String(allow_none=True)
    kind = fields.String()
    files = fields.Integer(metadata={"description": "涉及案卷数"})
    points = fields.Float(metadata={"description": "合计扣分"})


class CampaignResultsOut(OutSchema):
    campaign = fields.String()
    progress = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "各状态案卷数（assigned、scored、confirmed）"},
    )
    units = fields.List(fields.Nested(UnitGradesOut))
    totals = fields.Nested(GradeTotalsOut)
    frequent_deductions = fields.List(fields.Nested(DeductionCountOut))
    failed_files = fields.List(fields.Nested(ReviewFileSchema))
