"""Fixtures shared by every test: a real sandbox and real gateways on loopback.

The server helpers are imported inside the fixtures, so unit tests of one stage load
without importing every other stage.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.support.postgres import PostgresServer
    from tests.support.servers import GatewayFactory, SandboxHandle


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sandbox() -> Iterator[SandboxHandle]:
    from tests.support.servers import running_sandbox

    with running_sandbox() as handle:
        yield handle


@pytest.fixture
def start_gateway(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[GatewayFactory]:
    """Start real gateways on loopback ports, all on one database: a SQLite file under
    tmp_path, or (parametrised indirectly with "postgresql", see ON_BOTH_ENGINES) a fresh
    PostgreSQL database."""
    from tests.support.servers import gateway_factory

    engine = getattr(request, "param", "sqlite")
    url = f"sqlite:///{tmp_path / 'pinrelay.db'}"
    if engine == "postgresql":
        url = request.getfixturevalue("postgres_server").new_database()
    with gateway_factory(tmp_path, database_url=url) as factory:
        yield factory


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL cluster for the session (tests/support/postgres.py)."""
    from tests.support.postgres import postgres_for_tests

    with postgres_for_tests() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh, migrated PostgreSQL database for this test."""
    return postgres_server.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each engine in turn: a SQLite file under tmp_path, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'pinrelay.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()
