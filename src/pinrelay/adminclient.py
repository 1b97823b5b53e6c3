"""The admin API as the CLI commands that talk to a running server see it (`pinrelay import`,
`pinrelay replay`): one client, one way of turning failures into messages that say what to do.

These commands go through the server rather than the database: one process owns a SQLite file,
and the server is where the pipelines, the identity rules and the delivery worker already are.
"""

from __future__ import annotations

from typing import Any

import httpx

from pinrelay.errors import ConfigError
from pinrelay.settings import Settings

TIMEOUT_SECONDS = 60.0  # connect and write; reads may wait longer (a big upload's answer)


class AdminAPI:
    """Calls to the admin API with the bearer token; errors become ConfigError messages."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base.rstrip("/")
        self._client = httpx.Client(
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(TIMEOUT_SECONDS, read=None),
        )

    @classmethod
    def from_settings(cls, settings: Settings, admin_url: str | None) -> AdminAPI:
        """The local server's admin API (127.0.0.1 on PINRELAY_ADMIN_PORT) unless told."""
        if settings.admin_token is None:
            raise ConfigError("PINRELAY_ADMIN_TOKEN is not set: the admin API needs it")
        return cls(
            admin_url or f"http://127.0.0.1:{settings.admin_port}",
            settings.admin_token.get_secret_value(),
        )

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """The answer's JSON (or bytes for other content types); ConfigError on failure."""
        try:
            response = self._client.request(method, f"{self.base}{path}", **kwargs)
        except httpx.HTTPError as exc:
            raise ConfigError(
                f"cannot reach the admin API at {self.base} ({type(exc).__name__}): is "
                "`pinrelay serve` running, and is --admin-url right?"
            ) from None
        if response.status_code >= 400:
            try:
                message = response.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = response.text[:200]
            raise ConfigError(f"the admin API said {response.status_code}: {message}")
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.content
