"""Bodies of integrations: the Pinterest ad account a source delivers to, and its settings."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator

from pinrelay.pipeline.presets import preset_names
from pinrelay.services.models.strict import StrictModel

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


TAG_ID = re.compile(r"^[0-9]{6,20}$")
# The schema states what the validators accept (so a schema-valid value is never refused);
# the validators add the message that says how to fix a value.
TAG_ID_SCHEMA: dict[str, Any] = {"pattern": r"^([0-9]{6,20})?$"}
TAG_ID_HINT = (
    "the Pinterest Tag ID (digits only) from Ads Manager > Conversions > Pinterest Tag: it "
    "names the browser tag and is NOT the Ad Account ID (the account events are sent to)"
)


class PinterestConfigIn(StrictModel):
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


class PinterestConfigPatch(StrictModel):
    ad_account_id: str | None = Field(None, json_schema_extra=AD_ACCOUNT_SCHEMA)
    conversion_token: SecretStr | None = Field(None, json_schema_extra=TOKEN_SCHEMA)

    @field_validator("ad_account_id")
    @classmethod
    def _ad_account(cls, value: str | None) -> str | None:
        return None if value is None else check_ad_account_id(value)


PARTNER_NAME = re.compile(r"direct|ss-[a-z0-9_-]{1,60}")
PRESET_NAMES_SCHEMA: dict[str, Any] = {"type": "string", "enum": sorted(preset_names())}


class IntegrationSettings(StrictModel):
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


class IntegrationCreate(StrictModel):
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


class IntegrationPatch(StrictModel):
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
