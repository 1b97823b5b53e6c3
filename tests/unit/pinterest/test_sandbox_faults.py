"""Sandbox faults: what may be injected, standing shares, and the CLI flags that mirror the API."""

from __future__ import annotations

import random

import pytest

from pinrelay.errors import ConfigError
from pinrelay.pinterest.sandbox.cli import fault_from_flags
from pinrelay.pinterest.sandbox.faults import Fault, FaultQueue, fault_problem


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        (Fault(status=418), "status must be one of"),
        (Fault(status=503, share=0), "share must be above 0"),
        (Fault(status=503, count=0), "count must be between"),
        (Fault(fail_event_ids=["a"], status=503), "status must be 200, 400, 422"),
        (Fault(drop=True, status=503), "drop cannot be combined"),
        (Fault(status=429, reset_seconds=-1), "reset_seconds"),
    ],
)
def test_impossible_faults_are_refused_with_the_reason(fault: Fault, problem: str) -> None:
    found = fault_problem(fault)
    assert found is not None
    assert problem in found


@pytest.mark.parametrize(
    "fault",
    [
        Fault(status=401),
        Fault(status=404, count=3),
        Fault(status=429, reset_seconds=2),
        Fault(fail_event_ids=["e1"], status=200),
        Fault(fail_event_ids=["e1"], status=400, share=1.0),
        Fault(drop=True),
        Fault(delay_seconds=1.5),
    ],
)
def test_every_documented_fault_is_accepted(fault: Fault) -> None:
    assert fault_problem(fault) is None


def test_counted_faults_come_first_then_a_standing_share_applies_until_cleared() -> None:
    queue = FaultQueue(rng=random.Random(7))
    queue.add(Fault(status=500, count=2))
    queue.add(Fault(status=503, share=0.5))
    assert [queue.take(), queue.take()] == [Fault(status=500), Fault(status=500)]
    hits = sum(queue.take() is not None for _ in range(1000))
    assert 400 < hits < 600
    assert queue.clear() == 1
    assert queue.take() is None


def test_cli_flags_build_the_same_fault_as_the_api() -> None:
    fault = fault_from_flags(
        status=503, count=1, share=0.2, delay_seconds=0, fail_event_ids=[], drop=False
    )
    assert fault == Fault(status=503, share=0.2)
    failed = fault_from_flags(
        status=None, count=2, share=None, delay_seconds=0, fail_event_ids=["a", "b"], drop=False
    )
    assert failed == Fault(count=2, fail_event_ids=["a", "b"])
    none = fault_from_flags(
        status=None, count=1, share=None, delay_seconds=0, fail_event_ids=[], drop=False
    )
    assert none is None


def test_cli_flags_that_make_no_sense_are_refused() -> None:
    with pytest.raises(ConfigError, match="need a fault"):
        fault_from_flags(
            status=None, count=1, share=0.5, delay_seconds=0, fail_event_ids=[], drop=False
        )
    with pytest.raises(ConfigError, match="status must be one of"):
        fault_from_flags(
            status=418, count=1, share=None, delay_seconds=0, fail_event_ids=[], drop=False
        )
