"""The trace of one event: per integration, what became of it and why (the event debugger's).

The trace is stored with the event (JSON, in the event log) and read by the debugger, the
charts (`count_outcomes`, `outcomes_by_bucket` count steps by their `outcome`), offline
import reports and ui.js. So `Outcome`'s values are the strings already on disk and in the
SQL results; they must never change. A test checks that ui.js names the same ones.

A step is a `TypedDict`, not a class: ingest builds one per integration per event and
stores it as it is (msgspec encodes a dict, and the PII scrub walks dicts), so a typed step
costs nothing over the plain dict it replaces.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NotRequired, TypedDict


class Outcome(StrEnum):
    """What became of an event for one integration."""

    QUEUED = "queued"  # in the outbox, waiting for delivery
    FILTERED = "filtered"  # refused before the pipelines: consent, bots, `integrations` object
    UNMATCHABLE = "unmatchable"  # no match key Pinterest accepts (pinterest-capi.md §2.4)
    INVALID = "invalid"  # the event the pipeline built breaks Pinterest's schema
    NO_PIPELINE = "no_pipeline"  # no pipeline of the integration maps this message

    @property
    def sent(self) -> bool:
        return self is Outcome.QUEUED


class TraceStep(TypedDict):
    """One step of the trace. Refusals carry only `reason`; a pipeline's step carries the
    pipeline and its notes, and either the queued event's id or, when nothing was queued,
    the event itself (`output`, kept for the debugger since no outbox row holds it)."""

    integration_id: str
    outcome: Outcome
    reason: NotRequired[str]
    pipeline: NotRequired[str]
    origin: NotRequired[str]  # preset file, directory file, or api:<integration>/<name>@vN
    notes: NotRequired[list[str]]  # fields dropped or changed, and why (never quoting values)
    event_name: NotRequired[Any]  # what the pipeline set, not necessarily a string
    event_id: NotRequired[str]
    output: NotRequired[dict[str, Any]]


def refusal_step(integration_id: str, outcome: Outcome, reason: str) -> TraceStep:
    """A step saying why no pipeline ran (filtered) or none applied (no_pipeline)."""
    return {"integration_id": integration_id, "outcome": outcome, "reason": reason}
