"""What an export's columns mean: a small YAML mapping file, or one of the built-in ones.

A mapping turns a row into a Segment `track` message (the event name, its id, its time, and
columns into `properties.*` and `context.traits.*`); from there the row takes the same path
as a live event: identity hashes the traits, the pipelines map the message to Pinterest.
Errors name the line of the mapping file, as the pipeline loader's do.

    name: my-sheet
    event: Order Completed        # the Segment event each row becomes
    event_id: order_id            # column -> messageId -> Pinterest event_id (else a row hash)
    time: created                 # column holding when the sale happened
    time_format: "%d/%m/%Y %H:%M" # optional; ISO 8601, unix and the exports' own are known
    timezone: Europe/Paris        # for times without an offset (default UTC)
    line_items: false             # true: consecutive rows with one event_id are one order
    fields:                       # Segment field: column (or a list: the first non-empty)
      context.traits.email: email
      properties.revenue: amount
    products:                     # per row, when line_items is true: product field: column
      sku: item_sku
    defaults:                     # Segment field: value when its column is empty or absent
      properties.currency: EUR
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

from pinrelay.errors import ImportFileError
from pinrelay.offline.reader import column_key
from pinrelay.pipeline.yamlmarks import MarkedDict, YamlSyntaxError, load_marked_documents

BUILT_IN = ("shopify", "woocommerce", "generic")
FIELD_PREFIXES = ("properties.", "context.traits.")
RESERVED_FIELDS = ("properties.action_source",)  # an import is offline, always
PRODUCT_FIELDS = ("product_id", "sku", "name", "price", "quantity", "category", "brand")
_KEYS = (
    "name",
    "event",
    "event_id",
    "user_id",
    "time",
    "time_format",
    "timezone",
    "line_items",
    "fields",
    "products",
    "defaults",
)

Columns = tuple[str, ...]


@dataclass(frozen=True)
class ImportMapping:
    """A parsed mapping; column names are already lowercased (see reader.column_key)."""

    name: str
    time: str
    event: str = "Order Completed"
    event_id: str | None = None
    user_id: str | None = None
    time_format: str | None = None
    timezone: str | None = None
    line_items: bool = False
    fields: tuple[tuple[str, Columns], ...] = ()
    products: tuple[tuple[str, Columns], ...] = ()
    defaults: tuple[tuple[str, str], ...] = field(default=())

    def with_overrides(
        self,
        *,
        event: str | None = None,
        event_id: str | None = None,
        time_column: str | None = None,
        time_format: str | None = None,
        timezone: str | None = None,
        columns: dict[str, str] | None = None,
    ) -> ImportMapping:
        """This mapping with what flags or the admin API changed."""
        changed = replace(
            self,
            event=event or self.event,
            event_id=column_key(event_id) if event_id else self.event_id,
            time=column_key(time_column) if time_column else self.time,
            time_format=time_format or self.time_format,
            timezone=timezone or self.timezone,
        )
        if columns:
            for target in columns:
                _check_target(target, "columns")
            extra = {t: (column_key(c),) for t, c in columns.items()}
            kept = tuple((t, c) for t, c in changed.fields if t not in extra)
            changed = replace(changed, fields=kept + tuple(extra.items()))
        return changed


def built_in_text(name: str) -> str:
    if name not in BUILT_IN:
        raise ImportFileError(
            f"no built-in mapping {name!r}: use one of {', '.join(BUILT_IN)} or a YAML file"
        )
    return resources.files("pinrelay.offline.mappings").joinpath(f"{name}.yaml").read_text("utf-8")


def load_mapping(name_or_text: str) -> ImportMapping:
    """A built-in mapping by name, or a mapping's YAML text."""
    if name_or_text.strip() in BUILT_IN:
        return parse_mapping(built_in_text(name_or_text.strip()))
    return parse_mapping(name_or_text)


def _problem(line: int, message: str) -> ImportFileError:
    return ImportFileError(f"mapping line {line}: {message}")


def _check_target(target: str, section: str, line: int = 0) -> None:
    if not target.startswith(FIELD_PREFIXES) or target.endswith("."):
        message = (
            f"{section}: {target!r} is not a Segment field pinrelay fills; "
            "start it with properties. or context.traits. (e.g. context.traits.email)"
        )
        raise _problem(line, message) if line else ImportFileError(message)
    if target in RESERVED_FIELDS:
        message = f"{section}: {target} is always offline for an import; remove it"
        raise _problem(line, message) if line else ImportFileError(message)


def _columns(value: Any, where: str, line: int) -> Columns:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(i, str | int) and str(i).strip() for i in items):
        raise _problem(line, f"{where}: expected a column name or a list of column names")
    return tuple(column_key(str(i)) for i in items)


def _section(doc: MarkedDict, key: str) -> MarkedDict:
    value = doc.get(key)
    if value is None:
        return MarkedDict()
    if not isinstance(value, MarkedDict):
        raise _problem(doc.value_positions[key].line, f"{key}: expected a mapping of field: column")
    return value


def parse_mapping(text: str) -> ImportMapping:
    """Parse a mapping's YAML; raise ImportFileError naming the line at fault."""
    try:
        documents, duplicates = load_marked_documents(text)
    except YamlSyntaxError as exc:
        raise _problem(exc.position.line, f"not YAML: {exc.message}") from None
    if duplicates:
        raise _problem(duplicates[0].position.line, f"{duplicates[0].key!r} is given twice")
    if len(documents) != 1 or not isinstance(documents[0], MarkedDict):
        raise ImportFileError("a mapping is one YAML mapping (name:, event:, time:, fields:)")
    doc: MarkedDict = documents[0]
    for key in doc:
        if key not in _KEYS:
            raise _problem(
                doc.key_positions[key].line, f"unknown key {key!r}; known: {', '.join(_KEYS)}"
            )

    def text_of(key: str) -> str | None:
        value = doc.get(key)
        if value is None:
            return None
        if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
            raise _problem(doc.value_positions[key].line, f"{key}: expected text")
        return str(value).strip()

    time_column = text_of("time")
    if time_column is None:
        raise ImportFileError("mapping: time: name the column that says when the sale happened")
    line_items = doc.get("line_items", False)
    if not isinstance(line_items, bool):
        raise _problem(doc.value_positions["line_items"].line, "line_items: expected true/false")

    fields = _section(doc, "fields")
    for target in fields:
        _check_target(str(target), "fields", fields.key_positions[target].line)
    products = _section(doc, "products")
    for target in products:
        if target not in PRODUCT_FIELDS:
            raise _problem(
                products.key_positions[target].line,
                f"products: {target!r} is not one of {', '.join(PRODUCT_FIELDS)}",
            )
    defaults = _section(doc, "defaults")
    for target in defaults:
        _check_target(str(target), "defaults", defaults.key_positions[target].line)

    event_id, user_id = text_of("event_id"), text_of("user_id")
    return ImportMapping(
        name=text_of("name") or "custom",
        event=text_of("event") or "Order Completed",
        event_id=column_key(event_id) if event_id else None,
        user_id=column_key(user_id) if user_id else None,
        time=column_key(time_column),
        time_format=text_of("time_format"),
        timezone=text_of("timezone"),
        line_items=line_items,
        fields=tuple(
            (str(t), _columns(c, f"fields.{t}", fields.value_positions[t].line))
            for t, c in fields.items()
        ),
        products=tuple(
            (str(t), _columns(c, f"products.{t}", products.value_positions[t].line))
            for t, c in products.items()
        ),
        defaults=tuple((str(t), str(v)) for t, v in defaults.items()),
    )
