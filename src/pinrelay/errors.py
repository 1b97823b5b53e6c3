"""Every error pinrelay raises on purpose, in one tree.

    PinrelayError                       root: catch this to catch everything of ours
    ├── ConfigError                     a setting or flag is wrong; the message names it
    ├── StoreError                      the database failed or is in the wrong state
    │   ├── MigrationError              a schema migration could not be applied
    │   └── NotFound                    a row that was asked for does not exist
    ├── PipelineError                   a pipeline file or definition is invalid
    ├── ImportFileError                 an offline import's file or mapping is unusable
    ├── PayloadError                    a Pinterest event does not match the v5 schema
    ├── DeliveryError                   a send to Pinterest did not succeed
    │   ├── TransientDeliveryError      nothing usable came back: retry later
    │   │                               (network, timeout, 429, 5xx)
    │   └── PermanentDeliveryError      a definite "no": do not retry as is
    │       └── IntegrationConfigError  token or ad account rejected (401/403/404):
    │                                   pause the integration until it is fixed
    └── HTTPError                       a request to our own HTTP API is wrong;
        │                               carries the status and a message saying what to fix
        ├── BadRequest                  400
        ├── Unauthorized                401
        ├── Forbidden                   403
        ├── ResourceNotFound            404
        ├── Conflict                    409
        ├── PayloadTooLarge             413
        ├── UnprocessableEntity         422
        └── TooManyRequests             429, with Retry-After

HTTP-facing errors carry their status so one handler per app can render them; their messages
never contain secrets (tokens, write keys), only what the caller sent wrong and how to fix it.
"""

from __future__ import annotations


class PinrelayError(Exception):
    """Root of every error pinrelay raises on purpose."""


class ConfigError(PinrelayError):
    """A setting, flag or config value is missing or wrong."""


class StoreError(PinrelayError):
    """The store failed or holds something unexpected."""


class MigrationError(StoreError):
    """A schema migration could not be applied."""


class NotFound(StoreError):
    """A row that was asked for does not exist."""


class PipelineError(PinrelayError):
    """A pipeline definition is invalid."""


class ImportFileError(PinrelayError):
    """An offline import's file or mapping cannot be used; the message says what to fix."""


class PayloadError(PinrelayError):
    """A Pinterest event does not match our model of the v5 schema."""


class DeliveryError(PinrelayError):
    """A send to the Pinterest API did not succeed; `http_status` is None if nothing came back."""

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
