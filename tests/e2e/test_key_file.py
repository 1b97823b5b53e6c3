"""The key that encrypts conversion tokens (issue 13, item 4): beside the database, 0600,
found again from any working directory, and a start that cannot decrypt the stored tokens
refuses with a message saying what to restore, instead of accepting events it can never
deliver."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.e2e.processes import PINRELAY, ServeProcess, wait_until_up
from tests.support.servers import AD_ACCOUNT, ADMIN_TOKEN, free_port

pytestmark = pytest.mark.e2e

HEADERS = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINRELAY_")}
    return {**env, "PINRELAY_ADMIN_TOKEN": ADMIN_TOKEN}


def _command(database: Path) -> list[str]:
    port, admin_port = free_port(), free_port()
    return [PINRELAY, "serve", "--host", "127.0.0.1", "--port", str(port), "--admin-port",
            str(admin_port), "--db", f"sqlite:///{database}"]  # fmt: skip


def _serve(database: Path, cwd: Path) -> ServeProcess:
    cwd.mkdir(exist_ok=True)
    command = _command(database)
    log = cwd / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=_environment(), stdout=output, stderr=subprocess.STDOUT, cwd=cwd
        )
    admin_url = f"http://127.0.0.1:{command[command.index('--admin-port') + 1]}"
    collect_url = f"http://127.0.0.1:{command[command.index('--port') + 1]}"
    wait_until_up(f"{admin_url}/healthz", process, log)
    return ServeProcess(process, collect_url, admin_url, log)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_key_lives_beside_the_database_and_a_lost_key_stops_the_start(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    database = data / "pinrelay.db"
    first = _serve(database, tmp_path / "from-a")
    try:
        source = httpx.post(
            f"{first.admin_url}/v1/admin/sources", headers=HEADERS, json={"name": "Shop"}
        ).json()
        created = httpx.post(
            f"{first.admin_url}/v1/admin/integrations",
            headers=HEADERS,
            json={
                "source_id": source["id"],
                "vendor": "pinterest_ads",
                "name": "Ads",
                "config": {"ad_account_id": AD_ACCOUNT, "conversion_token": "pina_token_1"},
            },
        )
        assert created.status_code == 201
    finally:
        assert first.terminate() == 0
    key_file = data / "pinrelay.key"
    assert key_file.exists()
    assert not (tmp_path / "from-a" / "pinrelay.key").exists()
    assert _mode(key_file) == 0o600
    assert _mode(database) == 0o600

    # A restart from another directory (systemd, cron, a new shell) finds the same key.
    second = _serve(database, tmp_path / "from-b")
    assert second.terminate() == 0
    assert not (tmp_path / "from-b" / "pinrelay.key").exists()

    # The key is lost: pinrelay refuses to start and says what to restore.
    key_file.rename(tmp_path / "elsewhere.key")
    refused = subprocess.run(
        _command(database), env=_environment(), cwd=tmp_path, capture_output=True, timeout=60
    )
    said = refused.stdout.decode() + refused.stderr.decode()
    assert refused.returncode != 0
    assert "'Ads'" in said
    assert "cannot decrypt" in said
    assert str(key_file) in said
    assert "PINRELAY_SECRET_KEY" in said
    assert not key_file.exists()  # no new key was left behind to hide the problem
