"""The Pinterest stage: the v5 event model, validation, the client, and (in `sandbox`) a local
stand-in for the API. Importing this package does not import the sandbox or Starlette."""

from pinrelay.pinterest.client import PinterestClient
from pinrelay.pinterest.model import (
    ACTION_SOURCES,
    EVENT_NAMES,
    HASHED_USER_FIELDS,
    MAX_BATCH_EVENTS,
    MAX_EVENT_AGE_SECONDS,
    MAX_TEST_BATCH_EVENTS,
    PLAIN_USER_FIELDS,
    ConversionEvent,
)
from pinrelay.pinterest.outcome import BatchResult, EventResult, RateLimitInfo
from pinrelay.pinterest.problems import Problem, ProblemKind
from pinrelay.pinterest.validation import (
    ad_account_id_problem,
    check_event,
    encode_batch,
    encode_event,
    event_time_problem,
    has_minimum_identity,
    validate_event,
)

__all__ = [
    "ACTION_SOURCES",
    "EVENT_NAMES",
    "HASHED_USER_FIELDS",
    "MAX_BATCH_EVENTS",
    "MAX_EVENT_AGE_SECONDS",
    "MAX_TEST_BATCH_EVENTS",
    "PLAIN_USER_FIELDS",
    "BatchResult",
    "ConversionEvent",
    "EventResult",
    "PinterestClient",
    "Problem",
    "ProblemKind",
    "RateLimitInfo",
    "ad_account_id_problem",
    "check_event",
    "encode_batch",
    "encode_event",
    "event_time_problem",
    "has_minimum_identity",
    "validate_event",
]
