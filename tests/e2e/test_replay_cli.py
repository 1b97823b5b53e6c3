"""`pinrelay replay` against a running server: list dead events, fix the cause, replay them."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from pathlib import Path

import httpx

from tests.e2e.processes import PINRELAY, start_sandbox, start_serve
from tests.e2e.test_spine import UA, configure
from tests.integration.test_delivery_faults import wait_until
from tests.support.servers import ADMIN_TOKEN


def replay(server_admin_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PINRELAY_ADMIN_TOKEN": ADMIN_TOKEN}
    return subprocess.run(
        [PINRELAY, "replay", "--admin-url", server_admin_url, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_dead_events_are_listed_then_replayed_from_the_cli(tmp_path: Path) -> None:
    sandbox, sandbox_url = start_sandbox(tmp_path)
    server = start_serve(tmp_path, f"{sandbox_url}/v5")
    try:
        write_key, integration_id = configure(server)
        ids = [str(uuid.uuid4()) for _ in range(3)]
        fault = {"status": 422, "fail_event_ids": ids[:2], "share": 1.0}
        assert httpx.post(f"{sandbox_url}/_sandbox/faults", json=fault).status_code == 201
        batch = [
            {
                "type": "track",
                "event": "Order Completed",
                "userId": "u1",
                "messageId": event_id,
                "context": {"ip": "203.0.113.9", "userAgent": UA},
                "properties": {"order_id": "o", "revenue": 3, "currency": "USD"},
            }
            for event_id in ids
        ]
        response = httpx.post(
            f"{server.collect_url}/v1/batch", auth=(write_key, ""), json={"batch": batch}
        )
        assert response.status_code == 200

        def listed() -> str:
            result = replay(server.admin_url, "--list", "--integration", integration_id)
            assert result.returncode == 0, result.stderr
            return result.stdout

        wait_until(lambda: all(i in listed() for i in ids[:2]), what="two dead events")
        assert "injected by the pinrelay sandbox" in listed()
        assert ids[2] not in listed()

        refused = replay(server.admin_url)
        assert refused.returncode == 2
        assert "say which dead events to replay" in refused.stderr

        httpx.delete(f"{sandbox_url}/_sandbox/faults")  # the cause is fixed
        done = replay(server.admin_url, "--integration", integration_id)
        assert done.returncode == 0, done.stderr
        assert "replayed 2 dead events" in done.stdout

        def delivered() -> set[str]:
            events = httpx.get(f"{sandbox_url}/_sandbox/events").json()
            return {e["event"]["event_id"] for e in events}

        wait_until(lambda: delivered() == set(ids), what="the replayed events")
        assert "injected" not in listed()
    finally:
        server.terminate()
        sandbox.send_signal(signal.SIGTERM)
        sandbox.wait(timeout=10)


def test_replay_says_so_when_no_server_answers(tmp_path: Path) -> None:
    result = replay("http://127.0.0.1:9")
    assert result.returncode == 2
    assert "is `pinrelay serve`" in result.stderr
    assert ADMIN_TOKEN not in result.stderr + result.stdout
