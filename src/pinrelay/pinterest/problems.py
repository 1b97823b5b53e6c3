"""What validation reports: one `Problem` per thing wrong with an event, with its kind.

The kind tells a caller what Pinterest would do with it (pinterest-capi.md sections 2, 4, 6):
a schema or identity problem makes Pinterest reject the whole request with HTTP 400; the others
make one event fail (or, for undocumented user_data keys, at most draw a warning). The sandbox
uses the kind to answer like Pinterest; ingest and the debugger show `message`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ProblemKind(StrEnum):
    SCHEMA = "schema"  # breaks the JSON schema (type, unknown key, required, limits)
    IDENTITY = "identity"  # user_data fails the em / hashed_maids / ip+ua anyOf
    USER_DATA_KEY = "user_data_key"  # a user_data key v5 does not define (schema-legal)
    HASHED_VALUE = "hashed_value"  # not a lowercase 64-hex SHA-256 string
    ACTION_SOURCE = "action_source"  # not app_android, app_ios, web or offline
    DECIMAL_STRING = "decimal_string"  # value / item_price / predicted_ltv not a number string
    IP_ADDRESS = "ip_address"  # client_ip_address not a usable IPv4/IPv6 address
    EVENT_ID = "event_id"  # empty event_id: deduplication needs it
    EVENT_TIME = "event_time"  # not a positive Unix time in seconds

    @property
    def rejects_whole_request(self) -> bool:
        """Pinterest answers 400 for the whole request (pinterest-capi.md sections 2.6, 6)."""
        return self in _WHOLE_REQUEST_KINDS


_WHOLE_REQUEST_KINDS = frozenset({ProblemKind.SCHEMA, ProblemKind.IDENTITY})


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem, located by a JSON path like `custom_data.contents[0].item_price`.

    `detail` says what is wrong and what would be right, without echoing values that may be
    personal data. `schema_message` is the same problem in jsonschema's words, the form Pinterest
    answers a 400 with (section 2.6); only schema and identity problems have one.
    """

    kind: ProblemKind
    path: str
    detail: str
    schema_message: str | None = None

    @property
    def message(self) -> str:
        return f"{self.path or 'event'}: {self.detail}"

    @property
    def field_name(self) -> str:
        """The last named segment of the path: `em` for `user_data.em[0]`."""
        last = self.path.rsplit(".", 1)[-1]
        return last.split("[", 1)[0]
