"""`pinrelay import` end to end: real exports -> the CLI -> `pinrelay serve` -> the sandbox.

The CLI streams the file to the running server's admin API; the server maps every row through
the live ingest path and the worker delivers to the sandbox, whose record is what Pinterest
would receive.
"""

from __future__ import annotations

import csv
import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.processes import PINRELAY, ServeProcess, start_serve
from tests.e2e.test_spine import HEADERS, configure, wait_for_sandbox
from tests.support.offline_files import written

pytestmark = pytest.mark.e2e


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def serve(tmp_path: Path, sandbox_url: str) -> Iterator[ServeProcess]:
    server = start_serve(tmp_path, f"{sandbox_url}/v5")
    yield server
    if server.process.poll() is None:
        server.terminate()


def source_of(server: ServeProcess) -> str:
    configure(server)
    sources = httpx.get(f"{server.admin_url}/v1/admin/sources", headers=HEADERS).json()
    source_id: str = sources[0]["id"]
    return source_id


def pinrelay_import(
    server: ServeProcess, cwd: Path, *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `pinrelay import` as a user would; stdin bytes are passed as they are (gzip)."""
    env = {**os.environ, "PINRELAY_ADMIN_TOKEN": HEADERS["Authorization"].split()[1]}
    done = subprocess.run(
        [PINRELAY, "import", "--admin-url", server.admin_url, *args],
        env=env,
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
        cwd=cwd,
    )
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
    )


def last_import(server: ServeProcess) -> dict[str, Any]:
    found: dict[str, Any] = httpx.get(
        f"{server.admin_url}/v1/admin/imports", headers=HEADERS
    ).json()[0]
    return found


def by_id(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["event"]["event_id"]: e["event"] for e in events}


def test_a_shopify_export_reaches_pinterest_as_offline_checkouts_once(
    tmp_path: Path, serve: ServeProcess, sandbox_url: str
) -> None:
    source_id = source_of(serve)
    export = written("shopify_orders_export.csv", tmp_path)

    first = pinrelay_import(
        serve, tmp_path, str(export), "--source", source_id, "--mapping", "shopify"
    )

    assert first.returncode == 0, first.stderr
    events = by_id(wait_for_sandbox(sandbox_url, 2))
    assert set(events) == {"#1001", "#1002"}  # #1003 is 9 days old, #1004 has no email
    order = events["#1001"]
    assert order["action_source"] == "offline"
    assert order["event_name"] == "checkout"
    assert order["user_data"]["em"] == [sha256("jane.doe@example.com")]
    assert order["user_data"]["ph"] == [sha256("14155550132")]
    assert order["user_data"]["fn"] == [sha256("jane")]
    assert order["user_data"]["ct"] == [sha256("sanfrancisco")]
    assert "client_ip_address" not in order["user_data"]
    assert order["custom_data"]["value"] == "84.00"  # Subtotal, as a decimal string
    assert order["custom_data"]["currency"] == "USD"
    assert order["custom_data"]["order_id"] == "#1001"
    assert order["custom_data"]["num_items"] == 3
    assert [c["id"] for c in order["custom_data"]["contents"]] == ["APR-SAGE", "TT-01"]
    assert events["#1002"]["custom_data"]["value"] == "19.50"

    figures = last_import(serve)["figures"]
    assert (figures["rows_read"], figures["queued"], figures["too_old"]) == (5, 2, 1)
    assert figures["refused"]["unmatchable"] == 1
    assert "too old (> 7 days)" in first.stdout
    errors_file = next(tmp_path.glob("imp_*-errors.csv"))
    with errors_file.open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(r["row"], r["kind"]) for r in rows] == [("4", "too old"), ("5", "unmatchable")]

    again = pinrelay_import(
        serve, tmp_path, str(export), "--source", source_id, "--mapping", "shopify"
    )

    assert again.returncode == 0, again.stderr
    figures = last_import(serve)["figures"]
    assert (figures["queued"], figures["duplicate"]) == (0, 3)  # the event ids are stable
    assert len(httpx.get(f"{sandbox_url}/_sandbox/events").json()) == 2


def test_a_gzipped_woocommerce_export_on_stdin_with_the_shops_time_zone(
    tmp_path: Path, serve: ServeProcess, sandbox_url: str
) -> None:
    source_id = source_of(serve)
    export = written("woocommerce_orders_export.csv", tmp_path, gzipped=True)

    result = pinrelay_import(
        serve,
        tmp_path,
        "-",
        "--source",
        source_id,
        "--mapping",
        "woocommerce",
        "--timezone",
        "Europe/Paris",
        "--errors",
        str(tmp_path / "refused.csv"),
        stdin=export.read_bytes(),
    )

    assert result.returncode == 0, result.stderr
    events = by_id(wait_for_sandbox(sandbox_url, 2))
    assert set(events) == {"4711", "4712"}
    luc = events["4712"]
    assert luc["action_source"] == "offline"
    assert luc["user_data"]["em"] == [sha256("luc.martin@example.fr")]
    assert luc["user_data"]["ph"] == [sha256("33612345678")]
    assert luc["custom_data"]["value"] == "120"
    assert luc["custom_data"]["currency"] == "EUR"
    amelia = events["4711"]
    assert amelia["custom_data"]["num_items"] == 3
    assert amelia["custom_data"]["value"] == "59.90"
    refused = (tmp_path / "refused.csv").read_text()
    assert "bad time" in refused
    assert "too old" in refused
    assert last_import(serve)["file_name"] == "stdin"


def test_a_dry_run_shows_the_pinterest_events_and_sends_nothing(
    tmp_path: Path, serve: ServeProcess, sandbox_url: str
) -> None:
    source_id = source_of(serve)
    export = written("shopify_orders_export.csv", tmp_path)

    result = pinrelay_import(
        serve, tmp_path, str(export), "--source", source_id, "--mapping", "shopify", "--dry-run"
    )

    assert result.returncode == 0, result.stderr
    assert sha256("jane.doe@example.com") in result.stdout
    assert '"action_source": "offline"' in result.stdout
    assert "ok (would be queued)" in result.stdout
    assert "row 4: too old" in result.stdout
    assert "jane.doe" not in result.stdout.lower()  # only hashes are shown
    assert last_import(serve)["status"] == "uploaded"  # previewed, never started
    assert httpx.get(f"{sandbox_url}/_sandbox/events").json() == []
