"""Secrets never leak: a planted conversion token and the admin token appear in no response,
no log line and no byte of the database, even when Pinterest rejects the token."""

from __future__ import annotations

import json
import signal
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.e2e.processes import start_sandbox, start_serve
from tests.support.servers import ADMIN_TOKEN

pytestmark = pytest.mark.e2e

PLANTED = "pina_planted_conversion_token_7c1f0e"
HEADERS = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_planted_secrets_appear_nowhere(tmp_path: Path) -> None:
    sandbox, sandbox_url = start_sandbox(tmp_path)
    server = start_serve(tmp_path, f"{sandbox_url}/v5")
    try:
        admin = server.admin_url
        source = httpx.post(
            f"{admin}/v1/admin/sources", headers=HEADERS, json={"name": "Shop"}
        ).json()
        integration = httpx.post(
            f"{admin}/v1/admin/integrations",
            headers=HEADERS,
            json={
                "source_id": source["id"],
                "vendor": "pinterest_ads",
                "name": "P",
                "config": {"ad_account_id": "549764982399", "conversion_token": PLANTED},
            },
        ).json()
        httpx.post(
            f"{server.collect_url}/v1/track",
            auth=(source["write_key"], ""),
            json={
                "userId": "u1",
                "event": "Signed Up",
                "messageId": str(uuid.uuid4()),
                "context": {"ip": "203.0.113.1", "userAgent": "Mozilla/5.0"},
            },
        ).raise_for_status()
        deadline = time.monotonic() + 20
        status = ""
        while status != "paused" and time.monotonic() < deadline:  # the sandbox says 401
            status = httpx.get(
                f"{admin}/v1/admin/integrations/{integration['id']}", headers=HEADERS
            ).json()["status"]
            time.sleep(0.1)
        assert status == "paused"
        responses = [
            httpx.post(
                f"{admin}/v1/admin/integrations/{integration['id']}/test", headers=HEADERS
            ).text
        ]
        for path in (
            "/v1/admin/sources",
            "/v1/admin/integrations",
            "/v1/admin/events",
            "/v1/admin/audit",
            f"/v1/admin/integrations/{integration['id']}/attempts",
            f"/v1/admin/deliveries?integration_id={integration['id']}",
            "/openapi.json",
            "/metrics",
            "/v1/admin/events/1",
        ):
            responses.append(httpx.get(f"{admin}{path}", headers=HEADERS).text)
    finally:
        server.terminate()
        sandbox.send_signal(signal.SIGTERM)
        sandbox.wait(timeout=10)

    for line in server.output().splitlines():  # JSON logs, each with a stable action name
        assert "action" in json.loads(line), line
    sandbox_log = next(tmp_path.glob("sandbox-*.log")).read_text()
    database = b"".join(p.read_bytes() for p in tmp_path.glob("pinrelay.db*"))
    for secret in (PLANTED, ADMIN_TOKEN):
        assert all(secret not in text for text in responses)
        assert secret not in server.output()
        assert secret not in sandbox_log
        assert secret.encode() not in database
