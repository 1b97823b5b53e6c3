"""Named value transforms of pipeline mappings (`transform: unix_seconds`).

A transform is built once per mapping (`TransformSpec.build(args)`) into a step that runs per
event. A step that cannot apply raises `TransformError`; the compiled mapping catches it,
drops the field and records a note, so nothing raises out of a pipeline at run time.
Reasons never quote the value: it may be PII.

Scalar transforms (`ELEMENTWISE`) also apply to each item of a list, dropping the items they
cannot convert. `transform:` may list several names, applied in order.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pinrelay.errors import PinrelayError
from pinrelay.identity.hashing import normalise_and_hash
from pinrelay.pipeline.model import NO_DEFAULT
from pinrelay.pipeline.paths import MISSING, Path

Step = Callable[[Any], Any]
RootStep = Callable[[Any, Any], Any]  # step(value, root) for transforms that read the message

# Epoch numbers this large are milliseconds (1e11 s is the year 5138): UNVERIFIED heuristic.
EPOCH_MILLISECONDS_FROM = 100_000_000_000
# Beyond this many digits a decimal string is garbage (and a huge exponent would be a DoS).
MAX_DECIMAL_EXPONENT = 30
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


class TransformError(PinrelayError):
    """The transform cannot apply to this value; `reason` says why without quoting it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class TransformArgs:
    target_key: str  # last part of the target path: `ph` for `user_data.ph`
    fields: tuple[Path, ...] = ()
    item_default: Any = NO_DEFAULT
    values: Mapping[str, Any] | None = None  # `map`: the value table
    template: str | None = None  # `template`: text with `{path}` fields


class _NoSource:
    """The value of a mapping without `source` whose first transform is `template`."""

    def __repr__(self) -> str:
        return "NO_SOURCE"


NO_SOURCE: Any = _NoSource()
_TEMPLATE_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def template_fields(template: str) -> list[str]:
    """The `{path}` fields of a template (`{{` and `}}` are literal braces)."""
    return [match[1] for match in _TEMPLATE_FIELD.finditer(template) if match[1] is not None]


def _kind(value: object) -> str:
    """What a value is, for notes: its type in words, never the value itself (PII)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return "a value of another type"


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise TransformError("cannot read a boolean as a number")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float) and math.isfinite(value):
        number = Decimal(repr(value))
    elif isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        number = Decimal(value.strip())
    else:
        raise TransformError(f"cannot read {_kind(value)} as a number")
    if number and abs(number.adjusted()) > MAX_DECIMAL_EXPONENT:
        raise TransformError("the number is out of range")
    return number


def decimal_string(value: Any) -> str:
    """ "72.39" from 72.39 or "72.39"; never exponent notation (pinterest-capi.md §2.5)."""
    return format(_decimal(value), "f")


def to_int(value: Any) -> int:
    number = _decimal(value)
    if number != number.to_integral_value():
        raise TransformError("the number is not a whole number")
    return int(number)


def to_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return decimal_string(value)
    raise TransformError(f"cannot read {_kind(value)} as text")


def unix_seconds(value: Any) -> int:
    """Unix seconds from an ISO-8601 string or an epoch number (pinterest-capi.md §2.2)."""
    if isinstance(value, str) and not _NUMBER.fullmatch(value.strip()):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise TransformError("the text is not an ISO-8601 date-time") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)  # Segment timestamps are UTC
        return math.floor(moment.timestamp())
    try:
        seconds = _decimal(value)
    except (TransformError, InvalidOperation):
        raise TransformError(f"cannot read {_kind(value)} as a time") from None
    if abs(seconds) >= EPOCH_MILLISECONDS_FROM:
        seconds = seconds / 1000
    return math.floor(seconds)


def _text(value: Any, convert: Callable[[str], str]) -> str:
    if not isinstance(value, str):
        raise TransformError(f"cannot read {_kind(value)} as text")
    return convert(value)


def lowercase(value: Any) -> str:
    return _text(value, str.lower)


def uppercase(value: Any) -> str:
    return _text(value, str.upper)


def trim(value: Any) -> str:
    return _text(value, str.strip)


def _elementwise(convert: Callable[[Any], Any]) -> Callable[[TransformArgs], Step]:
    def build(_: TransformArgs) -> Step:
        def step(value: Any) -> Any:
            if not isinstance(value, list):
                return convert(value)
            converted = []
            for item in value:
                try:
                    converted.append(convert(item))
                except TransformError:
                    continue
            if value and not converted:
                raise TransformError("no item of the list could be converted")
            return converted

        return step

    return build


def _items(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        return [value]
    raise TransformError(f"cannot read {_kind(value)} as a list")


def _field_values(args: TransformArgs) -> Callable[[Any], list[Any]]:
    """The `field` of each item, or `item_default` where an item has none (the readers are
    made once: this runs per event)."""
    readers = tuple(path.reader() for path in args.fields)
    item_default = args.item_default

    def values(value: Any) -> list[Any]:
        found = []
        for item in _items(value):
            item_value = MISSING
            for read in readers:
                item_value = read(item)
                if item_value is not MISSING:
                    break
            if item_value is MISSING:
                item_value = item_default
            if item_value is not NO_DEFAULT:
                found.append(item_value)
        return found

    return values


def _normalised_sha256(args: TransformArgs) -> Step:
    # Hashed user_data keys are arrays (pinterest-capi.md §2.4): always answer a list.
    def step(value: Any) -> list[str]:
        values = value if isinstance(value, list) else [value]
        hashes = [h for item in values if (h := normalise_and_hash(args.target_key, item))]
        if not hashes:
            raise TransformError(f"the value cannot be normalised as {args.target_key}")
        return list(dict.fromkeys(hashes))

    return step


def _pluck(args: TransformArgs) -> Step:
    field_values = _field_values(args)

    def step(value: Any) -> list[str]:
        return [to_string(item) for item in field_values(value) if item is not None]

    return step


def _sum(args: TransformArgs) -> Step:
    field_values = _field_values(args) if args.fields else _items

    def step(value: Any) -> int | float:
        numbers = field_values(value)
        total = sum((_decimal(item) for item in numbers), Decimal(0))
        return int(total) if total == total.to_integral_value() else float(total)

    return step


def _count(args: TransformArgs) -> Step:
    field_values = _field_values(args) if args.fields else _items

    def step(value: Any) -> int:
        return len(field_values(value))

    return step


def _first(_: TransformArgs) -> Step:
    def step(value: Any) -> Any:
        if not isinstance(value, list):
            return value
        for item in value:
            if item is not None:
                return item
        raise TransformError("the list is empty")

    return step


def _as_list(_: TransformArgs) -> Step:
    return lambda value: value if isinstance(value, list) else [value]


def _table_key(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return to_string(value)
    raise TransformError(f"cannot look up {_kind(value)} in the map table")


def _map(args: TransformArgs) -> Step:
    table = {_table_key(key): value for key, value in (args.values or {}).items()}

    def convert(value: Any) -> Any:
        key = _table_key(value)
        if key not in table:
            raise TransformError("the value is not in the map table")
        return table[key]

    return _elementwise(convert)(args)


def _template(args: TransformArgs) -> RootStep:
    """Fill `{path}` from the root (the message, or the item inside `each`); `{value}` is
    the value so far."""
    text = args.template or ""
    paths = {name: Path.parse(name) for name in template_fields(text) if name != "value"}

    def step(value: Any, root: Any) -> str:
        def fill(match: re.Match[str]) -> str:
            if match[1] is None:
                return match[0][0]  # `{{` -> `{`, `}}` -> `}`
            found = value if match[1] == "value" else paths[match[1]].read(root)
            if found is MISSING or found is NO_SOURCE:
                raise TransformError(f"the template field {{{match[1]}}} has no value")
            return to_string(found)

        return _TEMPLATE_FIELD.sub(fill, text)

    return step


# Currency symbols with one meaning; "$", "¥", "kr" name several currencies and are refused.
CURRENCY_SYMBOLS = {
    "€": "EUR", "£": "GBP", "₹": "INR", "₩": "KRW", "₽": "RUB", "₺": "TRY", "₴": "UAH",
    "₪": "ILS", "₫": "VND", "₱": "PHP", "฿": "THB", "zł": "PLN", "us$": "USD", "a$": "AUD",
    "c$": "CAD", "nz$": "NZD", "hk$": "HKD", "s$": "SGD", "r$": "BRL", "円": "JPY", "元": "CNY",
}  # fmt: skip
_CURRENCY_CODE = re.compile(r"[A-Za-z]{3}")
MAX_INT64 = 2**63 - 1  # Pinterest's integers are int64 (pinterest-capi.md §2.5)


def currency_code(value: Any) -> str:
    """An ISO-4217 code from "eur", "EUR" or an unambiguous symbol such as "€"."""
    text = _text(value, str.strip)
    if _CURRENCY_CODE.fullmatch(text):
        return text.upper()
    code = CURRENCY_SYMBOLS.get(text.lower())
    if code is None:
        raise TransformError("not an ISO-4217 code (e.g. EUR) nor a currency symbol of one")
    return code


def line_total(value: Any) -> str:
    """price x quantity of one product (quantity 1 when absent), as a decimal string."""
    if not isinstance(value, Mapping):
        raise TransformError(f"cannot read {_kind(value)} as a product")
    price = value.get("price")
    if price is None:
        raise TransformError("the product has no price")
    quantity = value.get("quantity")
    total = _decimal(price) * (Decimal(1) if quantity is None else _decimal(quantity))
    return format(total, "f")


def _whole_items(args: TransformArgs) -> Step:
    """How many items: each quantity rounded up (1.5 kg of cheese is 2 items, never 1.5,
    which Pinterest's integer `num_items` refuses)."""

    field_values = _field_values(args)

    def step(value: Any) -> int:
        total = sum((math.ceil(_decimal(item)) for item in field_values(value)), start=0)
        if not 0 <= total <= MAX_INT64:
            raise TransformError("the number of items is out of range")
        return total

    return step


@dataclass(frozen=True, slots=True)
class TransformSpec:
    build: Callable[[TransformArgs], Callable[..., Any]]  # a Step, or a RootStep if reads_root
    uses_field: bool = False  # reads the mapping's `field` / `item_default`
    needs_field: bool = False
    hashes: bool = False  # target must be a hashed user_data key
    needs_key: str | None = None  # a mapping key the transform reads (`values`, `template`)
    reads_root: bool = False  # the step is `step(value, root)`


# The scalar conversions of the elementwise transforms: a step calls its conversion directly on
# a value that is not a list, which is what lets generated code (pipeline.codegen) skip the step.
ELEMENTWISE: Mapping[str, Callable[[Any], Any]] = {
    "unix_seconds": unix_seconds,
    "decimal_string": decimal_string,
    "to_string": to_string,
    "to_int": to_int,
    "lowercase": lowercase,
    "uppercase": uppercase,
    "trim": trim,
    "currency_code": currency_code,
}

TRANSFORMS: Mapping[str, TransformSpec] = {
    "unix_seconds": TransformSpec(_elementwise(unix_seconds)),
    "normalised_sha256": TransformSpec(_normalised_sha256, hashes=True),
    "pluck": TransformSpec(_pluck, uses_field=True, needs_field=True),
    "decimal_string": TransformSpec(_elementwise(decimal_string)),
    "to_string": TransformSpec(_elementwise(to_string)),
    "to_int": TransformSpec(_elementwise(to_int)),
    "lowercase": TransformSpec(_elementwise(lowercase)),
    "uppercase": TransformSpec(_elementwise(uppercase)),
    "trim": TransformSpec(_elementwise(trim)),
    "sum": TransformSpec(_sum, uses_field=True),
    "count": TransformSpec(_count, uses_field=True),
    "first": TransformSpec(_first),
    "as_list": TransformSpec(_as_list),
    "map": TransformSpec(_map, needs_key="values"),
    "template": TransformSpec(_template, needs_key="template", reads_root=True),
    "currency_code": TransformSpec(_elementwise(currency_code)),
    "line_total": TransformSpec(lambda _: line_total),
    "whole_items": TransformSpec(_whole_items, uses_field=True),
}
