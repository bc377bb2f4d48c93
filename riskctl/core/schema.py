"""marshmallow base schema with Chinese error messages and unknown fields excluded."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

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
    """Input schemas ignore unknown fields (clients may send extra keys)."""

    class Meta:
        unknown = EXCLUDE


class Text(fields.String):
    """A trimmed string that rejects control characters and is bounded in length."""

    def __init__(self, *, max_length: int = 200, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
            raise self.make_error_message("含有不可见控制字符")
        if len(text) > self.max_length:
            raise self.make_error_message(f"不能超过 {self.max_length} 个字符")
        if self.required and not text:
            raise self.make_error_message("此项为必填项")
        return text

    def make_error_message(self, message: str):
        from marshmallow import ValidationError

        return ValidationError(message)
