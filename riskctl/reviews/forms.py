"""Web forms of the reviews pages whose fields are fixed (Chinese labels and messages)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, FileField, IntegerField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from riskctl.rectification.forms import NOT_INTEGER

NOT_A_DATE = "请填写日期，如 2026-06-30"


class CampaignForm(FlaskForm):
    code = StringField(
        "活动编号",
        validators=[
            DataRequired(message="请填写活动编号"),
            Regexp(r"^[A-Za-z0-9\-_]{2,40}$", message="只能含字母、数字、- 和 _（2–40 位）"),
        ],
    )
    name = StringField(
        "活动名称",
        validators=[
            DataRequired(message="请填写活动名称"),
            Length(max=100, message="不能超过 100 字"),
        ],
    )
    period_start = DateField(
        "评查期开始（结案日期起）",
        validators=[DataRequired(message=NOT_A_DATE)],
        invalid_value_message=NOT_A_DATE,
    )
    period_end = DateField(
        "评查期结束（结案日期止）",
        validators=[DataRequired(message=NOT_A_DATE)],
        invalid_value_message=NOT_A_DATE,
    )
    team_size = IntegerField(
        "每卷评查人数",
        default=2,
        invalid_value_message=NOT_INTEGER,
        validators=[NumberRange(min=1, max=5, message="须为 1 到 5 人")],
    )
    cap = IntegerField(
        "每人最多评查件数",
        validators=[Optional(), NumberRange(min=1, message="须不小于 1")],
        invalid_value_message=NOT_INTEGER,
    )

    def validate_period_end(self, field) -> None:
        if self.period_start.data and field.data and field.data < self.period_start.data:
            raise ValidationError("结束日期不能早于开始日期")


class CampaignEditForm(CampaignForm):
    """A draft campaign's own fields; its code names it and stays (抽取件数、评查人员 are set
    on the campaign page)."""

    code = None


class DrawForm(FlaskForm):
    entropy = StringField(
        "公开随机数", validators=[DataRequired(message="请录入公开随机数"), Length(max=500)]
    )
    entropy_source = StringField("随机数来源", default="现场录入", validators=[Length(max=200)])


class ImportForm(FlaskForm):
    file = FileField("案卷登记表（.xlsx 或 .csv）")


class ReviewerForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(message="请选择用户")])
    badge_no = StringField(
        "执法证号",
        validators=[
            DataRequired(message="请填写执法证号"),
            Length(max=40, message="不能超过 40 位"),
        ],
    )


class ConfirmForm(FlaskForm):
    note = TextAreaField("确认意见", validators=[Optional(), Length(max=2000)])
    overturn_reason = TextAreaField(
        "推翻否决项的书面理由", validators=[Optional(), Length(max=2000)]
    )


class ReferForm(FlaskForm):
    note = TextAreaField(
        "移送说明",
        validators=[DataRequired(message="请填写移送说明（移送对象与事由）"), Length(max=2000)],
    )


class ReplaceForm(FlaskForm):
    old = StringField("被更换的评查人员", validators=[DataRequired(message="请选择")])
    reason = TextAreaField(
        "更换原因", validators=[DataRequired(message="请填写更换原因"), Length(max=1000)]
    )


class RubricForm(FlaskForm):
    name = StringField("标准名称", validators=[DataRequired(message="请填写名称"), Length(max=100)])
    note = StringField("修订说明", validators=[Optional(), Length(max=1000)])
    body = TextAreaField("评查标准（JSON）", validators=[DataRequired(message="请填写评查标准")])
