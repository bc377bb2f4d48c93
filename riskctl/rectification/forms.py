"""Web forms of the ledger pages (Chinese labels and messages)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from riskctl.rectification.models import SOURCES

_DAYS = NumberRange(min=1, max=250, message="须为 1 到 250 之间的整数")
NOT_INTEGER = "请填写整数"
NOT_A_CHOICE = "请从列表中选择"


class ItemForm(FlaskForm):
    source = SelectField(
        "来源",
        choices=[SelectChoice(k, v) for k, v in SOURCES.items()],
        invalid_choice_message=NOT_A_CHOICE,
    )
    source_ref = StringField(
        "来源记录编号", validators=[DataRequired(message="请填写来源记录编号"), Length(max=120)]
    )
    title = StringField(
        "整改事项",
        validators=[
            DataRequired(message="请填写整改事项"),
            Length(max=200, message="不能超过 200 字"),
        ],
    )
    detail = TextAreaField("问题描述", validators=[Optional(), Length(max=4000)])
    unit = SelectField(
        "责任单位",
        validators=[DataRequired(message="请选择责任单位")],
        invalid_choice_message=NOT_A_CHOICE,
    )
    owner = StringField("整改责任人", validators=[Optional(), Length(max=60)])
    deadline_days = IntegerField(
        "整改期限（工作日）", validators=[Optional(), _DAYS], invalid_value_message=NOT_INTEGER
    )


class EvidenceForm(FlaskForm):
    text = TextAreaField(
        "整改佐证",
        validators=[
            DataRequired(message="请填写佐证材料说明"),
            Length(max=2000, message="不能超过 2000 字"),
        ],
    )


class AttachmentForm(FlaskForm):
    file = FileField("佐证文件", validators=[FileRequired(message="请选择要上传的佐证文件")])


class CloseForm(FlaskForm):
    note = TextAreaField(
        "销号说明",
        validators=[
            DataRequired(message="销号必须填写销号说明（整改情况）"),
            Length(max=2000, message="不能超过 2000 字"),
        ],
    )


class ReopenForm(FlaskForm):
    reason = TextAreaField(
        "重新打开原因",
        validators=[
            DataRequired(message="重新打开必须填写原因"),
            Length(max=2000, message="不能超过 2000 字"),
        ],
    )
    deadline_days = IntegerField(
        "新的整改期限（工作日）", validators=[Optional(), _DAYS], invalid_value_message=NOT_INTEGER
    )
