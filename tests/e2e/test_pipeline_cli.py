"""The real `pinrelay pipeline` and `pinrelay serve --pipelines` commands, as subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from tests.e2e.processes import PINRELAY
from tests.support.servers import ADMIN_TOKEN, free_port

SEED = Path(__file__).parents[1] / "unit" / "pipeline" / "fixtures" / "pinterest-checkout.yaml"


def pinrelay(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PINRELAY, *args], capture_output=True, text=True, timeout=60, cwd=cwd,
        env={**os.environ, **(env or {})}, check=False,
    )  # fmt: skip


def test_check_and_run_the_seed_pipeline(tmp_path: Path) -> None:
    checked = pinrelay("pipeline", "check", str(SEED), cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    event = tmp_path / "order.json"
    event.write_text(
        json.dumps(
            {
                "type": "track",
                "event": "Order Completed",
                "messageId": "m-1",
                "anonymousId": "a-1",
                "timestamp": datetime.now(UTC).isoformat(),
                "context": {"ip": "203.0.113.7", "userAgent": "Mozilla/5.0"},
                "properties": {"revenue": 10},
            }
        )
    )
    ran = pinrelay("pipeline", "run", str(SEED), "--event", str(event), cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["event_name"] == "checkout"


def test_serve_refuses_to_start_with_a_broken_pipelines_directory(tmp_path: Path) -> None:
    folder = tmp_path / "pipelines"
    folder.mkdir()
    (folder / "bad.yaml").write_text(SEED.read_text().replace("operator: equals", "operator: eq"))
    served = pinrelay(
        "serve", "--pipelines", str(folder), "--port", str(free_port()),
        "--admin-port", str(free_port()), "--host", "127.0.0.1",
        "--db", f"sqlite:///{tmp_path / 'pinrelay.db'}",
        cwd=tmp_path, env={"PINRELAY_ADMIN_TOKEN": ADMIN_TOKEN, "COLUMNS": "1000"},
    )  # fmt: skip
    assert served.returncode == 2
    assert "bad.yaml:8:17: trigger.conditions[0].operator: unknown operator 'eq'" in served.stderr
