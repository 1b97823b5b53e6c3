"""Which engine a database URL means, and that a URL's password is never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinrelay.errors import ConfigError
from pinrelay.roles import ALL_ROLES, parse_roles
from pinrelay.store.engines import engine_of, open_store, redact_url, sqlite_path


def test_urls_pick_their_engine() -> None:
    assert engine_of("sqlite:///pinrelay.db") == "sqlite"
    assert engine_of("postgresql://u:p@db/pinrelay") == "postgresql"
    assert engine_of("postgres://u@db/pinrelay") == "postgresql"
    assert type(open_store("sqlite:///x.db")).__name__ == "SQLiteStore"
    assert type(open_store("postgresql://u@db/x")).__name__ == "PostgresStore"


def test_sqlite_urls_are_relative_with_three_slashes_and_absolute_with_four() -> None:
    assert sqlite_path("sqlite:///data/p.db") == Path("data/p.db")
    assert sqlite_path("sqlite:////var/lib/p.db") == Path("/var/lib/p.db")


def test_an_unknown_url_is_refused_without_showing_its_password() -> None:
    with pytest.raises(ConfigError) as refused:
        engine_of("mysql://admin:hunter2@db/pinrelay")
    assert "hunter2" not in str(refused.value)
    assert "postgresql://" in str(refused.value)


def test_passwords_are_masked_and_the_rest_kept() -> None:
    assert (
        redact_url("postgresql://pinrelay:s3cret@db:5432/p")
        == "postgresql://pinrelay:***@db:5432/p"
    )
    assert redact_url("postgresql://pinrelay@db/p") == "postgresql://pinrelay@db/p"
    assert redact_url("sqlite:///p.db") == "sqlite:///p.db"
    assert "s3cret" not in str(open_store("postgresql://u:s3cret@db/p").describe())


def test_roles_are_a_repeatable_flag_or_a_comma_list() -> None:
    assert parse_roles(None) == ALL_ROLES
    assert parse_roles(["collect", "admin"]) == {"collect", "admin"}
    assert parse_roles(["collect,deliver"]) == {"collect", "deliver"}
    with pytest.raises(ConfigError, match="unknown role 'worker'"):
        parse_roles(["worker"])
