"""Request and response bodies of the admin API (pydantic v2: validation + OpenAPI)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic.json_schema import SkipJsonSchema

from pinrelay.collect.cors import normalise_cookie_domain, normalise_origin
from pinrelay.identity.phones import supported_country
from pinrelay.pipeline.presets import preset_names

AD_ACCOUNT_ID = re.compile(r"^[0-9]{1,18}$")  # pinterest-capi.md section 1: ^\d+$, maxLength 18;
# ASCII digits only, as delivery checks them: `\d` also matches Arabic-Indic and other digits
AD_ACCOUNT_HINT = (
    "must be the numeric Pinterest Ad Account ID (digits only, at most 18), found in Ads "
    "Manager > Account settings; a value like this may be the Tag ID, which is a different "
    "identifier used only by the browser tag"
)


# Documented in the schema; enforced by the validators below, whose messages say how to fix
# the value (a pydantic `pattern` would fail first with a generic message).
AD_ACCOUNT_SCHEMA: dict[str, Any] = {"pattern": r"^[0-9]{1,18}$"}
TOKEN_SCHEMA: dict[str, Any] = {"minLength": 1, "pattern": r"\S"}


def check_ad_account_id(value: str) -> str:
    value = value.strip()
    if not AD_ACCOUNT_ID.fullmatch(value):
        raise ValueError(AD_ACCOUNT_HINT)
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def check_country(value: str) -> str:
    value = value.strip().upper()
    if not supported_country(value):
        raise ValueError("must be an ISO-3166 alpha-2 country code such as US, GB or DE")
    return value


# The schema lists the accepted codes, so clients (and the fuzzer) know them up front.
COUNTRY_SCHEMA: dict[str, Any] = {"enum": sorted(phonenumbers.SUPPORTED_REGIONS)}

DEFAULT_COUNTRY_DESCRIPTION = (
    "ISO-3166 alpha-2 country of phone numbers written without their country code."
)


TAG_ID = re.compile(r"^[0-9]{6,20}$")
# The schema states what the validators accept (so a schema-valid value is never refused);
# the validators add the message that says how to fix a value.
TAG_ID_SCHEMA: dict[str, Any] = {"pattern": r"^([0-9]{6,20})?$"}
ORIGIN_SCHEMA: dict[str, Any] = {
    "pattern": r"^(\*|https?://[A-Za-z0-9.-]+"
    r"(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?/?)$"
}
COOKIE_DOMAIN_SCHEMA: dict[str, Any] = {
    "maxLength": 253,
    "pattern": r"^$|^\.?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$",
}
Origin = Annotated[str, Field(json_schema_extra=ORIGIN_SCHEMA)]
TAG_ID_HINT = (
    "the Pinterest Tag ID (digits only) from Ads Manager > Conversions > Pinterest Tag: it "
    "names the browser tag and is NOT the Ad Account ID (the account events are sent to)"
)
ORIGINS_HELP = (
    "Origins whose pages may send with pinrelay.js, e.g. https://shop.example; '*' allows "
    "any. Requests from other origins are refused with 403."
)
COOKIE_DOMAIN_HELP = (
    "Domain of the cookies pinrelay sets (_epik, device id), e.g. shop.example when the "
    "collect server is t.shop.example; empty: the collect host only."
)
CONSENT_REQUIRED_HELP = (
    "Nothing is sent until the visitor granted a consent category: pinrelay.js holds events, "
    "and the server filters events that carry no granted category."
)
TAG_DEDUP_HELP = (
    "pinrelay.js also fires the Pinterest Tag of the source's integrations (their tag_id) "
    "with the same event ids, so Pinterest counts each conversion once."
)


def check_origins(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return list(dict.fromkeys(normalise_origin(v) for v in values))


def check_cookie_domain(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return normalise_cookie_domain(value)


class _SourceBrowser(_Strict):
    """The browser settings of a source, as set on create or PATCH."""

    allowed_origins: list[Origin] | None = Field(None, description=ORIGINS_HELP)
    cookie_domain: str | None = Field(
        None, description=COOKIE_DOMAIN_HELP, json_schema_extra=COOKIE_DOMAIN_SCHEMA
    )
    consent_required: bool | None = Field(None, description=CONSENT_REQUIRED_HELP)
    tag_dedup: bool | None = Field(None, description=TAG_DEDUP_HELP)

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, values: list[str] | None) -> list[str] | None:
        return check_origins(values)

    @field_validator("cookie_domain")
    @classmethod
    def _cookie_domain(cls, value: str | None) -> str | None:
        return check_cookie_domain(value)


class SourceCreate(_SourceBrowser):
    name: str = Field(min_length=1, max_length=200, examples=["Website"])
    default_country: str = Field(
        "US",
        description=DEFAULT_COUNTRY_DESCRIPTION,
        examples=["GB"],
        json_schema_extra=COUNTRY_SCHEMA,
    )

    @field_validator("default_country")
    @classmethod
    def _country(cls, value: str) -> str:
        return check_country(value)


class SourcePatch(_SourceBrowser):
    """Only the fields present change (cookie_domain: null or "" goes back to the host)."""

    name: str | None = Field(None, min_length=1, max_length=200)
    default_country: str | None = Field(
        None, description=DEFAULT_COUNTRY_DESCRIPTION, json_schema_extra=COUNTRY_SCHEMA
    )

    @field_validator("default_country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return None if value is None else check_country(value)


class SourceOut(BaseModel):
    id: str
    name: str
    write_key_hint: str = Field(description="The start of the write key, to recognise it.")
    created_at: float
    default_country: str = Field("US", description=DEFAULT_COUNTRY_DESCRIPTION)
    allowed_origins: list[str] = Field(default_factory=list, description=ORIGINS_HELP)
    cookie_domain: str | None = Field(None, description=COOKIE_DOMAIN_HELP)
    consent_required: bool = Field(False, description=CONSENT_REQUIRED_HELP)
    tag_dedup: bool = Field(False, description=TAG_DEDUP_HELP)


class SourceCreated(SourceOut):
    write_key: str = Field(description="Shown once: store it now, pinrelay keeps only a hash.")


class PinterestConfigIn(_Strict):
    ad_account_id: str = Field(examples=["549764982399"], json_schema_extra=AD_ACCOUNT_SCHEMA)
    conversion_token: SecretStr = Field(
        description="Conversion access token from Ads Manager.", json_schema_extra=TOKEN_SCHEMA
    )

    @field_validator("ad_account_id")
    @classmethod
    def _ad_account(cls, value: str) -> str:
        return check_ad_account_id(value)

    @field_validator("conversion_token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty: generate a conversion token in Ads Manager")
        return value


class PinterestConfigPatch(_Strict):
    ad_account_id: str | None = Field(None, json_schema_extra=AD_ACCOUNT_SCHEMA)
    conversion_token: SecretStr | None = Field(None, json_schema_extra=TOKEN_SCHEMA)

    @field_validator("ad_account_id")
    @classmethod
    def _ad_account(cls, value: str | None) -> str | None:
        return None if value is None else check_ad_account_id(value)


PARTNER_NAME = re.compile(r"direct|ss-[a-z0-9_-]{1,60}")
PRESET_NAMES_SCHEMA: dict[str, Any] = {"type": "string", "enum": sorted(preset_names())}


class IntegrationSettings(_Strict):
    custom_events: bool = Field(
        True, description="Send tracks no preset maps as Pinterest 'custom' events."
    )
    anonymous_id_as_external_id: bool = Field(
        False, description="Also send the hashed anonymousId as a second external_id."
    )
    presets: bool = Field(
        True, description="Run the built-in presets; false: only this integration's own pipelines."
    )
    disabled_presets: list[str] = Field(
        default_factory=list,
        description="Presets this integration does not run (names, e.g. page_visit); "
        "start with a few events and add the others later.",
        examples=[["page_visit", "screen_view"]],
        json_schema_extra={"items": PRESET_NAMES_SCHEMA},
    )
    opt_out_from_device: bool = Field(
        True, description="Send opt_out=true when context.device.adTrackingEnabled is false."
    )
    consent_denied: Literal["drop", "opt_out"] = Field(
        "drop", description="An event whose consent is not granted: drop it, or send it opted out."
    )
    ldp: Literal["off", "flagged", "all"] = Field(
        "flagged",
        description="Limited Data Processing (California): for events that flag it, all, or none.",
    )
    ldp_hash_case: Literal["both", "uppercase", "lowercase"] = Field(
        "both",
        description="Case of CA/US hashed into st/country under LDP (pinterest-capi.md 5.2).",
    )
    app_fields: Literal["objects", "legacy", "off"] = Field(
        "objects",
        description="App events: app_info/device_info objects, the legacy flat fields, or none.",
    )
    partner_name: str | None = Field(
        None,
        description="partner_name on every event: empty for a direct integration (or 'direct'); "
        "'ss-<partner>' only when Pinterest gave you that name (pinterest-capi.md §8).",
        examples=["direct"],
        json_schema_extra={"pattern": r"^(direct|ss-[a-z0-9_-]{1,60})?$"},
    )
    tag_id: str | None = Field(
        None,
        description="Pinterest Tag ID for browser deduplication (with the source's tag_dedup). "
        "NOT the Ad Account ID: " + TAG_ID_HINT,
        examples=["2612345678901"],
        json_schema_extra=TAG_ID_SCHEMA,
    )

    @field_validator("partner_name")
    @classmethod
    def _partner_name(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not PARTNER_NAME.fullmatch(value.strip()):
            raise ValueError(
                "partner_name is 'direct', or the 'ss-<partner>' name Pinterest gave you "
                "(lowercase letters, digits, - and _); leave it empty otherwise"
            )
        return value.strip()

    @field_validator("disabled_presets")
    @classmethod
    def _known_presets(cls, values: list[str]) -> list[str]:
        known = preset_names()
        unknown = [v for v in values if v not in known]
        if unknown:
            raise ValueError(
                f"no preset named {', '.join(unknown)}: presets are {', '.join(sorted(known))}"
            )
        return list(dict.fromkeys(values))

    @field_validator("tag_id")
    @classmethod
    def _tag_id(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not TAG_ID.fullmatch(value.strip()):
            raise ValueError("tag_id must be " + TAG_ID_HINT)
        return value.strip()


class IntegrationCreate(_Strict):
    source_id: str
    vendor: Literal["pinterest_ads"] = "pinterest_ads"
    name: str = Field(min_length=1, max_length=200)
    enabled: bool = True
    config: PinterestConfigIn
    consent_categories: list[str] = Field(default_factory=list, examples=[["advertising"]])
    test_mode: bool = Field(False, description="Send with ?test=true: Pinterest records nothing.")
    settings: IntegrationSettings = Field(default_factory=IntegrationSettings)


def check_tag_not_ad_account(tag_id: str | None, ad_account_id: str | None) -> None:
    """The commonest mix-up (pinterest-capi.md §1): the Ad Account ID pasted as the Tag ID."""
    if tag_id is not None and tag_id == ad_account_id:
        raise ValueError(
            "settings.tag_id equals the ad account id: the Tag ID is a different number, "
            "shown in Ads Manager > Conversions > Pinterest Tag"
        )


class IntegrationPatch(_Strict):
    name: str | None = Field(None, min_length=1, max_length=200)
    enabled: bool | None = None
    config: PinterestConfigPatch | None = None
    consent_categories: list[str] | None = None
    test_mode: bool | None = None
    settings: IntegrationSettings | None = None


class PinterestConfigOut(BaseModel):
    ad_account_id: str
    conversion_token: str = Field(description="Always masked.", examples=["****abcd"])


class IntegrationOut(BaseModel):
    id: str
    source_id: str
    vendor: str
    name: str
    enabled: bool
    status: Literal["active", "paused", "disabled"]
    paused_reason: str | None
    config: PinterestConfigOut
    consent_categories: list[str]
    test_mode: bool
    settings: dict[str, Any]
    created_at: float
    updated_at: float


class OutboxEntryOut(BaseModel):
    seq: int
    event_id: str
    event_name: str
    event_time: int
    status: Literal["pending", "delivered", "dead"]
    attempts: int
    next_attempt_at: float | None
    last_error: str | None
    warning: str | None
    created_at: float
    updated_at: float


class DeliveriesOut(BaseModel):
    integration_id: str
    counts: dict[str, int]
    entries: list[OutboxEntryOut]
    next_before: int | None = Field(description="Pass as ?before= for the next page.")


class AttemptOut(BaseModel):
    started_at: float
    duration_ms: float
    batch_size: int
    http_status: int | None
    outcome: str
    message: str | None
    test: bool
    hint: str | None = Field(None, description="What to do about this answer, in plain words.")


class EventOut(BaseModel):
    seq: int
    source_id: str
    message_id: str
    type: str
    name: str | None
    user_id: str | None
    anonymous_id: str | None
    received_at: float
    body: dict[str, Any] = Field(description="The event as received, PII already hashed.")
    trace: list[dict[str, Any]] = Field(description="Per integration: pipeline and outcome.")


class ErrorDetail(BaseModel):
    field: str
    problem: str


class ErrorInfo(BaseModel):
    status: int
    message: str = Field(description="What is wrong and how to fix it; never contains a secret.")
    details: list[ErrorDetail] | None = None


class ErrorOut(BaseModel):
    """The body of every error answer of the admin API."""

    error: ErrorInfo


class MatchKeyShare(BaseModel):
    key: str
    events: int = Field(description="Queued events that carried this key.")
    share: float = Field(description="events / all queued events, 0 to 1.")
    weight: int = Field(description="Weight of the key in the score (0: not scored).")
    advice: str | None = Field(None, description="How to send this key more often.")


class MatchQualityOut(BaseModel):
    integration_id: str
    since: float = Field(description="Unix time the counts start from (hour-aligned).")
    events: int = Field(description="Events queued for this integration since then.")
    score: float = Field(description="sum(weight * share) over the keys; 0 to 100.")
    keys: list[MatchKeyShare]


class PipelineIn(_Strict):
    yaml: str = Field(
        min_length=1,
        max_length=200_000,
        description="One pipeline in the YAML format of docs/reference/pipelines.md.",
    )


class PipelineUpdate(PipelineIn):
    version: int | None = Field(
        None,
        ge=1,
        description="The version this edit started from: if the pipeline has moved on since, "
        "the update fails with 409 instead of overwriting someone else's change.",
    )


class PipelineOut(BaseModel):
    integration_id: str
    name: str
    version: int
    yaml: str
    created_at: float
    updated_at: float


class PipelineVersionOut(BaseModel):
    version: int
    yaml: str | None = Field(description="null: the version that deleted the pipeline.")
    created_at: float


class DeadLetterOut(BaseModel):
    seq: int = Field(description="The outbox entry; pass it in `seqs` to replay this one.")
    integration_id: str
    event_id: str
    event_name: str
    event_time: int
    attempts: int
    reason: str | None = Field(description="Pinterest's error_message, or why we gave up.")
    created_at: float
    dead_at: float


class DeadLettersOut(BaseModel):
    entries: list[DeadLetterOut]
    next_before: int | None = Field(description="Pass as ?before= for the next page.")


class ReplayIn(_Strict):
    """Which dead events to queue again; at least one filter, or `all` to mean every one."""

    # The schema says "at least one selector" itself, so clients know before they call.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                {"required": ["integration_id"]},
                {"required": ["seqs"]},
                {"required": ["since"]},
                {"required": ["until"]},
                {"required": ["all"], "properties": {"all": {"const": True}}},
            ]
        },
    )

    integration_id: str | SkipJsonSchema[None] = None
    seqs: Annotated[list[int], Field(min_length=1, max_length=100_000)] | SkipJsonSchema[None] = (
        None
    )
    since: float | SkipJsonSchema[None] = Field(
        None, description="Received at or after (unix seconds)."
    )
    until: float | SkipJsonSchema[None] = Field(None, description="Received before (unix seconds).")
    all: bool = Field(False, description="Replay every dead event (no filter).")
    limit: int = Field(10_000, ge=1, le=100_000, description="Most events one call replays.")


class SkippedOut(BaseModel):
    seq: int
    reason: str


class ReplayOut(BaseModel):
    replayed: int
    replayed_seqs: list[int]
    skipped: list[SkippedOut] = Field(description="Left dead, with why (e.g. older than 7 days).")


class OutcomeCountsOut(BaseModel):
    source_id: str
    integrations: dict[str, dict[str, int]] = Field(
        description="Per integration id, how many events got each trace outcome: queued, "
        "filtered (consent), no_pipeline, invalid, unmatchable."
    )


class DeliveryStepOut(BaseModel):
    """One Pinterest payload of an event and where its delivery stands."""

    integration_id: str
    event_id: str
    event_name: str
    status: Literal["pending", "delivered", "dead"]
    attempts: int
    last_error: str | None = Field(description="Pinterest's error_message, or why we gave up.")
    warning: str | None = Field(description="Pinterest's warning_message of a delivered event.")
    hint: str | None
    updated_at: float
    payload: dict[str, Any] = Field(description="The event exactly as sent to Pinterest.")


class EventJourneyOut(EventOut):
    """An event from receipt to Pinterest's answer, in one call."""

    deliveries: list[DeliveryStepOut]
