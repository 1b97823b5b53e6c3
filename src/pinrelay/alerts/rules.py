"""The alert rules: pure functions from a snapshot of the system to the alerts that hold.

Each rule answers a question an operator would otherwise ask too late: is Pinterest refusing
us (error rate), did a website stop sending (zero traffic), are events dying (dead letters),
is an integration stopped (paused), is delivery falling behind (oldest pending age)?
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["warning", "critical"]


@dataclass(frozen=True)
class AlertThresholds:
    error_rate: float = 0.2  # share of failed HTTP attempts over the window
    min_attempts: int = 5  # fewer attempts than this say nothing about a rate
    zero_traffic_seconds: float = 3600.0  # a source silent this long (after it sent once)
    pending_age_seconds: float = 1800.0  # the oldest event waiting this long


@dataclass(frozen=True)
class IntegrationSnapshot:
    id: str
    name: str
    paused_reason: str | None
    attempts: int  # HTTP attempts in the window
    failed_attempts: int  # of which did not deliver (retry, failed, paused)
    dead_total: int  # dead-lettered events, all time
    oldest_pending_age_seconds: float | None


@dataclass(frozen=True)
class SourceSnapshot:
    id: str
    name: str
    last_event_age_seconds: float | None  # None: never sent anything


@dataclass(frozen=True)
class Snapshot:
    integrations: list[IntegrationSnapshot] = field(default_factory=list)
    sources: list[SourceSnapshot] = field(default_factory=list)
    dead_before: dict[str, int] = field(default_factory=dict)  # dead_total at the last check


@dataclass(frozen=True)
class Alert:
    key: str  # stable identity: rule + target, to tell new alerts from ongoing ones
    rule: str
    severity: Severity
    target: str
    message: str


def evaluate(snapshot: Snapshot, thresholds: AlertThresholds) -> list[Alert]:
    alerts: list[Alert] = []
    for integration in snapshot.integrations:
        alerts += _integration_alerts(integration, snapshot, thresholds)
    for source in snapshot.sources:
        age = source.last_event_age_seconds
        if age is not None and age >= thresholds.zero_traffic_seconds:
            alerts.append(
                Alert(
                    f"zero_traffic:{source.id}",
                    "zero_traffic",
                    "warning",
                    source.id,
                    f"source {source.name!r} has sent no event for {_duration(age)}: check that "
                    "the website or SDK still points at pinrelay",
                )
            )
    return alerts


def _integration_alerts(
    integration: IntegrationSnapshot, snapshot: Snapshot, thresholds: AlertThresholds
) -> list[Alert]:
    alerts: list[Alert] = []
    name, target = integration.name, integration.id
    if integration.paused_reason:
        alerts.append(
            Alert(
                f"paused:{target}",
                "paused",
                "critical",
                target,
                f"integration {name!r} is paused: {integration.paused_reason}",
            )
        )
    if integration.attempts >= thresholds.min_attempts:
        rate = integration.failed_attempts / integration.attempts
        if rate >= thresholds.error_rate:
            alerts.append(
                Alert(
                    f"error_rate:{target}",
                    "error_rate",
                    "warning",
                    target,
                    f"integration {name!r}: {rate:.0%} of the last {integration.attempts} sends to "
                    "Pinterest failed; see its delivery log",
                )
            )
    # An integration the last check did not know (created since) had no dead letters then.
    new_dead = integration.dead_total - snapshot.dead_before.get(target, 0)
    if new_dead > 0:
        alerts.append(
            Alert(
                f"dead_letters:{target}",
                "dead_letters",
                "warning",
                target,
                f"integration {name!r}: {new_dead} events were dead-lettered since the last check; "
                "the delivery log has Pinterest's reasons",
            )
        )
    age = integration.oldest_pending_age_seconds
    if age is not None and age >= thresholds.pending_age_seconds:
        alerts.append(
            Alert(
                f"pending_age:{target}",
                "pending_age",
                "critical" if integration.paused_reason else "warning",
                target,
                f"integration {name!r}: the oldest waiting event is {_duration(age)} old; "
                "Pinterest counts events older than 7 days as lost",
            )
        )
    return alerts


def _duration(seconds: float) -> str:
    if seconds >= 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 60:.0f} minutes"
