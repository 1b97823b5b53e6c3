"""Find every schema problem in a JSON value, not only the first.

msgspec stops at the first error, but the debugger and ingest should show all of them at once. So
when the fast `msgspec.convert` fails, this walker goes over the same struct definitions (through
`msgspec.inspect`, so it cannot drift from model.py) and reports each problem in our words and in
jsonschema's words, which the sandbox answers with like Pinterest does (pinterest-capi.md 2.6).

Values that may be personal data (any string, array or object) are never echoed; numbers,
booleans, null and enum values are.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Mapping
from typing import Any

import msgspec
import msgspec.inspect as mi

from pinrelay.pinterest.model import (
    HASHED_USER_FIELDS,
    PLAIN_USER_FIELDS,
    ContentItem,
    ConversionEvent,
    CustomData,
    UserData,
)
from pinrelay.pinterest.problems import Problem, ProblemKind

_DECIMAL = 'a decimal string like "72.39"'
# What to say is expected where the bare type would not help (pinterest-capi.md 2.4, 2.5).
_EXPECTED: dict[tuple[type[msgspec.Struct], str], str] = {
    (ConversionEvent, "event_time"): "an integer (Unix time in seconds)",
    (CustomData, "value"): _DECIMAL,
    (CustomData, "predicted_ltv"): _DECIMAL,
    (ContentItem, "item_price"): _DECIMAL,
    (ContentItem, "quantity"): "an integer",
    (CustomData, "num_items"): "an integer",
    **{
        (UserData, name): "an array of lowercase SHA-256 hex strings" for name in HASHED_USER_FIELDS
    },
    **{(UserData, name): "a plain string (not hashed, not an array)" for name in PLAIN_USER_FIELDS},
}
_JSON_TYPE_NAMES: dict[type[mi.Type], str] = {
    mi.StrType: "string",
    mi.LiteralType: "string",
    mi.IntType: "integer",
    mi.BoolType: "boolean",
    mi.ListType: "array",
    mi.StructType: "object",
}
_PLAIN_EXPECTED = {
    "string": "a string",
    "integer": "an integer",
    "boolean": "a boolean (true or false)",
    "array": "an array",
    "object": "an object",
}


def find_schema_problems(
    value: object, struct_type: type[msgspec.Struct], root: str = ""
) -> list[Problem]:
    """Every schema problem of `value` against `struct_type`; paths start at `root`."""
    problems: list[Problem] = []
    _walk(value, _type_info(struct_type), root, None, problems)
    return problems


@functools.cache
def _type_info(struct_type: type[msgspec.Struct]) -> mi.Type:
    return mi.type_info(struct_type)


def _walk(value: object, t: mi.Type, path: str, expected: str | None, out: list[Problem]) -> None:
    nullable = False
    if isinstance(t, mi.UnionType):
        nullable = any(isinstance(member, mi.NoneType) for member in t.types)
        if value is None and nullable:
            return
        # Every union in model.py is "one type, or null": the spec's `nullable: true`.
        t = next(member for member in t.types if not isinstance(member, mi.NoneType))
    if not _has_json_type(value, t):
        out.append(_type_problem(value, t, path, expected, nullable))
    elif isinstance(t, mi.StructType) and isinstance(value, Mapping):
        _walk_struct(value, t, path, out)
    elif isinstance(t, mi.ListType) and isinstance(value, list | tuple):
        _walk_list(value, t, path, out)
    elif isinstance(t, mi.StrType) and isinstance(value, str):
        _check_string_length(value, t, path, out)
    elif isinstance(t, mi.IntType) and isinstance(value, int):
        _check_int_range(value, t, path, out)
    elif isinstance(t, mi.LiteralType) and value not in t.values:
        choices = ", ".join(str(v) for v in t.values)
        out.append(
            _schema(
                path,
                f"expected one of {choices}, got {_short_repr(value)}",
                f"{_short_repr(value)} is not one of {list(t.values)!r}",
            )
        )


def _has_json_type(value: object, t: mi.Type) -> bool:
    if isinstance(t, mi.StrType | mi.LiteralType):
        return isinstance(value, str)
    if isinstance(t, mi.IntType):
        return isinstance(value, int) and not isinstance(value, bool)  # a bool is not an int
    if isinstance(t, mi.BoolType):
        return isinstance(value, bool)
    if isinstance(t, mi.ListType):
        return isinstance(value, list | tuple)
    if isinstance(t, mi.StructType):
        return isinstance(value, Mapping)
    return isinstance(t, mi.AnyType)


def _walk_struct(value: Mapping[Any, Any], t: mi.StructType, path: str, out: list[Problem]) -> None:
    fields = {field.encode_name: field for field in t.fields}
    if t.forbid_unknown_fields:
        _report_unknown_keys(value, t.cls, list(fields), path, out)
    for field in t.fields:
        child = f"{path}.{field.encode_name}" if path else field.encode_name
        if field.encode_name in value:
            expected = _EXPECTED.get((t.cls, field.encode_name))
            _walk(value[field.encode_name], field.type, child, expected, out)
        elif field.required:
            out.append(
                _schema(
                    child,
                    "required field is missing",
                    f"'{field.encode_name}' is a required property",
                )
            )


def _report_unknown_keys(
    value: Mapping[Any, Any], cls: type, known: list[str], path: str, out: list[Problem]
) -> None:
    unknown = [str(key) for key in value if key not in known]
    if not unknown:
        return
    # user_data extras are schema-legal (section 2.4): we refuse them, the sandbox warns.
    lenient = cls is UserData
    quoted = ", ".join(repr(key) for key in unknown)
    verb = "was" if len(unknown) == 1 else "were"
    schema_message = f"Additional properties are not allowed ({quoted} {verb} unexpected)"
    for key in unknown:
        reason = (
            "unknown field; not a v5 user_data key, so pinrelay does not send it"
            if lenient
            else "unknown field; Pinterest rejects fields outside the v5 schema"
        )
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.8)  # typos only
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        out.append(
            Problem(
                kind=ProblemKind.USER_DATA_KEY if lenient else ProblemKind.SCHEMA,
                path=f"{path}.{key}" if path else key,
                detail=reason + hint,
                schema_message=None if lenient else schema_message,
            )
        )


def _walk_list(
    value: list[Any] | tuple[Any, ...], t: mi.ListType, path: str, out: list[Problem]
) -> None:
    low, high = t.min_length, t.max_length
    if (low is not None and len(value) < low) or (high is not None and len(value) > high):
        bounds = f"{low or 0} to {high} items" if high is not None else f"at least {low} items"
        if not value:
            schema_message = "[] should be non-empty"
        elif high is not None and len(value) > high:
            schema_message = "[…] is too long"
        else:
            schema_message = "[…] is too short"
        out.append(_schema(path, f"expected {bounds}, got {len(value)}", schema_message))
    for index, item in enumerate(value):
        _walk(item, t.item_type, f"{path}[{index}]", None, out)


def _check_string_length(value: str, t: mi.StrType, path: str, out: list[Problem]) -> None:
    if t.max_length is not None and len(value) > t.max_length:
        out.append(
            _schema(
                path,
                f"expected at most {t.max_length} characters, got {len(value)}",
                "'…' is too long",
            )
        )


def _check_int_range(value: int, t: mi.IntType, path: str, out: list[Problem]) -> None:
    low, high = t.ge, t.le
    if low is not None and value < low:
        schema_message = f"{value} is less than the minimum of {low}"
    elif high is not None and value > high:
        schema_message = f"{value} is greater than the maximum of {high}"
    else:
        return
    bounds = f"from {low} to {high}" if high is not None else f"of at least {low}"
    out.append(_schema(path, f"expected an integer {bounds}, got {value}", schema_message))


def _type_problem(
    value: object, t: mi.Type, path: str, expected: str | None, nullable: bool
) -> Problem:
    json_type = _JSON_TYPE_NAMES.get(type(t), "value")
    wanted = expected or _PLAIN_EXPECTED.get(json_type, "a valid value")
    types = f"'{json_type}', 'null'" if nullable else f"'{json_type}'"
    return _schema(
        path,
        f"expected {wanted}, got {_describe(value)}",
        f"{_schema_repr(value)} is not of type {types}",
    )


def _schema(path: str, detail: str, schema_message: str) -> Problem:
    return Problem(ProblemKind.SCHEMA, path, detail, schema_message)


def _describe(value: object) -> str:
    """Name a value for a message without echoing anything that may be personal data."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {'true' if value else 'false'}"
    if isinstance(value, int | float):
        return f"number {value!r}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return f"a Python {type(value).__name__} (not a JSON value)"


def _schema_repr(value: object) -> str:
    """The instance as jsonschema prints it (Python repr), with strings and containers masked."""
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    if isinstance(value, str):
        return "'…'"
    if isinstance(value, list | tuple):
        return "[…]"
    if isinstance(value, Mapping):
        return "{…}"
    return "…"


def _short_repr(value: object) -> str:
    """Enum values are categories, not personal data: echo them, cut to a sane length."""
    text = repr(value)
    return text if len(text) <= 34 else text[:32] + "…'"
