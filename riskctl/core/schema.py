"""marshmallow base schema with Chinese error messages and unknown fields excluded.

Every field of a `BaseSchema` is bounded before its value reaches the database:
integers fit a 32-bit column (``metadata={"bits": 64}`` for a 64-bit one), decimals
and floats stay within ±10¹², strings hold no lone surrogate or NUL and, unless they say
otherwise, at most `MAX_STRING` characters, and dates lie in 2000–2100
(``metadata={"date_range": (lo, hi)}`` for a field that needs more).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from riskctl.core.bounds import (
    DATE_RANGE,
    INT32,
    INT64,
    MAX_ABS_NUMBER,
    SURROGATE_MESSAGE,
    date_error,
    has_surrogate,
)

# A string field that declares no length of its own (Text does) gets this one.
MAX_STRING = 2000
# Control characters (below U+0020) other than the tab and the line feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")

# marshmallow's built-in messages are English; users of this service read Chinese.
# Set once here, for every field class, rather than on every field we declare.
_MESSAGES: dict[type[fields.Field], dict[str, str]] = {
    fields.Field: {
        "required": "此项为必填项",
        "null": "此项不能为空",
        "validator_failed": "取值无效",
    },
    fields.String: {"invalid": "应为文本", "invalid_utf8": "不是有效的 UTF-8 文本"},
    fields.Integer: {"invalid": "应为整数", "too_large": "数值过大"},
    fields.Float: {"invalid": "应为数字", "special": "不允许特殊数值"},
    fields.Decimal: {"invalid": "应为数字", "special": "不允许特殊数值"},
    fields.Number: {"invalid": "应为数字", "too_large": "数值过大"},
    fields.Boolean: {"invalid": "应为 true 或 false"},
    fields.Date: {"invalid": "应为日期（YYYY-MM-DD）", "format": "日期格式无效"},
    fields.DateTime: {"invalid": "应为时间（ISO 8601）", "format": "时间格式无效"},
    fields.List: {"invalid": "应为列表"},
    fields.Dict: {"invalid": "应为对象"},
    fields.Nested: {"type": "应为对象"},
}
for _cls, _messages in _MESSAGES.items():
    _cls.default_error_messages = {**_cls.default_error_messages, **_messages}

Schema.error_messages = {
    "type": "请求体必须是 JSON 对象",
    "unknown": "未知字段",
}


class BaseSchema(Schema):
    """Input schemas ignore unknown fields (clients may send extra keys), and bound every field."""

    class Meta:
        unknown = EXCLUDE

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        bound_field(field_obj)


def bound_field(field: fields.Field) -> None:
    """Add the default bounds of its kind to ``field`` and to the fields it contains."""
    if getattr(field, "_bounded", False):
        return
    field._bounded = True  # type: ignore[attr-defined]
    for inner in _inner_fields(field):
        bound_field(inner)
    extra = _bounds_of(field)
    if extra:
        field.validators = [*field.validators, *extra]


def _inner_fields(field: fields.Field) -> list[fields.Field]:
    if isinstance(field, fields.List):
        return [field.inner]
    if isinstance(field, fields.Tuple):
        return list(field.tuple_fields)
    if isinstance(field, fields.Dict):
        return [f for f in (field.key_field, field.value_field) if f is not None]
    return []


def _bounds_of(field: fields.Field) -> list[Any]:
    if isinstance(field, fields.Integer):
        lo, hi = INT64 if field.metadata.get("bits") == 64 else INT32
        return [validate.Range(lo, hi, error=f"数值超出范围，应在 {lo} 到 {hi} 之间")]
    if isinstance(field, fields.Float | fields.Decimal):
        limit = field.metadata.get("max_abs", MAX_ABS_NUMBER)
        return [validate.Range(-limit, limit, error=f"数值超出范围，绝对值不能超过 {limit:g}")]
    if isinstance(field, fields.String):
        checks: list[Any] = [_storable]
        if not isinstance(field, Text) and not any(
            isinstance(v, validate.Length | validate.OneOf | validate.Equal)
            for v in field.validators
        ):
            checks.append(validate.Length(max=MAX_STRING, error=f"不能超过 {MAX_STRING} 个字符"))
        return checks
    if isinstance(field, fields.Date | fields.DateTime):
        lo, hi = field.metadata.get("date_range", DATE_RANGE)
        return [lambda value: _in_date_range(value, lo, hi)]
    return []


def _storable(value: str) -> None:
    if has_surrogate(value):
        raise ValidationError(SURROGATE_MESSAGE)
    if "\x00" in value:
        raise ValidationError("含有空字符（\\x00），请删除后重试")


def _in_date_range(value: date, lo: date, hi: date) -> None:
    day = value.date() if isinstance(value, datetime) else value
    message = date_error(day, lo, hi)
    if message:
        raise ValidationError(message)


class Text(fields.String):
    """A trimmed string that rejects control characters and is bounded in length."""

    def __init__(self, *, max_length: int = 200, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)
        # Checked in _deserialize with its own message; here so the document shows maxLength.
        self.validators.append(validate.Length(max=max_length))

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if has_surrogate(text):
            raise self.make_error_message(SURROGATE_MESSAGE)
        if _CONTROL.search(text):
            raise self.make_error_message("含有不可见控制字符")
        if len(text) > self.max_length:
            raise self.make_error_message(f"不能超过 {self.max_length} 个字符")
        if self.required and not text:
            raise self.make_error_message("此项为必填项")
        return text

    def make_error_message(self, message: str):
        from marshmallow import ValidationError

        return ValidationError(message)


class OutSchema(Schema):
    """A response schema: a field is nullable exactly when its model column is.

    ``Meta.model`` names the SQLAlchemy model the fields read; a field computed
    elsewhere (``fields.Function``) says ``allow_none=True`` itself when it may be null.
    Every field is always present in the answer, so each is ``required`` in the document.
    """

    class Meta:
        model: Any = None

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        field_obj.required = True
        model = getattr(self.Meta, "model", None)
        table = getattr(model, "__table__", None)
        if table is None:
            return
        column = table.columns.get(field_obj.attribute or field_name)
        if column is not None and column.nullable:
            field_obj.allow_none = True


# The OpenAPI type of what a computed field answers (``computed(fn, int)``).
_COMPUTED_TYPES: dict[type, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    dict: {"type": "object"},
    date: {"type": "string", "format": "date"},
    datetime: {"type": "string", "format": "date-time"},
}


def computed(
    fn: Any, returns: type = str, *, many: bool = False, **kwargs: Any
) -> fields.Function | fields.Method:
    """A read-only value computed from the object, its type declared for the document.

    ``fn`` is a function of the object, or the name of a schema method; ``returns`` the
    Python type it answers (a list of them when ``many``). ``allow_none=True`` when it
    may be null, as for any field.
    """
    schema: dict[str, Any] = dict(_COMPUTED_TYPES[returns])
    if many:
        schema = {"type": "array", "items": schema}
    metadata = {**schema, **kwargs.pop("metadata", {})}
    if isinstance(fn, str):
        return fields.Method(fn, metadata=metadata, **kwargs)
    return fields.Function(fn, metadata=metadata, **kwargs)


class Grouped(fields.Nested):
    """Columns of the same record answered as one object (``commitment: {signed_on, …}``):
    the nested schema reads the record itself, its fields name their columns."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return obj


# Any JSON value (a setting, a threshold, a changed field): typed for the document as the
# ``JsonValue`` component (``riskctl.core.api``), one of string, number, boolean, object, list.
ANY_JSON: dict[str, Any] = {"allOf": [{"$ref": "#/components/schemas/JsonValue"}]}
