"""Plain-language hints for Pinterest's answers, shown beside them in the API and the UI.

The common mistakes have well-known fixes (pinterest-capi.md section 4.3; the seeds' "common
errors" tables): say the fix next to the status, so nobody has to look it up.
"""

from __future__ import annotations

HINTS = {
    400: "Pinterest refused the request as malformed: the message names the field; check the "
    "pipeline that produced it.",
    401: "The conversion token was rejected: generate a new one in Ads Manager > Conversions "
    "and save it in this integration.",
    403: "The token's user has no access to this ad account: check the Ad Account ID, or "
    "generate the token as a user with a Business Access role on the account.",
    404: "The ad account was not found: use the numeric Ad Account ID from Ads Manager > "
    "Account settings, not the Tag ID.",
    422: "Pinterest read the request but refused the event: the per-event message says why.",
    429: "Pinterest is rate limiting this ad account: pinrelay waits X-RateLimit-Reset seconds "
    "and retries.",
}


def hint_for(status: int | None) -> str | None:
    if status is None:
        return (
            "Nothing came back from Pinterest: check that this server can reach "
            "PINRELAY_PINTEREST_API_URL (network, proxy, DNS)."
        )
    if status >= 500:
        return "Pinterest had a server error: pinrelay retries these with backoff."
    return HINTS.get(status)


def hint_for_event(status: str, last_error: str | None, attempts: int) -> str | None:
    """A hint for one event's delivery state (pending, delivered or dead)."""
    if status == "delivered":
        return None
    if status == "dead":
        if last_error and "7 days" in last_error:
            return (
                "Pinterest only accepts events of the last 7 days: this one can no longer be sent."
            )
        if last_error and last_error.startswith("gave up"):
            return (
                "Pinterest could not be reached for the whole retry budget: fix the cause, "
                "then replay it (POST /v1/admin/dead-letters/replay)."
            )
        return (
            "Pinterest refused this event; its message says which field. Fix the pipeline "
            "or the source data, then replay it."
        )
    if attempts:
        return "Pinterest has not accepted it yet; pinrelay retries with backoff."
    return None
