"""One order (a row, or the consecutive rows of its line items) -> a Segment `track` message.

The message is what a live server-side sender would post: traits in `context.traits` (so
identity normalises and hashes them, and the event log stores only hashes),
`properties.action_source: offline` (the presets map it to Pinterest's `action_source`), and
a deterministic `messageId` (the order id column, else a hash of the row), which becomes the
Pinterest `event_id`: importing the same file twice queues nothing twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pinrelay import __version__
from pinrelay.errors import PinrelayError
from pinrelay.offline.dates import DateProblem, parse_time, time_zone
from pinrelay.offline.mapping import ImportMapping
from pinrelay.offline.reader import Row
from pinrelay.pinterest.model import MAX_EVENT_AGE_SECONDS

LIBRARY = {"name": "pinrelay-import", "version": __version__}
ROW_HASH_PREFIX = "row-"


class RowRefused(PinrelayError):
    """A row cannot become an event: `kind` groups it in the summary, `detail` is for the row."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class Order:
    """The rows of one order (one row unless the mapping has line items)."""

    rows: tuple[Row, ...]

    @property
    def first(self) -> int:
        return self.rows[0].number

    @property
    def last(self) -> int:
        return self.rows[-1].number


def cell(values: dict[str, Any], column: str) -> Any:
    """The non-empty value of a column (JSONL: also a dotted path into nested objects)."""
    value = values.get(column)
    if value is None and "." in column:
        value = values
        for part in column.split("."):
            value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, str):
        value = value.strip()
    return None if value == "" else value


def first_cell(values: dict[str, Any], columns: Iterable[str]) -> Any:
    for column in columns:
        value = cell(values, column)
        if value is not None:
            return value
    return None


def row_hash(values: dict[str, Any]) -> str:
    """A stable id for a row without an order id: the same cells give the same id."""
    canonical = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return ROW_HASH_PREFIX + hashlib.sha256(canonical.encode()).hexdigest()[:32]


def orders(rows: Iterable[Row], mapping: ImportMapping) -> Iterator[Order | Row]:
    """Group consecutive rows of one order (line items); unreadable rows come out alone."""
    if not mapping.line_items or mapping.event_id is None:
        yield from (row if row.problem else Order((row,)) for row in rows)
        return
    group: list[Row] = []
    group_id: Any = None
    for row in rows:
        if row.problem:  # it ends the order before it: rows come out in file order
            if group:
                yield Order(tuple(group))
            group, group_id = [], None
            yield row
            continue
        row_id = cell(row.values, mapping.event_id)
        if group and row_id is not None and row_id == group_id:
            group.append(row)
            continue
        if group:
            yield Order(tuple(group))
        group, group_id = [row], row_id
    if group:
        yield Order(tuple(group))


def _put(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[leaf] = value


class RowMapper:
    """Builds the messages of one import; `now` (unix s) fixes the 7-day limit for the run."""

    def __init__(self, mapping: ImportMapping, *, now: float) -> None:
        self.mapping = mapping
        self._zone = time_zone(mapping.timezone)
        self._oldest = now - MAX_EVENT_AGE_SECONDS

    def event_time(self, values: dict[str, Any]) -> datetime:
        raw = cell(values, self.mapping.time)
        try:
            moment = parse_time(raw, zone=self._zone, time_format=self.mapping.time_format)
        except DateProblem as exc:
            raise RowRefused("bad time", f"{self.mapping.time}: {exc}") from None
        if moment.timestamp() < self._oldest:
            raise RowRefused(
                "too old",
                f"{self.mapping.time}: {moment.isoformat()} is more than 7 days ago; "
                "Pinterest refuses events older than 7 days",
            )
        return moment

    def message(self, order: Order) -> dict[str, Any]:
        """The Segment message of an order; raise RowRefused saying why there is none."""
        head = order.rows[0].values
        mapping = self.mapping
        moment = self.event_time(head)
        event_id = cell(head, mapping.event_id) if mapping.event_id else None
        message_id = str(event_id) if event_id is not None else row_hash(head)
        message: dict[str, Any] = {
            "type": "track",
            "event": mapping.event,
            "messageId": message_id,
            "timestamp": moment.isoformat(),
            "properties": {"action_source": "offline"},
            "context": {"library": LIBRARY},
        }
        user_id = cell(head, mapping.user_id) if mapping.user_id else None
        if user_id is not None:
            message["userId"] = str(user_id)
        else:  # Segment needs one of the two; this one names the import row, nobody's device
            message["anonymousId"] = f"offline-{message_id}"
        for target, value in mapping.defaults:
            _put(message, target, value)
        for target, columns in mapping.fields:
            value = first_cell(head, columns)
            if value is not None:
                _put(message, target, value)
        if mapping.products:
            products = [self._product(row.values) for row in order.rows]
            message["properties"]["products"] = [p for p in products if p]
        return message

    def _product(self, values: dict[str, Any]) -> dict[str, Any]:
        product = {}
        for target, columns in self.mapping.products:
            value = first_cell(values, columns)
            if value is not None:
                product[target] = value
        return product
