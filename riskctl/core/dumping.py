"""A response schema compiled into one plain function of a record (the lists' items).

Dumping a page through ``Schema.dump`` costs a call chain per field (``serialize`` →
``get_value`` → ``_serialize``) and per nested record a whole schema pass.
:func:`dumper` compiles a schema once into the source of one function: per field one
attribute read and the field's own conversion (a string or integer already of its type
is answered as it is), so the answer is the schema's own dump (the tests compare the
two on every list). A field of a kind it does not know is dumped by the field itself
(``field.serialize``), so no kind is ever answered differently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import Schema, fields, missing

from riskctl.core.schema import Grouped

Dump = Callable[[Any], dict[str, Any]]

_DUMPERS: dict[type[Schema], Dump] = {}


def dumper(schema: type[Schema]) -> Dump:
    """The compiled dump of one record by ``schema`` (cached per schema class)."""
    dump = _DUMPERS.get(schema)
    if dump is None:
        dump = _DUMPERS[schema] = _compile(schema())
    return dump


def dump_many(schema: type[Schema], records: list[Any]) -> list[dict[str, Any]]:
    dump = dumper(schema)
    return [dump(record) for record in records]


def _compile(schema: Schema) -> Dump:
    if any(schema._hooks[hook] for hook in ("pre_dump", "post_dump")):
        return schema.dump  # processors: the schema's own pass
    # The generated source names no value of the schema: field names, attributes and
    # converters are in `env` (keys[i], attrs[i], c<i>), so any name is safe in it.
    env: dict[str, Any] = {"_m": missing, "_Mapping": Mapping, "_dump": schema.dump}
    keys: list[str] = []
    attrs: list[str] = []
    lines = [
        "def dump(obj):",
        "    if isinstance(obj, _Mapping):",  # keys, not attributes: marshmallow's accessor
        "        return _dump(obj)",
        "    out = {}",
    ]
    for i, (name, field) in enumerate(schema.dump_fields.items()):
        keys.append(field.data_key if field.data_key is not None else name)
        attr, kind, convert = _step(schema, name, field)
        attrs.append(attr)
        env[f"c{i}"] = convert
        if attr == "":  # the converter reads the record itself
            lines += [f"    v = c{i}(obj)", "    if v is not _m:", f"        out[keys[{i}]] = v"]
            continue
        lines += [f"    v = getattr(obj, attrs[{i}], _m)", "    if v is not _m:"]
        if kind is None:
            lines.append(f"        out[keys[{i}]] = v")
        elif kind is object:
            lines.append(f"        out[keys[{i}]] = None if v is None else c{i}(v)")
        else:
            env[f"t{i}"] = kind
            lines.append(f"        out[keys[{i}]] = v if v is None or type(v) is t{i} else c{i}(v)")
    lines.append("    return out")
    env["keys"], env["attrs"] = keys, attrs
    exec("\n".join(lines), env)  # our own source: no value of a request is in it
    return env["dump"]


def _step(
    schema: Schema, name: str, field: fields.Field
) -> tuple[str, type | None, Callable[[Any], Any]]:
    """``(attribute, kind, convert)`` for one field, exactly as ``field.serialize``
    answers: the value read is answered as it is when ``kind`` is None, when not None and
    of type ``kind``, else converted (None stays None); attribute "" means ``convert``
    takes the record itself and answers the value (``missing``: the key is left out)."""
    kind = type(field)
    if kind is fields.Function:
        return "", None, field.serialize_func
    if kind is fields.Method:
        method = field._serialize_method
        return "", None, method if method is not None else lambda obj: missing
    key = field.attribute or name
    convert = None if "." in key or field.dump_default is not missing else _converter(field)
    if convert is None:
        return "", None, lambda obj: field.serialize(name, obj, accessor=schema.get_attribute)
    if kind is Grouped:
        return "", None, convert  # the record itself
    if kind is fields.Raw:
        return key, None, convert
    if kind is fields.String:
        return key, str, convert
    if kind is fields.Integer:
        return key, int, convert
    return key, object, convert


def _converter(field: fields.Field) -> Callable[[Any], Any] | None:
    """``value -> dumped`` for a value that is not None, or None for "ask the field"."""
    kind = type(field)
    if kind is fields.String:
        return lambda v: v if type(v) is str else field._serialize(v, None, None)
    if kind is fields.Integer and not field.as_string:
        return lambda v: v if type(v) is int else int(v)
    if kind in (fields.Date, fields.DateTime):
        return field.SERIALIZATION_FUNCS.get(field.format or field.DEFAULT_FORMAT)
    if kind is fields.Boolean:
        return lambda v: field._serialize(v, None, None)
    if kind is fields.Raw:
        return lambda v: v
    if kind in (fields.Nested, Grouped) and not (field.only or field.exclude):
        nested = field.nested
        if not (isinstance(nested, type) and issubclass(nested, Schema)):
            return None
        if field.many:
            inner = dumper(nested)
            return lambda v: [inner(each) for each in v]
        return dumper(nested)
    if kind is fields.List:
        inner = field.inner
        if type(inner) is fields.Nested and not (inner.only or inner.exclude or inner.many):
            nested = inner.nested
            if isinstance(nested, type) and issubclass(nested, Schema):
                each = dumper(nested)
                return lambda v: [None if item is None else each(item) for item in v]
        convert = _converter(inner) if type(inner) is not fields.Nested else None
        if convert is None:
            return None
        return lambda v: [None if item is None else convert(item) for item in v]
    return None
