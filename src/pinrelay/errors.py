"""Every error pinrelay raises on purpose, in one tree (HTTP status when it reaches a caller).

    PinrelayError                       root: catch this to catch everything of ours   500
    ├── ConfigError                     a setting or flag is wrong; the message names it
    ├── StoreError                      the database failed or is in the wrong state:  503
    │   │                               nothing was written, the caller may retry
    │   ├── MigrationError              a schema migration could not be applied
    │   └── NotFound                    a row that was asked for does not exist        404
    ├── PipelineError                   a pipeline file or definition is invalid       422
    │   ├── PipelineLoadError           every problem of the files, with line and column
    │   │                               (pipeline.loadproblems)
    │   ├── YamlSyntaxError             the text is not YAML (pipeline.yamlmarks; also
    │   │                               an import mapping's text)
    │   └── PathSyntaxError             a field path cannot be parsed (pipeline.paths)
    ├── TransformError                  a named transform cannot take a value: the field
    │                                   is left out and noted (pipeline.transforms)
    ├── MessageRejected                 one Segment message is unusable; the message   400
    │                                   names the field (collect.messages)
    ├── ImportFileError                 an offline import's file or mapping is unusable 400
    ├── RowRefused                      one import row cannot become an event (offline.rows)
    ├── DateProblem                     a cell is not a date an import can read (offline.dates)
    ├── PayloadError                    a Pinterest event does not match the v5 schema
    ├── DeliveryError                   a send to Pinterest did not succeed            502
    │   ├── TransientDeliveryError      nothing usable came back: retry later
    │   │                               (network, timeout, 429, 5xx)
    │   └── PermanentDeliveryError      a definite "no": do not retry as is
    │       └── IntegrationConfigError  token or ad account rejected (401/403/404):
    │                                   pause the integration until it is fixed
    └── HTTPError                       a request to our own HTTP API is wrong;
        │                               carries a message saying what to fix
        ├── BadRequest                  400
        ├── Unauthorized                401
        │   └── LoginRequired           no UI session: the UI redirects to /login (ui.web)
        ├── Forbidden                   403
        │   └── CsrfRefused             a UI form without its session's token (ui.web)
        ├── ResourceNotFound            404
        ├── Conflict                    409
        ├── PayloadTooLarge             413
        ├── UnprocessableEntity         422
        └── TooManyRequests             429, with Retry-After

Every class carries `status_code`, the HTTP status of the answer when one of them reaches a
caller of our HTTP apps; `pinrelay.erroranswers` is the one place that turns an error into
that answer (JSON for the admin API and collect, HTML for the UI). The classes drawn with a
module name live beside the code that raises them (they carry fields of their own); the rest
live here. Messages of HTTPError and of 4xx errors are written for the caller: they never
contain secrets (tokens, write keys), only what was sent wrong and how to fix it; the
message of a 5xx error is logged, not answered (it can name our internals).
"""

from __future__ import annotations

from typing import ClassVar


class PinrelayError(Exception):
    """Root of every error pinrelay raises on purpose."""

    status_code: ClassVar[int] = 500  # the HTTP status when it reaches a caller

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.message = str(args[0]) if args else ""  # what the caller is told (below 500)


class ConfigError(PinrelayError):
    """A setting, flag or config value is missing or wrong."""


class StoreError(PinrelayError):
    """The store failed or holds something unexpected.

    503, not 500: the transaction was rolled back, so nothing of the request was written and
    sending it again is safe (the SDKs of Segment and RudderStack retry any 5xx; 503 also
    tells a person that the server, not the request, is at fault for now).
    """

    status_code = 503


class MigrationError(StoreError):
    """A schema migration could not be applied."""


class NotFound(StoreError):
    """A row that was asked for does not exist (e.g. deleted meanwhile by another request)."""

    status_code = 404


class PipelineError(PinrelayError):
    """A pipeline definition is invalid."""

    status_code = 422


class ImportFileError(PinrelayError):
    """An offline import's file or mapping cannot be used; the message says what to fix."""

    status_code = 400


class PayloadError(PinrelayError):
    """A Pinterest event does not match our model of the v5 schema."""


class DeliveryError(PinrelayError):
    """A send to the Pinterest API did not succeed; `http_status` is None if nothing came back."""

    status_code = 502  # our answer: the upstream (Pinterest) did not accept; not `http_status`

    def __init__(self, message: str, *, http_status: int | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status


class TransientDeliveryError(DeliveryError):
    """Nothing usable came back (network, timeout, 429, 5xx): retry with backoff."""

    def __init__(
        self,
        message: str,
        *,
        retry_after_seconds: float | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message, http_status=http_status)
        self.retry_after_seconds = retry_after_seconds


class PermanentDeliveryError(DeliveryError):
    """Pinterest said no in a way that retrying unchanged cannot fix."""


class IntegrationConfigError(PermanentDeliveryError):
    """The token or the ad account was rejected: pause the integration until it is fixed."""


class HTTPError(PinrelayError):
    """An error answered to a caller of our HTTP APIs, with its status code."""

    status_code = 500

    def __init__(self, message: str, *, details: object | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class BadRequest(HTTPError):
    status_code = 400


class Unauthorized(HTTPError):
    status_code = 401


class Forbidden(HTTPError):
    status_code = 403


class ResourceNotFound(HTTPError):
    status_code = 404


class Conflict(HTTPError):
    status_code = 409


class PayloadTooLarge(HTTPError):
    status_code = 413


class UnprocessableEntity(HTTPError):
    status_code = 422


class TooManyRequests(HTTPError):
    """Too many requests (or failed sign-ins) from one client: wait `retry_after_seconds`."""

    status_code = 429

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
