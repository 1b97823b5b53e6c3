"""Bodies of sources: create, change, show (the write key only once), outcome counts."""

from __future__ import annotations

from typing import Annotated, Any

import phonenumbers
from pydantic import BaseModel, Field, field_validator

from pinrelay.collect.cors import normalise_cookie_domain, normalise_origin
from pinrelay.identity.phones import supported_country
from pinrelay.services.models.strict import StrictModel


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


class _SourceBrowser(StrictModel):
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


class OutcomeCountsOut(BaseModel):
    source_id: str
    integrations: dict[str, dict[str, int]] = Field(
        description="Per integration id, how many events got each trace outcome: queued, "
        "filtered (consent), no_pipeline, invalid, unmatchable."
    )
