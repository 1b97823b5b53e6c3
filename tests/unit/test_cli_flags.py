"""CLI flags that set a setting: env var and default from `Settings`, shown and documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from pinrelay.cli import app
from pinrelay.flags import NO_DEFAULT_SHOWN, default_of, env_name
from pinrelay.settings import Settings

CLI_DOCS = (Path(__file__).parents[2] / "docs/reference/cli.md").read_text()


def options() -> list[tuple[str, Any]]:
    """(command path, click option) of every option of every command."""
    found: list[tuple[str, Any]] = []

    def walk(command: Any, path: str) -> None:  # Typer's own click: no public type to name
        found.extend((path, p) for p in command.params if getattr(p, "opts", None))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(typer.main.get_command(app), "pinrelay")
    return found


def test_a_flag_with_an_env_var_sets_that_setting_and_shows_its_default() -> None:
    with_env = [(path, option) for path, option in options() if option.envvar]
    assert {option.envvar for _, option in with_env} >= {
        "PINRELAY_PORT",
        "PINRELAY_DATABASE_URL",
        "PINRELAY_PIPELINES_DIR",
    }
    for path, option in with_env:
        setting = option.envvar.removeprefix("PINRELAY_").lower()
        assert setting in Settings.model_fields, f"{path} {option.opts}"
        assert option.envvar == env_name(setting)
        default = default_of(setting)
        assert option.show_default == (NO_DEFAULT_SHOWN if default is None else str(default))
        assert option.show_envvar


def test_the_docs_name_every_env_var_of_a_flag() -> None:
    missing = sorted(
        {o.envvar for _, o in options() if o.envvar and f"`{o.envvar}`" not in CLI_DOCS}
    )
    assert missing == []


def test_help_shows_the_env_var_and_the_default() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "[env var: PINRELAY_PORT]" in result.stdout
    assert "[default: (8080)]" in result.stdout
    assert "[default: (sqlite:///pinrelay.db)]" in result.stdout


def test_a_flag_falls_back_to_its_env_var(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["pipeline", "list"], env={"PINRELAY_PIPELINES_DIR": str(tmp_path / "nowhere")}
    )
    assert result.exit_code == 1
    assert "nowhere does not exist" in result.stderr
