"""Typed pipeline definitions: what a pipeline YAML file says, after validation.

The format is the seed's `pinterest-checkout.yaml` (shared/seeds/001) plus the extensions
documented in `pipeline.loader`. These objects are plain data; `pipeline.compiler` turns them
into the callables that run per event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pinrelay.identity.hashing import HASHED_KEYS

MESSAGE_TYPES: tuple[str, ...] = ("track", "page", "screen", "identify")

# Sections of `transform:` holding field mappings, in the order they are applied. Only
# `custom_data` targets are relative (to `custom_data`), as in the seed (`target: currency`).
MAPPING_SECTIONS: tuple[str, ...] = ("mapping", "dedup", "context", "user_data", "custom_data")
TRANSFORM_SECTIONS: tuple[str, ...] = ("static", *MAPPING_SECTIONS, "enrichments")

# pinterest-capi.md §2.2: event-level keys (additionalProperties: false), including the
# UNVERIFIED `advertiser_tracking_enabled` that Segment and RudderStack send.
EVENT_KEYS: frozenset[str] = frozenset(
    (
        "event_name", "action_source", "event_time", "event_id", "event_source_url", "opt_out",
        "partner_name", "user_data", "custom_data", "app_id", "app_name", "app_version",
        "device_brand", "device_carrier", "device_model", "device_type", "os_version", "wifi",
        "language", "app_info", "device_info", "advertiser_tracking_enabled",
    )
)  # fmt: skip

# pinterest-capi.md §2.4: hashed keys are arrays of SHA-256 hex; the others are plain strings.
USER_DATA_KEYS: frozenset[str] = HASHED_KEYS | {
    "client_ip_address",
    "client_user_agent",
    "click_id",
    "partner_id",
    "customer_type",
}

# pinterest-capi.md §2.5: custom_data and contents[] are additionalProperties: false.
CUSTOM_DATA_KEYS: frozenset[str] = frozenset(
    (
        "currency", "value", "content_ids", "contents", "num_items", "order_id", "search_string",
        "opt_out_type", "content_name", "content_category", "content_brand", "np",
        "predicted_ltv", "external_measurement_id", "external_measurement_vendor_id",
    )
)  # fmt: skip
CONTENT_ITEM_KEYS: frozenset[str] = frozenset(
    ("id", "item_name", "item_category", "item_brand", "item_price", "quantity")
)

IdentityMode = Literal["merge", "none"]


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"

    def __reduce__(self) -> str:
        return "NO_DEFAULT"  # unpickled as this module's one instance (`is` checks hold)


NO_DEFAULT: Any = _NoDefault()


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    operator: str
    value: Any = None


@dataclass(frozen=True, slots=True)
class ConditionGroup:
    """`all:` (every condition holds) or `any:` (at least one does); groups nest."""

    mode: Literal["all", "any"]
    conditions: tuple[Condition | ConditionGroup, ...]


AnyCondition = Condition | ConditionGroup


@dataclass(frozen=True, slots=True)
class Trigger:
    event_types: tuple[str, ...]
    conditions: tuple[AnyCondition, ...] = ()
    fallback: bool = False  # applies only when no non-fallback pipeline matched


@dataclass(frozen=True, slots=True)
class StaticValue:
    target: str
    value: Any


@dataclass(frozen=True, slots=True)
class FieldMapping:
    """One `{source, target, transform, ...}` entry; `target` is a full dotted path
    (or, inside `each`, a path within the item)."""

    target: str
    sources: tuple[str, ...] = ()
    transforms: tuple[str, ...] = ()
    field: tuple[str, ...] = ()  # pluck/sum/count: item field, first non-null spelling wins
    default: Any = NO_DEFAULT
    item_default: Any = NO_DEFAULT  # pluck/sum: value for an item without `field`
    allowed: tuple[Any, ...] | None = None  # values outside the list are dropped
    each: tuple[FieldMapping, ...] | None = None  # per-item sub-mapping of an array
    values: Mapping[str, Any] | None = None  # `map`: the value table
    template: str | None = None  # `template`: text with `{path}` fields

    @property
    def has_default(self) -> bool:
        return self.default is not NO_DEFAULT


@dataclass(frozen=True, slots=True)
class ClickIdEnrichment:
    target: str
    param: str = "epik"
    cookies: tuple[str, ...] = ("_epik",)


@dataclass(frozen=True, slots=True)
class IdentityEnrichment:
    """A mapping from the message that falls back to the identity keys stored for the user."""

    mapping: FieldMapping


Enrichment = ClickIdEnrichment | IdentityEnrichment


@dataclass(frozen=True, slots=True)
class PipelineDefinition:
    name: str
    trigger: Trigger
    static: tuple[StaticValue, ...] = ()
    sections: Mapping[str, tuple[FieldMapping, ...]] = field(default_factory=dict)
    enrichments: tuple[Enrichment, ...] = ()
    integration: str | None = None
    identity: IdentityMode = "merge"
    output: Mapping[str, Any] = field(default_factory=dict)
    description: str | None = None
    origin: str = "<memory>"  # file the definition came from, for messages
