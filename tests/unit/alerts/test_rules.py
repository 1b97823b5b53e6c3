"""The alert rules, one situation each."""

from __future__ import annotations

from pinrelay.alerts.rules import (
    AlertThresholds,
    IntegrationSnapshot,
    Snapshot,
    SourceSnapshot,
    evaluate,
)

LIMITS = AlertThresholds(
    error_rate=0.2, min_attempts=5, zero_traffic_seconds=3600, pending_age_seconds=1800
)


def integration(**changes: object) -> IntegrationSnapshot:
    values: dict[str, object] = {
        "id": "int_1",
        "name": "Pinterest",
        "paused_reason": None,
        "attempts": 10,
        "failed_attempts": 0,
        "dead_total": 0,
        "oldest_pending_age_seconds": None,
    }
    values.update(changes)
    return IntegrationSnapshot(**values)  # type: ignore[arg-type]  # a table of test values


def rules(snapshot: Snapshot) -> list[str]:
    return [a.rule for a in evaluate(snapshot, LIMITS)]


def test_a_healthy_system_has_no_alert() -> None:
    assert rules(Snapshot([integration()], [SourceSnapshot("src_1", "Web", 30.0)])) == []


def test_a_paused_integration_is_critical_and_says_why() -> None:
    [alert] = evaluate(Snapshot([integration(paused_reason="conversion token rejected")]), LIMITS)
    assert (alert.rule, alert.severity) == ("paused", "critical")
    assert "conversion token rejected" in alert.message


def test_the_error_rate_needs_enough_attempts() -> None:
    assert rules(Snapshot([integration(attempts=10, failed_attempts=3)])) == ["error_rate"]
    assert rules(Snapshot([integration(attempts=10, failed_attempts=1)])) == []
    assert rules(Snapshot([integration(attempts=3, failed_attempts=3)])) == []


def test_new_dead_letters_alert_once() -> None:
    snapshot = Snapshot([integration(dead_total=7)], dead_before={"int_1": 4})
    [alert] = evaluate(snapshot, LIMITS)
    assert alert.rule == "dead_letters"
    assert "3 events" in alert.message
    assert rules(Snapshot([integration(dead_total=7)], dead_before={"int_1": 7})) == []
    # an integration the last check did not know (created since) counts from zero; the
    # monitor's own first check passes the totals it finds as the baseline
    assert rules(Snapshot([integration(dead_total=2)])) == ["dead_letters"]


def test_an_old_pending_event_alerts() -> None:
    assert rules(Snapshot([integration(oldest_pending_age_seconds=7200)])) == ["pending_age"]
    assert rules(Snapshot([integration(oldest_pending_age_seconds=60)])) == []


def test_a_silent_source_alerts_but_a_new_one_does_not() -> None:
    assert rules(Snapshot(sources=[SourceSnapshot("src_1", "Web", 7200.0)])) == ["zero_traffic"]
    assert rules(Snapshot(sources=[SourceSnapshot("src_2", "New", None)])) == []
