"""Our model of Pinterest's v5 conversion-events schema, as msgspec structs.

Written from Pinterest's OpenAPI description 5.23.0 (schemas ConversionEvents,
ConversionEventsUserData, ConversionEventAppInfo, ConversionEventDeviceInfo, ConversionApiResponse,
Error, DetailedError); see pinterest-capi.md sections 2 and 4. It ships with the package so nothing
reads the spec at run time.

Conventions:
- Request structs forbid unknown fields (the spec's `additionalProperties: false`) and omit
  defaults, so an encoded struct carries only what was set.
- A field the spec marks `nullable` defaults to `None`; an optional field that is not nullable
  defaults to `msgspec.UNSET`, so an explicit `null` there is rejected like the real schema does.
- `user_data` is not `additionalProperties: false` in the spec (pinterest-capi.md section 2.4), but
  we forbid extras anyway: pinrelay never sends keys Pinterest does not document, and an extra key
  is almost always a typo (`email` for `em`) that would silently cost match quality. The sandbox
  still accepts such keys, with a warning, because the real schema allows them.
- Response structs ignore unknown keys: a reader must survive Pinterest adding fields (section 8).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

# --- limits and value sets -------------------------------------------------------------------

MAX_BATCH_EVENTS = 1000  # `data` maxItems (pinterest-capi.md section 2.1)
MAX_TEST_BATCH_EVENTS = 20  # with ?test=true only the first 20 are processed (section 1)
MAX_EVENT_AGE_SECONDS = 7 * 24 * 3600  # older events fail (section 5.3; the 7 days are UNVERIFIED)
MAX_FUTURE_SKEW_SECONDS = 60  # clock skew we tolerate for "future" event_time (section 5.3)
AD_ACCOUNT_ID_MAX_LENGTH = 18  # path parameter maxLength (section 1)
AD_ACCOUNT_ID_PATTERN = r"^\d+$"  # path parameter pattern (section 1)

# The docs' list of 22 names wins over the spec's 15 (pinterest-capi.md sections 2.3 and 8).
EVENT_NAMES: frozenset[str] = frozenset(
    {
        "add_payment_info",
        "add_to_cart",
        "add_to_wishlist",
        "app_install",
        "app_open",
        "checkout",
        "contact",
        "custom",
        "customize_product",
        "find_location",
        "initiate_checkout",
        "lead",
        "page_visit",
        "schedule",
        "search",
        "signup",
        "start_trial",
        "submit_application",
        "subscribe",
        "view_category",
        "view_content",
        "watch_video",
    }
)

# Description-only since spec 5.9.0, so not an enum in the struct; validation checks it.
ACTION_SOURCES: frozenset[str] = frozenset({"app_android", "app_ios", "web", "offline"})

# Arrays of lowercase SHA-256 hex strings (pinterest-capi.md section 2.4 and DESIGN.md).
HASHED_USER_FIELDS: tuple[str, ...] = (
    "em",
    "hashed_maids",
    "ph",
    "ge",
    "db",
    "ln",
    "fn",
    "ct",
    "st",
    "zp",
    "country",
    "external_id",
)
# Plain strings, never hashed (pinterest-capi.md section 3).
PLAIN_USER_FIELDS: tuple[str, ...] = (
    "client_ip_address",
    "client_user_agent",
    "click_id",
    "partner_id",
)

# --- reusable constrained types --------------------------------------------------------------

Int64 = Annotated[int, Meta(ge=-(2**63), le=2**63 - 1)]  # `format: int64`
Str100 = Annotated[str, Meta(max_length=100)]
Str200 = Annotated[str, Meta(max_length=200)]
Pixels = Annotated[int, Meta(ge=0, le=30720)]
StorageGigabytes = Annotated[int, Meta(ge=0, le=1048576)]

FormFactor = Literal[
    "desktop", "laptop", "cellphone", "tablet", "smartwatch", "tv", "vr", "console", "other"
]
NetworkType = Literal[
    "wifi",
    "cellular_2g",
    "cellular_3g",
    "cellular_4g",
    "cellular_5g",
    "cellular_6g",
    "ethernet",
    "unknown",
]
OsFamily = Literal["ios", "android", "macos", "windows", "linux", "bsd", "other"]


class V5Object(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True, kw_only=True):
    """Base of every request object: `additionalProperties: false`, defaults left out."""


# --- request ---------------------------------------------------------------------------------


class UserData(V5Object):
    """`ConversionEventsUserData`; the minimum-identity anyOf is checked in validation.py."""

    em: list[str] | UnsetType = UNSET
    hashed_maids: list[str] | UnsetType = UNSET
    ph: list[str] | UnsetType = UNSET
    ge: list[str] | UnsetType = UNSET
    db: list[str] | UnsetType = UNSET
    ln: list[str] | UnsetType = UNSET
    fn: list[str] | UnsetType = UNSET
    ct: list[str] | UnsetType = UNSET
    st: list[str] | UnsetType = UNSET
    zp: list[str] | UnsetType = UNSET
    country: list[str] | UnsetType = UNSET
    external_id: list[str] | UnsetType = UNSET
    client_ip_address: str | UnsetType = UNSET
    client_user_agent: str | UnsetType = UNSET
    click_id: str | None = None
    partner_id: str | None = None


class ContentItem(V5Object):
    """One entry of `custom_data.contents`; every key is optional."""

    id: str | UnsetType = UNSET
    item_name: str | UnsetType = UNSET
    item_category: str | UnsetType = UNSET
    item_brand: str | UnsetType = UNSET
    item_price: str | UnsetType = UNSET  # a decimal string, parsed to double by Pinterest
    quantity: Int64 | UnsetType = UNSET


class CustomData(V5Object):
    """`custom_data`: money values are decimal strings, counts are integers (section 2.5)."""

    currency: str | None = None
    value: str | None = None
    content_ids: list[str] | UnsetType = UNSET
    contents: list[ContentItem] | UnsetType = UNSET
    num_items: Int64 | UnsetType = UNSET
    order_id: str | None = None
    search_string: str | None = None
    opt_out_type: str | None = None
    content_name: str | None = None
    content_category: str | None = None
    content_brand: str | None = None
    np: str | None = None
    predicted_ltv: str | None = None
    external_measurement_id: str | None = None
    external_measurement_vendor_id: int | None = None


class AppInfo(V5Object):
    """`ConversionEventAppInfo` (spec 5.16.0+)."""

    app_id: Str200 | UnsetType = UNSET
    app_name: Str200 | UnsetType = UNSET
    app_package_name: Str200 | UnsetType = UNSET
    app_store: Str100 | UnsetType = UNSET
    app_version: Str100 | UnsetType = UNSET
    install_time: Annotated[int, Meta(ge=0)] | UnsetType = UNSET
    user_agent: Annotated[str, Meta(max_length=16384)] | UnsetType = UNSET
    window_height: Pixels | UnsetType = UNSET
    window_width: Pixels | UnsetType = UNSET


class DeviceInfo(V5Object):
    """`ConversionEventDeviceInfo` (spec 5.16.0+)."""

    battery_level: Annotated[int, Meta(ge=0, le=100)] | UnsetType = UNSET
    brand: Str100 | UnsetType = UNSET
    carrier: Str100 | UnsetType = UNSET
    model: Str100 | UnsetType = UNSET
    type: Str100 | UnsetType = UNSET
    os_name: Str100 | UnsetType = UNSET
    os_release_name: Str100 | UnsetType = UNSET
    os_version: Str100 | UnsetType = UNSET
    kernel_version: Str100 | UnsetType = UNSET
    cpu_cores: Annotated[int, Meta(ge=0, le=1152)] | UnsetType = UNSET
    storage_size: StorageGigabytes | UnsetType = UNSET
    storage_free_space: StorageGigabytes | UnsetType = UNSET
    external_storage_size: StorageGigabytes | UnsetType = UNSET
    external_storage_free_space: StorageGigabytes | UnsetType = UNSET
    screen_width: Pixels | UnsetType = UNSET
    screen_height: Pixels | UnsetType = UNSET
    screen_density: Annotated[int, Meta(ge=0, le=100000)] | UnsetType = UNSET
    form_factor: FormFactor | UnsetType = UNSET
    network_type: NetworkType | UnsetType = UNSET
    os_family: OsFamily | UnsetType = UNSET
    languages: Annotated[list[str], Meta(min_length=0, max_length=100)] | UnsetType = UNSET
    locale: Annotated[str, Meta(max_length=35)] | UnsetType = UNSET
    timezone: Annotated[str, Meta(max_length=40)] | UnsetType = UNSET
    timezone_abbr: Annotated[str, Meta(max_length=5)] | UnsetType = UNSET


class ConversionEvent(V5Object):
    """One item of `data`. Required: event_name, action_source, event_time, user_data, event_id."""

    event_name: str  # not an enum: unknown names are processed with a warning (section 2.3)
    action_source: str
    event_time: Int64  # Unix time in seconds
    event_id: str
    user_data: UserData
    event_source_url: str | None = None
    opt_out: bool | UnsetType = UNSET
    partner_name: str | None = None
    custom_data: CustomData | UnsetType = UNSET
    app_id: str | None = None
    app_name: str | None = None
    app_version: str | None = None
    device_brand: str | None = None
    device_carrier: str | None = None
    device_model: str | None = None
    device_type: str | None = None
    os_version: str | None = None
    wifi: bool | UnsetType = UNSET
    language: str | None = None
    app_info: AppInfo | UnsetType = UNSET
    device_info: DeviceInfo | UnsetType = UNSET


class ConversionEventsRequest(V5Object):
    """The request body `ConversionEvents`: `{"data": [1..1000 events]}`."""

    data: Annotated[list[ConversionEvent], Meta(min_length=1, max_length=MAX_BATCH_EVENTS)]


# --- response (tolerant readers: unknown keys are ignored) -----------------------------------


class EventStatus(msgspec.Struct, kw_only=True):
    """One entry of `events`, in the order of the request's `data`."""

    status: Literal["processed", "failed"]
    error_message: str | None = None
    warning_message: str | None = None


class ConversionApiResponse(msgspec.Struct, kw_only=True):
    """The 200 body, also carried as `details` of a 422 (pinterest-capi.md section 4.2)."""

    num_events_received: int
    num_events_processed: int
    events: list[EventStatus]


class ErrorBody(msgspec.Struct, kw_only=True):
    """`Error`: every non-2xx answer; fixtures add `"status":"failure"`, which we ignore."""

    code: int
    message: str


class DetailedError(msgspec.Struct, kw_only=True):
    """`DetailedError`: the 422 body, `details` shaped like a 200 body (observed, section 4.2)."""

    code: int
    message: str
    details: ConversionApiResponse
