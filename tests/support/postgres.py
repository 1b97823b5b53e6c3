"""A throwaway PostgreSQL for the tests: one cluster per session, one database per test.

The session starts a cluster with Debian's binaries (initdb/pg_ctl) in a temp dir, on a free
port, listening only on a unix socket in that dir (as the `postgres` user when run as root:
PostgreSQL refuses to run as root). A template database is migrated once; every test gets
`CREATE DATABASE ... TEMPLATE` of it, which is a file copy: fast and isolated.
PINRELAY_TEST_POSTGRES_URL=postgresql://user:pw@host/postgres points at an existing server
instead. Without binaries the PostgreSQL tests skip, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from pinrelay.store.postgres.migrations_runner import migrate_url
from tests.support.servers import free_port

TEMPLATE = "pinrelay_template"
ENV_URL = "PINRELAY_TEST_POSTGRES_URL"


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_postgres(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _with_database(url: str, name: str) -> str:
    """`url` pointing at database `name` (the path part of the URL replaced)."""
    base, _, query = url.partition("?")
    scheme, _, rest = base.partition("://")
    authority = rest.split("/", 1)[0]
    return f"{scheme}://{authority}/{name}" + (f"?{query}" if query else "")


class PostgresServer:
    """A running server we may create databases on."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.template_ready = False

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql.encode())

    def prepare_template(self) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {TEMPLATE}")
        self._admin(f"CREATE DATABASE {TEMPLATE}")
        asyncio.run(migrate_url(_with_database(self.admin_url, TEMPLATE)))
        self.template_ready = True

    def new_database(self) -> str:
        """A fresh, migrated database; its URL."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        self._admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return _with_database(self.admin_url, name)

    def empty_database(self) -> str:
        """A fresh database without any schema (for migration and move-data tests)."""
        name = f"e_{uuid.uuid4().hex[:16]}"
        self._admin(f"CREATE DATABASE {name}")
        return _with_database(self.admin_url, name)


@contextlib.contextmanager
def throwaway_cluster(
    bin_dir: Path, *, durable: bool = False, cpus: str | None = None
) -> Iterator[PostgresServer]:
    """A cluster in a temp dir; `durable` keeps fsync on (benchmarks), `cpus` pins it."""
    root = Path(tempfile.mkdtemp(prefix="pinrelay-pg-"))
    data = root / "data"
    port = free_port()
    try:
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        subprocess.run(
            _as_postgres(
                [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                 "--no-sync", "-E", "UTF8"]
            ),
            check=True, capture_output=True,
        )  # fmt: skip
        options = (
            f"-p {port} -c listen_addresses='' -c unix_socket_directories={root} "
            "-c max_connections=200"
        )
        if not durable:  # tests only: a crash of the test cluster loses nothing we keep
            options += " -c fsync=off -c full_page_writes=off"
        pin = ["taskset", "-c", cpus] if cpus else []
        subprocess.run(
            pin + _as_postgres(
                [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                 str(root / "server.log"), "-w", "start"]
            ),
            check=True, capture_output=True,
        )  # fmt: skip
        try:
            yield PostgresServer(f"postgresql://postgres@/postgres?host={root}&port={port}")
        finally:
            subprocess.run(
                _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                check=False, capture_output=True,
            )  # fmt: skip
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def postgres_for_tests() -> Iterator[PostgresServer]:
    """The session's server (see module docstring); skips or fails when there is none."""
    url = os.environ.get(ENV_URL)
    if url:
        server = PostgresServer(url)
        server.prepare_template()
        yield server
        return
    bin_dir = _binaries()
    if bin_dir is None:
        message = "PostgreSQL binaries are missing (scripts/setup installs Debian's postgresql)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with throwaway_cluster(bin_dir) as server:
        server.prepare_template()
        yield server
