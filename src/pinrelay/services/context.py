"""What every service is given: the process's parts, typed, built once by the composition root.

The admin API and the UI used to fish these out of `app.state` one attribute at a time, each
with its own default; now app.py builds one `ServiceContext` and both HTTP apps hand it to
the services they call. Optional parts are None where a process (or a test) has none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import HTTPConnection

from pinrelay.alerts.monitor import AlertMonitor
from pinrelay.collect.network import Network
from pinrelay.credentials import SecretBox
from pinrelay.mapping.registry import PipelineRegistry
from pinrelay.metrics import Metrics
from pinrelay.offline.jobs import ImportJobs
from pinrelay.pinterest.client import PinterestClient
from pinrelay.roles import ROLES
from pinrelay.services.throttle import FailureThrottle
from pinrelay.store.base import Store

STATE_KEY = "services"  # the attribute of an app's state that holds its context


@dataclass(frozen=True)
class ServiceContext:
    """The store and the rest of the process the admin API and the UI act through."""

    store: Store
    secrets: SecretBox
    pinterest: PinterestClient
    admin_token: str = field(repr=False)  # PINRELAY_ADMIN_TOKEN, the bootstrap token
    auth_throttle: FailureThrottle = field(default_factory=FailureThrottle)  # per client
    alerts: AlertMonitor | None = None
    imports: ImportJobs | None = None  # offline imports run in the `serve` process only
    pipelines: PipelineRegistry | None = None  # None: presets only (no registry)
    metrics: Metrics | None = None
    trusted_proxies: tuple[Network, ...] = ()
    roles: tuple[str, ...] = ROLES  # this process's roles, as /healthz names them
    collect_url: str | None = None  # PINRELAY_PUBLIC_COLLECT_URL (None: guessed per request)
    collect_port: int | None = None


def bind_context(state: object, context: ServiceContext) -> None:
    """Attach `context` to an app's state (done once, by the composition root)."""
    setattr(state, STATE_KEY, context)


def context_of(connection: HTTPConnection) -> ServiceContext:
    """The context of the app serving this request (the one lookup of app state left)."""
    context: ServiceContext = getattr(connection.app.state, STATE_KEY)
    return context
