"""Send one sample event with ?test=true: the fastest way to know an integration works.

Pinterest processes a test request like a real one (same checks, same answers) but records
nothing (pinterest-capi.md section 1). The answer is Pinterest's own, plus a plain-language
hint for the common mistakes.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from pydantic import BaseModel, Field

from pinrelay.errors import ConfigError, DeliveryError
from pinrelay.identity import sha256_hex
from pinrelay.pinterest.validation import encode_event
from pinrelay.services.context import ServiceContext
from pinrelay.services.hints import hint_for
from pinrelay.services.integrations import existing_integration

SAMPLE_USER_AGENT = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15"
)


class TestEventResult(BaseModel):
    ok: bool = Field(description="Pinterest processed the sample event.")
    http_status: int | None
    message: str
    hint: str | None
    sent: dict[str, Any] = Field(description="The sample event as sent (hashed keys only).")


def sample_event() -> dict[str, Any]:
    """A page_visit that passes every check: minimum identity by email and by IP + UA."""
    return {
        "event_name": "page_visit",
        "action_source": "web",
        "event_time": int(time.time()),
        "event_id": f"pinrelay-test-{uuid.uuid4()}",
        "event_source_url": "https://example.com/pinrelay-test",
        "user_data": {
            "em": [sha256_hex("test@example.com")],
            "client_ip_address": "203.0.113.10",
            "client_user_agent": SAMPLE_USER_AGENT,
        },
    }


async def send_test_event(context: ServiceContext, integration_id: str) -> TestEventResult:
    """Send a sample event with ?test=true and return Pinterest's answer with a hint."""
    integration = existing_integration(context.store, integration_id)
    event = sample_event()
    try:
        token = context.secrets.decrypt(integration.conversion_token_enc)
    except ConfigError as exc:  # the key changed: say what to restore, not a 500
        return TestEventResult(ok=False, http_status=None, message=str(exc), hint=None, sent=event)
    try:
        result = await context.pinterest.send_batch(
            ad_account_id=integration.ad_account_id,
            conversion_token=token,
            events=[encode_event(event)],
            test=True,
        )
    except DeliveryError as exc:  # transient, permanent or a config refusal: all said as is
        return TestEventResult(
            ok=False,
            http_status=exc.http_status,
            message=str(exc),
            hint=hint_for(exc.http_status),
            sent=event,
        )
    outcome = result.events[0]
    if outcome.processed:
        message = "Pinterest processed the test event"
        if outcome.warning_message:
            message += f" with a warning: {outcome.warning_message}"
        return TestEventResult(
            ok=True, http_status=result.http_status, message=message, hint=None, sent=event
        )
    return TestEventResult(
        ok=False,
        http_status=result.http_status,
        message=outcome.error_message or "Pinterest refused the event",
        hint=hint_for(result.http_status),
        sent=event,
    )
