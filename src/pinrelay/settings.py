"""Settings, built once at start (flag > env `PINRELAY_*` > default) and passed explicitly.

Nothing below reads `os.environ` after start; every component takes what it needs from
`Settings`. Secrets are `SecretStr`, so printing a `Settings` never shows them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pinrelay.collect.body import MAX_REQUEST_BYTES
from pinrelay.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///pinrelay.db"
DEFAULT_PINTEREST_API_URL = "https://api.pinterest.com/v5"
DEFAULT_PINTEREST_TIMEOUT_SECONDS = 30.0  # one HTTP call (PinterestClient's default too)


class Settings(BaseSettings):
    """Every tunable of a pinrelay process; each is documented in docs/reference/settings.md."""

    model_config = SettingsConfigDict(env_prefix="PINRELAY_", extra="ignore")

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="Where events and config live: sqlite:///relative.db, sqlite:////abs/path.db, "
        "or postgresql://user:password@host:5432/dbname (several processes, many hosts).",
    )
    # The collect port faces websites and SDKs, so it listens on every interface by default.
    host: str = Field("0.0.0.0", description="Address the collect server binds to.")  # noqa: S104
    port: int = Field(8080, ge=1, le=65535, description="Port of the collect server.")
    public_collect_url: str | None = Field(
        None,
        description="URL sites and SDKs reach the collect server at (e.g. https://t.shop.example), "
        "shown in the UI's snippets; unset: the UI's own host with the collect port.",
    )
    max_request_bytes: int = Field(
        MAX_REQUEST_BYTES,
        ge=64 * 1024,
        description="Largest collect request body, after gzip (RudderStack SDKs batch up to 4 MB).",
    )
    admin_host: str = Field(
        "127.0.0.1", description="Address the admin API binds to (loopback unless told otherwise)."
    )
    admin_port: int = Field(8084, ge=1, le=65535, description="Port of the admin API.")
    admin_token: SecretStr | None = Field(
        None,
        description="Bearer token of the admin API; the admin API refuses all calls without it.",
    )
    collect_rate_limit_per_second: float = Field(
        2000.0,
        ge=0,
        description="Collect requests per second per source (bursts of two seconds' worth "
        "pass); more get 429 with Retry-After; 0: no limit.",
    )
    admin_auth_max_failures: int = Field(
        10,
        ge=1,
        description="Failed admin tokens or sign-ins per client and minute before it gets 429.",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Fernet key encrypting conversion tokens at rest; unset: a key file is used.",
    )
    secret_key_file: Path | None = Field(
        None,
        description="Key file created (mode 0600) at first start if PINRELAY_SECRET_KEY is "
        "unset; default: beside the database (pinrelay.db -> pinrelay.key).",
    )
    pinterest_api_url: str = Field(
        DEFAULT_PINTEREST_API_URL, description="Base URL of the Pinterest API (or the sandbox)."
    )
    pinterest_timeout_seconds: float = Field(
        DEFAULT_PINTEREST_TIMEOUT_SECONDS,
        gt=0,
        description="Timeout of one HTTP call to Pinterest.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Peers (IPs or CIDRs) whose X-Forwarded-For is believed.",
    )
    delivery_poll_seconds: float = Field(
        0.5, gt=0, description="How often the worker looks for due events when idle."
    )
    delivery_batch_wait_seconds: float = Field(
        0.25,
        ge=0,
        le=60,
        description="Once the outbox is drained, how long new events gather before the "
        "next batch is sent (fuller batches, fewer calls; 0: send at once).",
    )
    delivery_lease_seconds: float = Field(
        90.0, gt=0, description="How long a claimed batch stays reserved; longer than the timeout."
    )
    delivery_max_attempts: int = Field(
        5, ge=1, description="Failed attempts before a transiently failing event may be dead."
    )
    delivery_retry_window_seconds: float = Field(
        86400.0,
        ge=0,
        description="Time an event is retried before it may be dead (with the "
        "attempts above, both must be spent).",
    )
    delivery_backoff_base_seconds: float = Field(
        2.0, gt=0, description="First retry delay; doubles per attempt, with full jitter."
    )
    delivery_backoff_max_seconds: float = Field(600.0, gt=0, description="Cap of one retry delay.")
    delivery_inflight_batches: int = Field(
        4, ge=1, le=64, description="Batches one integration may have in flight at once."
    )
    delivery_rate_limit_per_minute: float = Field(
        5000.0,
        gt=0,
        description="Requests per minute per ad account (token bucket); Pinterest documents "
        "5,000 in the spec and 120,000 for standard access.",
    )
    delivery_retention_seconds: float = Field(
        7 * 86400.0,
        gt=0,
        description="How long delivered entries stay listable before their rows are reclaimed.",
    )
    database_pool_size: int = Field(
        10, ge=1, le=200, description="Most PostgreSQL connections one process opens."
    )
    group_commit_max_items: int = Field(
        5000, ge=1, description="Most writes one group commit takes from the queue."
    )
    log_level: str = Field("info", description="debug, info, warning or error.")
    retention_days: float = Field(
        7.0, gt=0, description="Days the event log and the delivery log are kept."
    )
    alert_webhook_url: str | None = Field(
        None, description="URL that receives a JSON POST when an alert starts or ends."
    )
    alert_interval_seconds: float = Field(60.0, gt=0, description="How often alerts are evaluated.")
    alert_error_rate: float = Field(
        0.2, gt=0, le=1, description="Share of failed sends (last 15 min) that raises an alert."
    )
    alert_zero_traffic_seconds: float = Field(
        3600.0, gt=0, description="Silence of a source that raises an alert."
    )
    alert_pending_age_seconds: float = Field(
        1800.0, gt=0, description="Age of the oldest waiting event that raises an alert."
    )
    retention_interval_seconds: float = Field(
        300.0, gt=0, description="How often old rows are pruned."
    )
    pipelines_dir: Path | None = Field(
        None,
        description="Directory of pipeline YAML files applied to every integration; "
        "watched for changes (unset: presets and admin API pipelines only).",
    )
    pipelines_poll_seconds: float = Field(
        2.0, gt=0, description="How often the pipelines directory is checked for changes."
    )
    import_dir: Path | None = Field(
        None,
        description="Where uploaded import files wait (mode 0600) until imported; unset: an "
        "imports directory beside the SQLite database (PostgreSQL: "
        "~/.local/state/pinrelay/imports).",
    )
    import_max_bytes: int = Field(
        2 * 1024**3, ge=1, description="Largest import file the admin API accepts (bytes)."
    )
    batch_workers: int | None = Field(
        None,
        ge=0,
        le=64,
        description="Worker processes that map collect requests of 100 events or more (a "
        "backend's batches) on other cores, so they do not hold up the requests behind them; "
        "0: everything is mapped on the collect loop; unset: on SQLite one per core the "
        "server may run on, up to 4 (none on one core), on PostgreSQL none (scale with "
        "--workers).",
    )
    import_workers: int | None = Field(
        None,
        ge=0,
        le=64,
        description="Worker processes that map the rows of a big import (over 4 MiB) on "
        "other cores, at a lower priority than live collect; 0: in the server process; "
        "unset: one per core the server may run on, up to 4 (none on one core).",
    )

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError(
                "PINRELAY_DATABASE_URL must look like sqlite:///pinrelay.db (relative), "
                "sqlite:////var/lib/pinrelay/pinrelay.db (absolute) or "
                "postgresql://pinrelay:password@db.example:5432/pinrelay"
            )
        return value

    @field_validator("pinterest_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def key_file_path(self) -> Path:
        """The key file: the setting, else beside the SQLite database, never the working
        directory (a restart from another directory would silently make a new key).

        On PostgreSQL every process on every host must decrypt the same secrets, so a key
        made up by one process would be wrong for the others: the key must be given.
        """
        if self.secret_key_file is not None:
            return self.secret_key_file
        if self.database_url.startswith("sqlite:///"):
            return Path(self.database_url.removeprefix("sqlite:///")).with_suffix(".key")
        raise ConfigError(
            "PINRELAY_SECRET_KEY is not set: on PostgreSQL every process and host must share "
            "one key (set PINRELAY_SECRET_KEY to the same Fernet key everywhere, or "
            "PINRELAY_SECRET_KEY_FILE to a file that holds it)"
        )

    def import_directory(self) -> Path:
        """Where uploaded import files are kept until their import finishes (issue 15)."""
        if self.import_dir is not None:
            return self.import_dir
        if self.database_url.startswith("sqlite:///"):
            return Path(self.database_url.removeprefix("sqlite:///")).parent / "imports"
        # PostgreSQL: no database file to sit beside; a fixed place, not the working directory
        # (an interrupted import resumes from its file after a restart from anywhere)
        return Path.home() / ".local" / "state" / "pinrelay" / "imports"


def load_settings(**overrides: object) -> Settings:
    """Build the settings from the environment plus explicit overrides (CLI flags)."""
    clean = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**clean)  # type: ignore[arg-type]  # keys are validated by pydantic
    except ValueError as exc:
        raise ConfigError(f"invalid setting: {exc}") from exc
