"""`pinrelay serve --role` and `--workers` on PostgreSQL: processes with different roles share
one database; a change made through one process's admin API reaches the others."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg

from tests.e2e.processes import PINRELAY, ServeProcess
from tests.e2e.roles import start_role
from tests.e2e.test_spine import HEADERS, UA, configure, wait_for_sandbox
from tests.support.polling import eventually
from tests.support.postgres import PostgresServer


def _order() -> dict[str, object]:
    return {
        "type": "track",
        "event": "Order Completed",
        "userId": "u1",
        "messageId": str(uuid.uuid4()),
        "context": {"ip": "203.0.113.9", "userAgent": UA},
        "properties": {"order_id": "o1", "revenue": 3, "currency": "USD"},
    }


def _post(server: ServeProcess, write_key: str, count: int) -> httpx.Response:
    batch = [_order() for _ in range(count)]
    return httpx.post(
        f"{server.collect_url}/v1/batch", auth=(write_key, ""), json={"batch": batch}, timeout=10
    )


def _eventually(check: Callable[[], object], seconds: float = 15.0) -> bool:
    return eventually(check, timeout=seconds, interval=0.1)


def _queued(url: str) -> int:
    """Outbox entries in the database: what the delivery worker must send."""
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT COUNT(*) FROM outbox").fetchone()
    return int(row[0]) if row else 0


def _all_accept(server: ServeProcess, write_key: str) -> bool:
    """Five requests in a row accepted (one event each, on new connections)."""
    return all(_post(server, write_key, 1).status_code == 200 for _ in range(5))


def test_collect_deliver_and_admin_processes_share_one_database(
    tmp_path: Path, postgres_server: PostgresServer, sandbox_url: str
) -> None:
    url = postgres_server.new_database()
    admin = start_role(tmp_path, url, f"{sandbox_url}/v5", "admin")
    collect = start_role(tmp_path, url, f"{sandbox_url}/v5", "collect")
    deliver = start_role(tmp_path, url, f"{sandbox_url}/v5", "deliver")
    try:
        assert httpx.get(f"{collect.collect_url}/healthz").json() == {
            "status": "ok",
            "roles": ["collect"],
        }
        ready = httpx.get(f"{deliver.admin_url}/readyz").json()
        assert ready == {"status": "ready", "store": "postgresql", "roles": ["deliver"]}
        write_key, _ = configure(admin)  # through the admin process only
        assert _eventually(lambda: _all_accept(collect, write_key))
        time.sleep(1.5)  # the collect process's catalog poll has run since the integration
        assert _post(collect, write_key, 20).status_code == 200
        queued = _queued(url)  # an event accepted before the integration reached the
        assert queued >= 20  # collect process's catalog has nothing to deliver
        events = wait_for_sandbox(sandbox_url, queued)  # sent by the delivery process
        assert len({e["event"]["event_id"] for e in events}) == queued
        # A rotated write key stops working in the collect process within about a second.
        source_id = httpx.get(f"{admin.admin_url}/v1/admin/sources", headers=HEADERS).json()[0][
            "id"
        ]
        rotated = httpx.post(
            f"{admin.admin_url}/v1/admin/sources/{source_id}/rotate-key", headers=HEADERS
        )
        assert rotated.status_code == 200, rotated.text
        assert _eventually(lambda: _post(collect, write_key, 1).status_code == 401)
        assert _post(collect, rotated.json()["write_key"], 1).status_code == 200
    finally:
        for process in (admin, collect, deliver):
            assert process.terminate() == 0, process.output()


def test_workers_run_several_collect_processes_on_one_port(
    tmp_path: Path, postgres_server: PostgresServer, sandbox_url: str
) -> None:
    url = postgres_server.new_database()
    admin = start_role(tmp_path, url, f"{sandbox_url}/v5", "admin,deliver")
    collect = start_role(tmp_path, url, f"{sandbox_url}/v5", "collect", workers=2)
    try:
        children = Path(f"/proc/{collect.process.pid}/task/{collect.process.pid}/children")
        assert len(children.read_text().split()) == 2
        write_key, _ = configure(admin)
        # Each collect process learns of the new source on its next catalog poll: wait until
        # both have (a connection goes to either), then load them.
        assert _eventually(lambda: _all_accept(collect, write_key))
        time.sleep(1.5)  # every process's catalog poll has run since the integration was made
        for _ in range(10):  # new connections each time: the kernel spreads them
            assert _post(collect, write_key, 20).status_code == 200
        queued = _queued(url)
        assert queued >= 20  # most of the 200 (a process may still miss the integration)
        assert len(wait_for_sandbox(sandbox_url, queued, timeout=60)) >= queued
    finally:
        assert collect.terminate() == 0, collect.output()
        assert admin.terminate() == 0, admin.output()


def test_workers_are_refused_on_sqlite_with_the_reason(tmp_path: Path) -> None:
    result = subprocess.run(
        [PINRELAY, "serve", "--workers", "2", "--db", f"sqlite:///{tmp_path / 'p.db'}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PINRELAY_ADMIN_TOKEN": "x" * 32, "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert "--workers needs PostgreSQL" in result.stderr
    assert "one writer" in result.stderr
