"""Imports through the admin API and the UI of a real gateway: upload, preview, start, watch,
download the refused rows; audited, size-limited, and never echoing raw PII."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from pinrelay.offline.spec import ImportSpec
from pinrelay.store.engines import sqlite_path
from pinrelay.store.sqlite.store import SQLiteStore
from tests.integration.test_delivery_faults import wait_until
from tests.support.offline_files import render
from tests.support.servers import GatewayFactory, GatewayHandle, SandboxHandle
from tests.support.ui import UIClient

GENERIC = {"mapping": "generic"}


def sheet() -> bytes:
    recent = (datetime.now(UTC) - timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S")
    old = (datetime.now(UTC) - timedelta(days=10)).strftime("%Y-%m-%d %H:%M:%S")
    return (
        "email,phone,order_id,value,currency,time\n"
        f"Ann@Example.com,,S-1,10.00,USD,{recent}\n"
        f"bob@example.com,,S-2,20,EUR,{old}\n"
        f"cy@example.com,,S-3,30,USD,{recent}\n"
    ).encode()


@pytest.fixture
def gateway(start_gateway: GatewayFactory, sandbox: SandboxHandle, tmp_path: Any) -> GatewayHandle:
    return start_gateway(pinterest_api_url=f"{sandbox.url}/v5", import_max_bytes=50_000)


@pytest.fixture
def source_id(gateway: GatewayHandle) -> str:
    source = gateway.create_source("Store")
    gateway.create_integration(source["id"])
    return str(source["id"])


def upload(gateway: GatewayHandle, data: bytes, name: str = "sales.csv") -> dict[str, Any]:
    response = gateway.admin("POST", "/v1/admin/imports/files", params={"name": name}, content=data)
    assert response.status_code == 201, response.text
    record: dict[str, Any] = response.json()
    return record


def finished(gateway: GatewayHandle, import_id: str) -> dict[str, Any]:
    found: dict[str, Any] = {}

    def done() -> bool:
        found.update(gateway.admin("GET", f"/v1/admin/imports/{import_id}").json())
        return found["status"] in ("done", "failed")

    wait_until(done, what="the import to finish")
    return found


def test_upload_preview_start_and_the_refused_rows(
    gateway: GatewayHandle, source_id: str, sandbox: SandboxHandle
) -> None:
    record = upload(gateway, sheet())
    assert (record["status"], record["file_bytes"]) == ("uploaded", len(sheet()))

    preview = gateway.admin(
        "POST", f"/v1/admin/imports/{record['id']}/preview", json={"source_id": source_id}
    )
    assert preview.status_code == 200, preview.text
    found = preview.json()
    assert found["figures"]["queued"] == 2
    assert found["figures"]["too_old"] == 1
    assert found["events"][0]["user_data"]["em"] == [hashlib.sha256(b"ann@example.com").hexdigest()]
    assert found["refused_rows"][0]["row"] == 2
    assert "ann@example.com" not in preview.text.lower()
    assert sandbox.events() == []  # a preview sends nothing

    started = gateway.admin(
        "POST", f"/v1/admin/imports/{record['id']}/start", json={"source_id": source_id}
    )
    assert started.status_code == 202, started.text
    done = finished(gateway, record["id"])
    assert done["figures"]["queued"] == 2
    assert done["bytes_read"] == done["file_bytes"]
    assert {e["event"]["event_id"] for e in sandbox.wait_for_events(2)} == {"S-1", "S-3"}

    errors = gateway.admin("GET", f"/v1/admin/imports/{record['id']}/errors")
    assert errors.headers["content-type"].startswith("text/csv")
    assert errors.text.splitlines()[1].startswith("2,too old,")
    listed = gateway.admin("GET", "/v1/admin/imports").json()
    assert [i["id"] for i in listed] == [record["id"]]
    actions = [e["action"] for e in gateway.admin("GET", "/v1/admin/audit").json()]
    assert {"import.upload", "import.start"} <= set(actions)


def test_a_file_over_the_limit_is_refused_while_it_streams(
    gateway: GatewayHandle, source_id: str
) -> None:
    def body() -> Iterator[bytes]:
        yield sheet()
        for _ in range(100):
            yield b"x@example.com,,X,1,USD,2026-01-01\n" * 100

    response = gateway.admin("POST", "/v1/admin/imports/files", content=body())

    assert response.status_code == 413
    assert "PINRELAY_IMPORT_MAX_BYTES" in response.json()["error"]["message"]
    directory = gateway.settings.import_directory()
    assert list(directory.iterdir()) == []


@pytest.mark.parametrize(
    ("spec", "status", "message"),
    [
        ({"source_id": "src_nope"}, 400, "does not exist"),
        ({"mapping": "time: t\ncolour: red\n"}, 400, "mapping line 2: unknown key 'colour'"),
        ({"timezone": "Mars/Base"}, 400, "IANA"),
        ({"columns": {"email": "Mail"}}, 400, "context.traits."),
    ],
)
def test_a_wrong_start_says_what_to_fix(
    gateway: GatewayHandle, source_id: str, spec: dict[str, Any], status: int, message: str
) -> None:
    record = upload(gateway, sheet())

    response = gateway.admin(
        "POST", f"/v1/admin/imports/{record['id']}/start", json={"source_id": source_id, **spec}
    )

    assert response.status_code == status
    assert message in response.json()["error"]["message"]


def test_an_import_runs_once_and_needs_the_admin_token(
    gateway: GatewayHandle, source_id: str
) -> None:
    record = upload(gateway, sheet())
    path = f"/v1/admin/imports/{record['id']}/start"
    assert (
        httpx.post(f"{gateway.admin_url}{path}", json={"source_id": source_id}).status_code == 401
    )
    assert gateway.admin("POST", path, json={"source_id": source_id}).status_code == 202
    finished(gateway, record["id"])

    again = gateway.admin("POST", path, json={"source_id": source_id})

    assert again.status_code == 409
    assert "upload the file again" in again.json()["error"]["message"]


def test_the_ui_uploads_previews_and_starts_an_import(
    gateway: GatewayHandle, source_id: str, sandbox: SandboxHandle
) -> None:
    ui = UIClient(gateway.admin_url)
    try:
        assert ui.login().status_code == 303
        token = ui.csrf("/imports")
        uploaded = ui.http.post(
            "/imports/upload",
            data={"csrf_token": token},
            files={"file": ("shopify.csv", render("shopify_orders_export.csv"), "text/csv")},
        )
        assert uploaded.status_code == 303, uploaded.text
        page = uploaded.headers["location"]
        import_id = page.rsplit("/", 1)[1]

        form = {"source_id": source_id, "mapping": "shopify", "action": "preview"}
        preview = ui.post_form(page, form, from_page=page)
        assert preview.status_code == 200
        assert "Dry run: nothing was sent or written" in preview.text
        assert hashlib.sha256(b"jane.doe@example.com").hexdigest() in preview.text
        assert "Row 4: too old" in preview.text

        started = ui.post_form(page, {**form, "action": "start"}, from_page=page)
        assert started.status_code == 303
        done = finished(gateway, import_id)
        assert done["figures"]["queued"] == 2
        shown = ui.get(page).text
        assert "Queued for Pinterest" in shown
        assert ui.get(f"{page}/errors").text.startswith("row,kind,reason")
        assert "shopify.csv" in ui.get("/imports").text
    finally:
        ui.close()


def test_a_server_restart_resumes_an_import_after_its_last_committed_row(
    start_gateway: GatewayFactory, sandbox: SandboxHandle
) -> None:
    first = start_gateway(pinterest_api_url=f"{sandbox.url}/v5")
    source_id = first.create_source("Store")["id"]
    first.create_integration(source_id)
    record = upload(first, sheet())
    first.stop()
    # As a crash leaves it: running, with the first row committed and saved as the resume point
    store = SQLiteStore(sqlite_path(first.settings.database_url))
    asyncio.run(_mark_running(store, record["id"], source_id, rows_read=1))

    second = start_gateway(pinterest_api_url=f"{sandbox.url}/v5")
    done = finished(second, record["id"])

    assert done["status"] == "done"
    assert done["figures"]["rows_read"] == 3
    assert done["figures"]["queued"] == 2  # row 1 (before the restart) and row 3
    assert done["figures"]["too_old"] == 1  # row 2
    # row 1 was not read again: only row 3 reached Pinterest
    assert [e["event"]["event_id"] for e in sandbox.wait_for_events(1)] == ["S-3"]


async def _mark_running(store: SQLiteStore, import_id: str, source_id: str, rows_read: int) -> None:
    await store.open()
    try:
        record = await store.get_import(import_id)
        assert record is not None
        figures = {"rows_read": rows_read, "events": 1, "queued": 1}
        running = replace(
            record,
            status="running",
            source_id=source_id,
            spec=ImportSpec().as_dict(),
            figures=figures,
        )
        await store.save_import(running)
    finally:
        await store.close()
