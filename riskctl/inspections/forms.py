"""Web forms of the 双随机 pages (Chinese labels and messages)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from riskctl.core.figures import percent_text, ratio_of_percent
from riskctl.inspections.models import CREDIT_CLASSES, ITEM_CATEGORIES, RESULT_CODES

NOT_INTEGER = "请填写整数"
NOT_A_DATE = "请填写日期，如 2026-03-01"
NOT_A_CHOICE = "请从列表中选择"


def _required(label: str) -> DataRequired:
    return DataRequired(message=f"请填写{label}")


class PercentField(StringField):
    """A ratio typed and shown as a percentage: 5 (or 5%) is kept as "0.05"; what was
    typed is shown back when the form is refused."""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = valuelist[0].strip() if valuelist else ""
        if not text:
            self.data = ""
            return
        try:
            self.data = format(ratio_of_percent(text), "f")
        except ValueError as exc:
            self.data = text  # not blank: "请填写" would hide the reason
            raise ValueError(f"{self.label.text}：{exc}") from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return percent_text(self.data) if self.data not in (None, "") else ""


class ItemForm(FlaskForm):
    code = StringField("事项编号", validators=[_required("事项编号"), Length(max=40)])
    name = StringField("抽查事项", validators=[_required("抽查事项"), Length(max=200)])
    legal_basis = TextAreaField("法律依据", validators=[_required("法律依据"), Length(max=2000)])
    ratio = PercentField(
        "默认抽查比例（%）",
        validators=[_required("默认抽查比例")],
        description="0 到 100 之间的百分数，最多两位小数，如 5 表示 5%",
    )
    frequency = StringField(
        "抽查频次", validators=[_required("抽查频次"), Length(max=60)], description="如：每年 1 次"
    )
    category = SelectField(
        "事项类别",
        choices=[SelectChoice(k, v) for k, v in ITEM_CATEGORIES.items()],
        invalid_choice_message=NOT_A_CHOICE,
    )


class ItemEditForm(ItemForm):
    code = None  # the code is the item's identity: never edited
    active = BooleanField("在用")
    reason = StringField("修改理由", validators=[_required("修改理由"), Length(max=500)])


class UploadForm(FlaskForm):
    file = FileField("名录文件（.xlsx 或 .csv）", validators=[FileRequired(message="请选择文件")])


class ConfirmImportForm(FlaskForm):
    token = StringField(validators=[DataRequired()])
    missing = RadioField(
        "文件中没有的现有记录",
        choices=[
            SelectChoice("keep", "保留（仍在名录中）"),
            SelectChoice("deactivate", "移出名录 / 停用"),
        ],
        default="keep",
        invalid_choice_message=NOT_A_CHOICE,
    )


class ConflictForm(FlaskForm):
    inspector = StringField("检查人员编号", validators=[_required("检查人员编号"), Length(max=40)])
    target = StringField("检查对象编号", validators=[_required("检查对象编号"), Length(max=64)])
    relation = SelectField(
        "回避情形",
        choices=[
            SelectChoice(v)
            for v in (
                "近亲属关系",
                "曾在该单位任职",
                "经济利益关系",
                "曾处理该对象案件",
                "其他利害关系",
            )
        ],
        invalid_choice_message=NOT_A_CHOICE,
    )
    reason = TextAreaField("具体情况", validators=[_required("具体情况"), Length(max=1000)])


class ReasonForm(FlaskForm):
    reason = StringField("理由", validators=[_required("理由"), Length(max=1000)])


class RecusalForm(FlaskForm):
    inspector = StringField(
        "被申请回避的检查人员编号", validators=[_required("检查人员编号"), Length(max=40)]
    )
    target = StringField("检查对象编号", validators=[_required("检查对象编号"), Length(max=64)])
    applicant = StringField("申请人", validators=[_required("申请人"), Length(max=100)])
    reason = TextAreaField("申请理由", validators=[_required("申请理由"), Length(max=1000)])
    filed_on = DateField(
        "申请日期", validators=[DataRequired(message=NOT_A_DATE)], format="%Y-%m-%d"
    )


class DecisionForm(FlaskForm):
    decision = RadioField(
        "决定",
        choices=[SelectChoice("grant", "批准"), SelectChoice("refuse", "不批准")],
        validators=[DataRequired(message="请选择批准或不批准")],
        invalid_choice_message=NOT_A_CHOICE,
    )
    note = StringField("意见（不批准时必填）", validators=[Optional(), Length(max=1000)])


class PlanForm(FlaskForm):
    code = StringField(
        "计划编号",
        validators=[_required("计划编号"), Length(max=40)],
        description="字母、数字、汉字和 - _ .，如 SJ-2026-Q4-01",
    )
    name = StringField("计划名称", validators=[_required("计划名称"), Length(max=200)])
    items = SelectMultipleField("抽查事项", coerce=str, validate_choice=False)
    ratio_A = PercentField("A 类比例（%）")
    ratio_B = PercentField("B 类比例（%）")
    ratio_C = PercentField("C 类比例（%）")
    ratio_D = PercentField("D 类比例（%）")
    quota_A = StringField("A 类固定配额")
    quota_B = StringField("B 类固定配额")
    quota_C = StringField("C 类固定配额")
    quota_D = StringField("D 类固定配额")
    team_size = IntegerField(
        "每组人数",
        default=2,
        invalid_value_message=NOT_INTEGER,
        validators=[DataRequired(message="请填写每组人数")],
    )
    cap = IntegerField(
        "每人最多分配对象数",
        validators=[Optional(), NumberRange(min=1)],
        invalid_value_message=NOT_INTEGER,
        description="留空则自动计算：每组人数 × 抽取数 ÷ 在岗检查人员数，向上取整后再加 1",
    )
    exclude_recent_months = IntegerField(
        "排除近 N 个月已查且未发现问题的对象",
        default=0,
        validators=[Optional()],
        invalid_value_message=NOT_INTEGER,
    )
    lookback_months = IntegerField(
        "近 N 个月检查过同一对象的人员回避",
        validators=[Optional()],
        invalid_value_message=NOT_INTEGER,
    )
    cross_unit = BooleanField("交叉执法：不派检查人员去本单位主管的对象")
    units = SelectMultipleField("限定主管单位（不选为全局）", coerce=str, validate_choice=False)

    def payload(self) -> dict:
        """The plan as ``InspectionPlanInSchema`` reads it (a blank ratio: class not sampled)."""
        ratios = {
            c: getattr(self, f"ratio_{c}").data.strip()
            for c in CREDIT_CLASSES
            if (getattr(self, f"ratio_{c}").data or "").strip()
        }
        quotas = {
            c: getattr(self, f"quota_{c}").data.strip()
            for c in CREDIT_CLASSES
            if (getattr(self, f"quota_{c}").data or "").strip()
        }
        return {
            "code": self.code.data,
            "name": self.name.data,
            "items": self.items.data or [],
            "ratios": ratios or None,
            "quotas": {c: int(v) if v.lstrip("-").isdigit() else v for c, v in quotas.items()}
            or None,
            "team_size": self.team_size.data,
            "cap": self.cap.data,
            "exclude_recent_months": self.exclude_recent_months.data or 0,
            "lookback_months": self.lookback_months.data,
            "cross_unit": bool(self.cross_unit.data),
            "units": self.units.data or None,
        }


class EntropyForm(FlaskForm):
    entropy = StringField(
        "公开随机数",
        validators=[_required("公开随机数")],
        description="一行文本，如当日福利彩票开奖号码；录入后立即抽取，不能更改",
    )
    entropy_source = StringField(
        "随机数来源",
        validators=[_required("随机数来源"), Length(max=200)],
        description="如：2026-11-20 中国福利彩票双色球第 2026135 期开奖号码",
    )


class ResultForm(FlaskForm):
    result = SelectField(
        "检查结果",
        choices=[SelectChoice(k, v) for k, v in RESULT_CODES.items()],
        invalid_choice_message=NOT_A_CHOICE,
    )
    inspected_on = DateField(
        "检查日期", validators=[DataRequired(message=NOT_A_DATE)], format="%Y-%m-%d"
    )
    note = TextAreaField("情况说明", validators=[Optional(), Length(max=2000)])


class AttachmentForm(FlaskForm):
    file = FileField(
        "附件（检查记录、现场照片等）", validators=[FileRequired(message="请选择文件")]
    )
