"""Web forms of the warning page (Chinese labels and messages next to the fields)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

NOT_INTEGER = "请填写整数"


class HandleForm(FlaskForm):
    note = TextAreaField(
        "处置情况",
        validators=[
            DataRequired(message="处置必须填写处置情况说明"),
            Length(max=4000, message="不能超过 4000 字"),
        ],
    )
    rectify = BooleanField("同时生成整改事项（整改台账）")
    unit = SelectField("整改责任单位", validators=[Optional()], validate_choice=False)
    owner = StringField(
        "整改责任人", validators=[Optional(), Length(max=60, message="不能超过 60 字")]
    )
    deadline_days = IntegerField(
        "整改期限（工作日）",
        validators=[Optional(), NumberRange(min=1, max=250, message="须为 1 到 250 之间的整数")],
        invalid_value_message=NOT_INTEGER,
    )


class CloseForm(FlaskForm):
    note = TextAreaField(
        "关闭说明",
        validators=[
            DataRequired(message="关闭预警必须填写关闭说明"),
            Length(max=4000, message="不能超过 4000 字"),
        ],
    )


def _id_or_none(value: object) -> int | None:
    # Anything but a risk point number means "none chosen"; validate() then asks for one.
    return int(value) if isinstance(value, int) or str(value).isdigit() else None


class LinkForm(FlaskForm):
    risk_point_id = SelectField(
        "关联风险点",
        coerce=_id_or_none,
        validate_choice=False,
        validators=[Optional()],
    )
    proposal = TextAreaField(
        "建议新增的风险点", validators=[Optional(), Length(max=1000, message="不能超过 1000 字")]
    )

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.risk_point_id.data is None and not (self.proposal.data or "").strip():
            self.risk_point_id.errors.append("请选择风险点，或填写建议新增的风险点")
            return False
        return True
