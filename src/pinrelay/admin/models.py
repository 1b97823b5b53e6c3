"""Request and response bodies of the admin API (pydantic v2: validation + OpenAPI)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

AD_ACCOUNT_ID = re.compile(r"^\d{1,18}$")  # pinterest-capi.md section 1: ^\d+$, maxLength 18
AD_ACCOUNT_HINT = (
    "must be the numeric Pinterest Ad Account ID (digits only, at most 18), found in Ads "
    "Manager > Account settings; a value like this may be the Tag ID, which is a different "
    "identifier used only by the browser tag"
)


def check_ad_account_id(value: str) -> str:
    value = value.strip()
    if not AD_ACCOUNT_ID.fullmatch(value):
        raise ValueError(AD_ACCOUNT_HINT)
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceCreate(_Strict):
    name: str = Field(min_length=1, max_length=200, examples=["Website"])


class SourceOut(BaseModel):
    id: str
    name: str
    write_key_hint: str = Field(description="The start of the write key, to recognise it.")
    created_at: float


class SourceCreated(SourceOut):
    write_key: str = Field(description="Shown once: store it now, pinrelay keeps only a hash.")


class PinterestConfigIn(_Strict):
    ad_account_id: str = Field(examples=["549764982399"])
    conversion_token: SecretStr = Field(description="Conversion access token from Ads Manager.")

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
    ad_account_id: str | None = None
    conversion_token: SecretStr | None = None

    @field_validator("ad_account_id")
    @classmethod
    def _ad_account(cls, value: str | None) -> str | None:
        return None if value is None else check_ad_account_id(value)


class IntegrationSettings(_Strict):
    custom_events: bool = Field(
        True, description="Send tracks no preset maps as Pinterest 'custom' events."
    )


class IntegrationCreate(_Strict):
    source_id: str
    vendor: Literal["pinterest_ads"] = "pinterest_ads"
    name: str = Field(min_length=1, max_length=200)
    enabled: bool = True
    config: PinterestConfigIn
    consent_categories: list[str] = Field(default_factory=list, examples=[["advertising"]])
    test_mode: bool = Field(False, description="Send with ?test=true: Pinterest records nothing.")
    settings: IntegrationSettings = Field(default_factory=IntegrationSettings)


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

    integration_id: str | None = None
    seqs: list[int] | None = Field(None, min_length=1, max_length=100_000)
    since: float | None = Field(None, description="Received at or after (unix seconds).")
    until: float | None = Field(None, description="Received before (unix seconds).")
    all: bool = Field(False, description="Replay every dead event (no filter).")
    limit: int = Field(10_000, ge=1, le=100_000, description="Most events one call replays.")


class SkippedOut(BaseModel):
    seq: int
    reason: str


class ReplayOut(BaseModel):
    replayed: int
    replayed_seqs: list[int]
    skipped: list[SkippedOut] = Field(description="Left dead, with why (e.g. older than 7 days).")
