"""Running `pinrelay serve` processes with roles on one PostgreSQL database, as subprocesses."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.e2e.processes import PINRELAY, ServeProcess, wait_until_up
from tests.support.servers import ADMIN_TOKEN, free_port

FAST_DELIVERY = {
    "PINRELAY_DELIVERY_POLL_SECONDS": "0.05",
    "PINRELAY_DELIVERY_BACKOFF_BASE_SECONDS": "0.1",
    "PINRELAY_DELIVERY_BACKOFF_MAX_SECONDS": "0.5",
}


def start_role(
    workdir: Path,
    database_url: str,
    pinterest_api_url: str,
    roles: str,
    *,
    workers: int = 1,
    extra_env: dict[str, str] | None = None,
    port: int | None = None,
    admin_port: int | None = None,
) -> ServeProcess:
    """`pinrelay serve --role ROLES`; waits until its health endpoints answer."""
    port, admin_port = port or free_port(), admin_port or free_port()
    env = {
        **os.environ,
        "PINRELAY_ADMIN_TOKEN": ADMIN_TOKEN,
        "PINRELAY_PINTEREST_API_URL": pinterest_api_url,
        "PINRELAY_SECRET_KEY_FILE": str(workdir / "pinrelay.key"),
        **FAST_DELIVERY,
        **(extra_env or {}),
    }
    log = workdir / f"serve-{roles.replace(',', '-')}-{port}.log"
    command = [
        PINRELAY, "serve", "--role", roles, "--workers", str(workers), "--port", str(port),
        "--admin-port", str(admin_port), "--host", "127.0.0.1", "--db", database_url,
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=workdir
        )
    collect_url, admin_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{admin_port}"
    if "collect" in roles:
        wait_until_up(f"{collect_url}/healthz", process, log)
    if "admin" in roles or "collect" not in roles:
        wait_until_up(f"{admin_url}/healthz", process, log)
    return ServeProcess(process, collect_url, admin_url, log)
