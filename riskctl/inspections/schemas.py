"""Input and output schemas of 双随机 inspections."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from riskctl.core.schema import BaseSchema, Text, computed
from riskctl.inspections import options
from riskctl.inspections.models import (
    ITEM_CATEGORIES,
)

_CODE = re.compile(r"[\w.\-]+")


class Code(Text):
    """An identifier used in URLs and manifests: letters, digits, 汉字, ``-``, ``_``, ``.``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=40, required=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = unicodedata.normalize("NFC", super()._deserialize(value, attr, data, **kwargs))
        if not _CODE.fullmatch(text):
            raise ValidationError("只能包含字母、数字、汉字和 - _ .，不能有空格或斜杠")
        return text


class Ratio(fields.Field):
    """A sampling ratio 0–1 kept as a Decimal (so that ceil(N × ratio) is exact)."""

    def __init__(self, **kwargs):
        metadata = {
            "type": "number",
            "description": "抽查比例（0–1）",
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return options.parse_ratio(value, "抽查比例")
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else float(value)


class OneLine(fields.String):
    """One non-empty line: the public entropy of a draw (公开随机数)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise ValidationError("公开随机数不能为空，请录入开奖号码等公开来源的随机数")
        if "\n" in text or "\r" in text:
            raise ValidationError("公开随机数只能是一行文本，不能含有换行")
        if "\x00" in text or len(text) > 500:
            raise ValidationError("公开随机数含有空字符或超过 500 个字符")
        return text


def _labels(mapping: dict[str, str]) -> str:
    return "、".join(f"{k}（{v}）" for k, v in mapping.items())


def _category_from_label(data: Any) -> Any:
    if isinstance(data, dict) and data.get("category") in ITEM_CATEGORIES.values():
        by_label = {v: k for k, v in ITEM_CATEGORIES.items()}
        data = {**data, "category": by_label[data["category"]]}
    return data


_CATEGORY = validate.OneOf(list(ITEM_CATEGORIES), error=f"应为 {_labels(ITEM_CATEGORIES)} 之一")


class InspectionItemInSchema(BaseSchema):
    code = Code()
    name = Text(required=True, max_length=200)
    legal_basis = Text(required=True, max_length=2000)
    ratio = Ratio(required=True)
    frequency = Text(required=True, max_length=60)
    category = fields.String(required=True, validate=_CATEGORY)
    active = fields.Boolean(load_default=True)

    @pre_load
    def _category_label(self, data: Any, **kwargs: Any) -> Any:
        return _category_from_label(data)


class InspectionItemPatchSchema(BaseSchema):
    """A change to an item: any of its fields, and always the reason."""

    name = Text(max_length=200)
    legal_basis = Text(max_length=2000)
    ratio = Ratio()
    frequency = Text(max_length=60)
    category = fields.String(validate=_CATEGORY)
    active = fields.Boolean()
    reason = Text(required=True, max_length=500)

    @pre_load
    def _category_label(self, data: Any, **kwargs: Any) -> Any:
        return _category_from_label(data)


class InspectionReasonSchema(BaseSchema):
    reason = Text(required=True, max_length=1000)


# --- output ---------------------------------------------------------------------


def unit_code(obj: Any) -> str | None:
    return obj.unit.code if obj.unit else None


class InspectionItemSchema(Schema):
    code = fields.String()
    name = fields.String()
    legal_basis = fields.String()
    ratio = Ratio()
    frequency = fields.String()
    category = fields.String()
    category_label = computed(lambda i: ITEM_CATEGORIES[i.category])
    active = fields.Boolean()
