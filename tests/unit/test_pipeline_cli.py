"""`pinrelay pipeline check | run | list`, run through the real Typer app."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pinrelay.cli import app
from pinrelay.store.sqlite.connection import connect, migrate
from tests.unit.pipeline.conftest import SEED_PIPELINE, sha

runner = CliRunner()

AN_HOUR_AGO = int(time.time()) - 3600  # Pinterest refuses events older than 7 days
ORDER: dict[str, Any] = {
    "type": "track",
    "event": "Order Completed",
    "messageId": "m-1",
    "userId": "u-1",
    "timestamp": datetime.fromtimestamp(AN_HOUR_AGO, UTC).isoformat(),
    "context": {"ip": "203.0.113.7", "userAgent": "Mozilla/5.0 (test)"},
    "properties": {"order_id": "o-1", "revenue": 72.39, "currency": "USD"},
}


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args))


def event_file(tmp_path: Path, message: dict[str, Any]) -> str:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(message))
    return str(path)


def test_the_seed_pipeline_passes_check() -> None:
    result = invoke("pipeline", "check", str(SEED_PIPELINE))
    assert result.exit_code == 0, result.output
    assert result.stdout == "ok: 1 pipeline(s) in 1 file(s)\n"


def test_check_exits_1_with_every_problem_and_its_position(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SEED_PIPELINE.read_text().replace("unix_seconds", "unix_second"))
    result = invoke("pipeline", "check", str(SEED_PIPELINE), str(bad))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{bad}:" in result.stderr
    assert "unknown transform 'unix_second'; did you mean 'unix_seconds'?" in result.stderr
    assert result.stderr.endswith("1 problem(s) found\n")


def test_check_refuses_a_pipeline_that_can_never_identify_anyone(tmp_path: Path) -> None:
    path = tmp_path / "anonymous.yaml"
    path.write_text(
        "name: p\nidentity: none\ntrigger:\n  event: track\n"
        "transform:\n  static:\n    - {target: event_name, value: lead}\n"
    )
    result = invoke("pipeline", "check", str(path))
    assert result.exit_code == 1
    assert f"{path}:2:11: identity: with identity: none this pipeline can never" in result.stderr
    assert "or remove 'identity: none'" in result.stderr


def test_run_prints_the_pinterest_event_of_the_seed(tmp_path: Path) -> None:
    result = invoke("pipeline", "run", str(SEED_PIPELINE), "--event", event_file(tmp_path, ORDER))
    assert result.exit_code == 0, result.stderr
    event = json.loads(result.stdout)
    assert event["event_name"] == "checkout"
    assert event["event_id"] == "m-1"
    assert event["event_time"] == AN_HOUR_AGO
    assert event["custom_data"]["value"] == "72.39"
    assert event["user_data"]["external_id"] == [sha("u-1")]


def test_run_says_why_no_event_on_stderr(tmp_path: Path) -> None:
    message = {**ORDER, "event": "Product Viewed"}
    result = invoke("pipeline", "run", str(SEED_PIPELINE), "--event", event_file(tmp_path, message))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("no event: no pipeline is triggered by track 'Product Viewed'")


def test_run_says_when_pinterest_would_refuse_the_event(tmp_path: Path) -> None:
    message = {**ORDER, "context": {}}
    result = invoke("pipeline", "run", str(SEED_PIPELINE), "--event", event_file(tmp_path, message))
    assert result.exit_code == 1
    assert "Pinterest would refuse the event: user_data" in result.stderr


def test_run_exits_1_for_an_event_the_server_would_dead_letter_as_too_old(
    tmp_path: Path,
) -> None:
    eight_days_ago = datetime.now(UTC) - timedelta(days=8)
    message = {**ORDER, "timestamp": eight_days_ago.isoformat()}
    result = invoke("pipeline", "run", str(SEED_PIPELINE), "--event", event_file(tmp_path, message))
    assert result.exit_code == 1
    assert "Given timestamp is in the past" in result.stderr


def test_run_refuses_a_message_the_collect_server_would_refuse(tmp_path: Path) -> None:
    message = {key: value for key, value in ORDER.items() if key != "userId"}
    result = invoke("pipeline", "run", str(SEED_PIPELINE), "--event", event_file(tmp_path, message))
    assert result.exit_code == 1
    assert "would refuse this message (400): userId or anonymousId" in result.stderr


def test_check_refuses_a_pipeline_that_sends_the_presets_event_twice(tmp_path: Path) -> None:
    path = tmp_path / "ga4.yaml"
    path.write_text(GA4_BOTH_NAMES)
    result = invoke("pipeline", "check", str(path))
    assert result.exit_code == 1
    assert "pipelines 'checkout' (presets/checkout.yaml) and 'ga4_purchase'" in result.stderr
    assert "both send 'checkout' for track calls named 'order completed'" in result.stderr
    path.write_text(GA4_BOTH_NAMES + "output:\n  duplicates: intended\n")
    assert invoke("pipeline", "check", str(path)).exit_code == 0


GA4_BOTH_NAMES = """name: ga4_purchase
trigger:
  event: track
  conditions:
    - {field: event, operator: in, value: [purchase, order_completed]}
transform:
  static:
    - {target: event_name, value: checkout}
  context:
    - {source: context.ip, target: user_data.client_ip_address}
    - {source: context.userAgent, target: user_data.client_user_agent}
"""


def test_run_refuses_an_event_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text("{not json")
    result = invoke("pipeline", "run", str(SEED_PIPELINE), "--event", str(path))
    assert result.exit_code == 1
    assert "cannot read the event as JSON" in result.stderr


def test_list_without_a_database_shows_the_presets_in_order() -> None:
    result = invoke("pipeline", "list")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(" 1. add_payment_info  [preset presets/add_payment_info.yaml]")
    assert len(lines) == 19
    assert [line for line in lines if line.endswith("(fallback)")] == [
        " 8. custom  [preset presets/custom.yaml]  track (fallback)"
    ]


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "pinrelay.db"
    conn = connect(path)
    migrate(conn)
    conn.execute(
        "INSERT INTO sources (id, name, write_key_hash, write_key_hint, created_at, updated_at) "
        "VALUES ('src_1', 'Web', 'h', 'wk_', 0, 0)"
    )
    conn.execute(
        "INSERT INTO integrations (id, source_id, vendor, name, enabled, ad_account_id, "
        "conversion_token_enc, conversion_token_hint, settings, created_at, updated_at) "
        "VALUES ('int_1', 'src_1', 'pinterest_ads', 'P', 1, '1', x'00', 'abcd', "
        "'{\"presets\": false}', 0, 0)"
    )
    yaml = "name: mine\ntrigger:\n  event: page\ntransform:\n  static:\n"
    yaml += "    - {target: event_name, value: page_visit}\n"
    conn.execute("INSERT INTO integration_pipelines VALUES ('int_1', 'mine', 3, ?, 0, 0)", (yaml,))
    conn.close()
    return path


def test_list_reads_an_integration_read_only(database: Path) -> None:
    before = database.stat().st_mtime_ns
    result = invoke("pipeline", "list", "--integration", "int_1", "--db", f"sqlite:///{database}")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == " 1. mine  [api v3 api:int_1/mine@v3]  page\n"
    assert database.stat().st_mtime_ns == before
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT COUNT(*) FROM integration_pipelines").fetchone() == (1,)


def test_list_of_an_unknown_integration_fails(database: Path) -> None:
    result = invoke("pipeline", "list", "--integration", "nope", "--db", f"sqlite:///{database}")
    assert result.exit_code == 1
    assert "integration 'nope' does not exist" in result.stderr


def test_run_maps_like_the_server_with_an_integrations_default_options(tmp_path: Path) -> None:
    """`pipeline run` goes through the server's mapping: the LDP flag of the message is
    honoured as an integration with default settings does (`ldp: flagged`)."""
    message = {**ORDER, "context": {**ORDER["context"], "ldp": True}}
    result = invoke("pipeline", "run", str(SEED_PIPELINE), "--event", event_file(tmp_path, message))
    assert result.exit_code == 0, result.stderr
    event = json.loads(result.stdout)
    assert event["custom_data"]["opt_out_type"] == "LDP"
    assert event["user_data"]["st"]  # California, hashed, as LDP needs
    assert "note: custom_data.opt_out_type: LDP (California resident)" in result.stderr
