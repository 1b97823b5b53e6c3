"""schemathesis fuzzes the admin API from its own OpenAPI schema: no 5xx, no schema violations.

It runs over real HTTP against a real gateway; every generated request carries the admin
token, so the fuzzing reaches the handlers rather than stopping at authentication.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok

from tests.support.servers import ADMIN_TOKEN, GatewayFactory

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
EXAMPLES_PER_OPERATION = int(os.environ.get("PINRELAY_FUZZ_ADMIN_EXAMPLES", "30"))  # scripts/fuzz


def fuzz(operation: Any) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=AUTH)

    run()


@pytest.mark.timeout(0 if EXAMPLES_PER_OPERATION > 100 else 600)
def test_the_admin_api_honours_its_own_schema(start_gateway: GatewayFactory) -> None:
    # schemathesis also sends wrong tokens on purpose: it may, without being throttled
    gateway = start_gateway(admin_auth_max_failures=1_000_000)
    source = gateway.create_source("Fuzzed")
    gateway.create_integration(source["id"])  # so list and read routes return data
    schema = schemathesis.openapi.from_url(f"{gateway.admin_url}/openapi.json", headers=AUTH)
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results), "every operation of the schema must load"
    assert len(operations) >= 10
    failures: list[str] = []
    # The live stream never ends by design, so a generated call would never return.
    for operation in [op for op in operations if not op.path.endswith("/stream")]:
        try:
            fuzz(operation)
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {exc}")
    print(
        f"\nfuzz admin: {len(operations) - 1} operations x up to {EXAMPLES_PER_OPERATION} "
        f"cases, {len(failures)} failing"
    )
    assert failures == []
