"""The dashboard's alert list: the monitor's alerts join the immediate ones, never twice."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from pinrelay.alerts.monitor import AlertMonitor
from pinrelay.alerts.rules import Alert
from pinrelay.store.base import Store
from pinrelay.ui.pages.dashboard import monitor_alerts


class OneIntegrationStore:
    def get_integration(self, integration_id: str) -> Any:
        return object() if integration_id == "int_1" else None


def test_monitor_alerts_link_to_their_target_and_skip_what_the_page_says_itself() -> None:
    current = [
        Alert("paused:int_1", "paused", "critical", "int_1", "Pinterest is paused"),
        Alert("dead_letters:int_1", "dead_letters", "warning", "int_1", "3 dead"),
        Alert("pending_age:int_1", "pending_age", "critical", "int_1", "oldest pending 2 h"),
        Alert("zero_traffic:src_1", "zero_traffic", "warning", "src_1", "no events for 1 h"),
    ]
    monitor = cast(AlertMonitor, SimpleNamespace(current=current))
    store = cast(Store, OneIntegrationStore())
    assert monitor_alerts(monitor, store) == [
        {"level": "error", "text": "oldest pending 2 h", "link": "/integrations/int_1"},
        {"level": "warning", "text": "no events for 1 h", "link": "/events?source_id=src_1"},
    ]
    assert monitor_alerts(None, store) == []
