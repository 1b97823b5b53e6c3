"""Contract: each engine's migrations apply once, refuse a newer database, and (PostgreSQL)
processes starting together do not race."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from pinrelay.errors import MigrationError
from pinrelay.store.engines import migrate_database
from pinrelay.store.sql import load_migrations
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.anyio

PACKAGES = {
    "sqlite": "pinrelay.store.sqlite.migrations",
    "postgresql": "pinrelay.store.postgres.migrations",
}


def _empty_url(engine: str, tmp_path: object, postgres: PostgresServer | None) -> str:
    if engine == "sqlite":
        return f"sqlite:///{tmp_path}/fresh.db"
    assert postgres is not None
    return postgres.empty_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: object) -> tuple[str, str]:
    postgres = request.getfixturevalue("postgres_server") if request.param == "postgresql" else None
    return request.param, _empty_url(request.param, tmp_path, postgres)


async def test_migrations_apply_once_in_order(empty_url: tuple[str, str]) -> None:
    engine, url = empty_url
    every = [version for version, _, _ in load_migrations(PACKAGES[engine])]
    assert await migrate_database(url) == every
    assert await migrate_database(url) == []


async def test_two_processes_migrating_at_once_apply_each_migration_once(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.empty_database()
    first, second = await asyncio.gather(migrate_database(url), migrate_database(url))
    assert sorted(first + second) == [v for v, _, _ in load_migrations(PACKAGES["postgresql"])]


async def test_a_database_from_a_newer_pinrelay_is_refused(postgres_server: PostgresServer) -> None:
    url = postgres_server.empty_database()
    await migrate_database(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (99, 'future', 0)")
    with pytest.raises(MigrationError, match="newer than this pinrelay"):
        await migrate_database(url)
