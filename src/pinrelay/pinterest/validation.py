"""Is this a v5 event Pinterest will take? Pure functions, no I/O; they run on every ingested event.

Fast path: `msgspec.convert` into the structs of model.py (compiled code), then a few explicit
checks the schema cannot express. Only when convert fails does the slower walker of
schema_walk.py run, to report every schema problem instead of the first.

Deliberately not checked here: unknown `event_name`s (Pinterest processes them with a warning,
pinterest-capi.md 2.3) and the age of `event_time` (it changes while an event waits; the sender
and the sandbox use `event_time_problem`).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from pinrelay.errors import PayloadError
from pinrelay.pinterest.model import (
    ACTION_SOURCES,
    AD_ACCOUNT_ID_MAX_LENGTH,
    HASHED_USER_FIELDS,
    MAX_BATCH_EVENTS,
    MAX_EVENT_AGE_SECONDS,
    MAX_FUTURE_SKEW_SECONDS,
    ConversionEvent,
    ConversionEventsRequest,
)
from pinrelay.pinterest.problems import Problem, ProblemKind
from pinrelay.pinterest.schema_walk import find_schema_problems

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_SHA256_HEX_ANY_CASE = re.compile(r"[0-9a-fA-F]{64}")
# Pinterest parses these strings to a double (section 2.5); we accept plain decimals only.
_DECIMAL_STRING = re.compile(r"-?\d+(\.\d+)?")
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: `\d` also matches other scripts' digits
_IPV4 = re.compile(r"((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)")
_HASHED_FIELDS = frozenset(HASHED_USER_FIELDS)
_MILLISECONDS_THRESHOLD = 10**11  # a seconds value this large is in the year 5138
_IDENTITY_RULE = "needs em, hashed_maids, or both client_ip_address and client_user_agent"
_ENCODER = msgspec.json.Encoder(order="sorted")


def validate_event(event: Mapping[str, Any]) -> list[str]:
    """Every problem with one event, as `path: what is wrong and what would be right`."""
    return [problem.message for problem in check_event(event)]


def check_event(event: Mapping[str, Any]) -> list[Problem]:
    """Like `validate_event`, with each problem's kind (see problems.py)."""
    problems = _schema_problems(event, ConversionEvent, root="")
    if isinstance(event, Mapping):
        problems.extend(_identity_problems(event.get("user_data"), "user_data"))
        problems.extend(check_event_content(event))
    return problems


def check_request(body: object) -> list[Problem]:
    """Problems that make Pinterest reject a whole request body `{"data": [...]}` with a 400.

    Paths start with `data[i]`. Per-event problems (hash format, action_source, ...) are not
    included: use `check_event_content` on each event for those.
    """
    problems = _schema_problems(body, ConversionEventsRequest, root="")
    events = body.get("data") if isinstance(body, Mapping) else None
    if isinstance(events, list | tuple):
        for index, event in enumerate(events):
            if isinstance(event, Mapping):
                path = f"data[{index}].user_data"
                problems.extend(_identity_problems(event.get("user_data"), path))
    return problems


def check_event_content(event: Mapping[str, Any]) -> list[Problem]:
    """The checks the JSON schema cannot express. Values of the wrong type are skipped here:
    the schema check reports those."""
    problems: list[Problem] = []
    user_data = event.get("user_data")
    if isinstance(user_data, Mapping):
        _check_hashed_values(user_data, problems)
        _check_ip_address(user_data.get("client_ip_address"), problems)
    action_source = event.get("action_source")
    if isinstance(action_source, str) and action_source not in ACTION_SOURCES:
        shown = action_source if len(action_source) <= 32 else action_source[:32] + "…"
        problems.append(
            Problem(
                ProblemKind.ACTION_SOURCE,
                "action_source",
                f'expected one of app_android, app_ios, web, offline, got "{shown}"',
            )
        )
    _check_event_time(event.get("event_time"), problems)
    event_id = event.get("event_id")
    if isinstance(event_id, str) and not event_id.strip():
        problems.append(
            Problem(
                ProblemKind.EVENT_ID,
                "event_id",
                "must not be empty; Pinterest deduplicates on it (use the source messageId)",
            )
        )
    custom_data = event.get("custom_data")
    if isinstance(custom_data, Mapping):
        _check_decimal_strings(custom_data, problems)
    return problems


def has_minimum_identity(user_data: Mapping[str, Any]) -> bool:
    """em, or hashed_maids, or both IP and user agent (section 2.4). Empty values do not count."""

    def has_items(key: str) -> bool:
        value = user_data.get(key)
        return isinstance(value, list | tuple) and len(value) > 0

    def has_text(key: str) -> bool:
        value = user_data.get(key)
        return isinstance(value, str) and value.strip() != ""

    return (
        has_items("em")
        or has_items("hashed_maids")
        or (has_text("client_ip_address") and has_text("client_user_agent"))
    )


def event_time_problem(
    event_time: int,
    now: float,
    *,
    max_age_seconds: int = MAX_EVENT_AGE_SECONDS,
    max_future_skew_seconds: int = MAX_FUTURE_SKEW_SECONDS,
) -> str | None:
    """Pinterest's per-event error for an event_time it will not take, or None if it is fine.

    The past message is the observed text (section 5.3); the future one mirrors it (UNVERIFIED).
    """
    current = int(now)
    if current - event_time > max_age_seconds:
        tense = "past"
    elif event_time - current > max_future_skew_seconds:
        tense = "future"
    else:
        return None
    return (
        f"Invalid event_timestamp parameter. Given timestamp is in the {tense}. "
        f"Current timestamp: {current}, Given event_timestamp: {event_time}"
    )


def ad_account_id_problem(ad_account_id: str) -> str | None:
    """Why this cannot be an Ad Account ID (`^\\d+$`, at most 18 chars; section 1), or None."""
    if _DIGITS.fullmatch(ad_account_id) and len(ad_account_id) <= AD_ACCOUNT_ID_MAX_LENGTH:
        return None
    return (
        f"ad account id must be the numeric Ad Account ID (digits only, at most "
        f"{AD_ACCOUNT_ID_MAX_LENGTH}), not the Tag ID or a name"
    )


def encode_event(event: Mapping[str, Any] | ConversionEvent) -> bytes:
    """Compact canonical JSON (keys sorted): the bytes the outbox stores for one event."""
    try:
        return _ENCODER.encode(event)
    except (TypeError, msgspec.EncodeError) as error:
        raise PayloadError(f"event cannot be encoded as JSON: {error}") from None


def encode_batch(events: Sequence[bytes]) -> bytes:
    """The request body for already-encoded events: `{"data":[e1,e2,...]}`."""
    if not 1 <= len(events) <= MAX_BATCH_EVENTS:
        raise PayloadError(
            f"a batch holds 1 to {MAX_BATCH_EVENTS} events (pinterest-capi.md 2.1), "
            f"got {len(events)}"
        )
    return b'{"data":[' + b",".join(events) + b"]}"


def _schema_problems(value: object, struct_type: type[msgspec.Struct], root: str) -> list[Problem]:
    try:
        msgspec.convert(value, struct_type)
    except msgspec.ValidationError as error:
        # The walker names every problem; msgspec's own text is the fallback should they differ.
        return find_schema_problems(value, struct_type, root) or [_from_msgspec(error)]
    return []


def _from_msgspec(error: msgspec.ValidationError) -> Problem:
    """Translate msgspec's `Expected X, got Y - at `$.a.b`` into our `a.b: ...` form."""
    text, _, where = str(error).partition(" - at ")
    path = where.strip("`").removeprefix("$").lstrip(".")
    return Problem(ProblemKind.SCHEMA, path, text.replace("`", ""), f"Invalid value: {text}")


def _identity_problems(user_data: object, path: str) -> list[Problem]:
    if not isinstance(user_data, Mapping) or has_minimum_identity(user_data):
        return []
    empty = [key for key in ("em", "hashed_maids") if user_data.get(key) in ([], ())]
    note = f" ({' and '.join(empty)} empty: an empty array does not count)" if empty else ""
    return [
        Problem(
            ProblemKind.IDENTITY,
            path,
            _IDENTITY_RULE + note,
            "{…} is not valid under any of the given schemas",
        )
    ]


def _check_hashed_values(user_data: Mapping[str, Any], out: list[Problem]) -> None:
    for key, values in user_data.items():
        if key not in _HASHED_FIELDS or not isinstance(values, list | tuple):
            continue
        for index, value in enumerate(values):
            if isinstance(value, str) and not _SHA256_HEX.fullmatch(value):
                hint = (
                    "; it has uppercase hex digits, lowercase them"
                    if _SHA256_HEX_ANY_CASE.fullmatch(value)
                    else "; normalise the raw value, then hash it"
                )
                out.append(
                    Problem(
                        ProblemKind.HASHED_VALUE,
                        f"user_data.{key}[{index}]",
                        "expected a lowercase SHA-256 hex string (64 chars)" + hint,
                    )
                )


def _check_ip_address(value: object, out: list[Problem]) -> None:
    if not isinstance(value, str):
        return
    if _IPV4.fullmatch(value) and value != "0.0.0.0":  # noqa: S104  compared, not bound
        return  # the common case, without the cost of parsing
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        detail = "expected an IPv4 or IPv6 address"
    else:
        if not address.is_unspecified:
            return
        detail = "0.0.0.0 / :: is not a client address; send the visitor's real IP"  # section 2.4
    out.append(Problem(ProblemKind.IP_ADDRESS, "user_data.client_ip_address", detail))


def _check_event_time(value: object, out: list[Problem]) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        return
    if value <= 0:
        detail = f"expected a positive Unix time in seconds, got {value}"
    elif value >= _MILLISECONDS_THRESHOLD:
        detail = f"expected Unix time in seconds, got {value} (milliseconds?)"
    else:
        return
    out.append(Problem(ProblemKind.EVENT_TIME, "event_time", detail))


def _check_decimal_strings(custom_data: Mapping[str, Any], out: list[Problem]) -> None:
    candidates: list[tuple[str, object]] = [
        ("custom_data.value", custom_data.get("value")),
        ("custom_data.predicted_ltv", custom_data.get("predicted_ltv")),
    ]
    contents = custom_data.get("contents")
    if isinstance(contents, list | tuple):
        for index, item in enumerate(contents):
            if isinstance(item, Mapping):
                price = item.get("item_price")
                candidates.append((f"custom_data.contents[{index}].item_price", price))
    for path, value in candidates:
        if isinstance(value, str) and not _DECIMAL_STRING.fullmatch(value):
            out.append(
                Problem(
                    ProblemKind.DECIMAL_STRING,
                    path,
                    'expected a decimal string like "72.39" (digits, optional "-" and "."), '
                    "no currency signs, separators or exponents",
                )
            )
