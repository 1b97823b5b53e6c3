"""Docs that cannot drift: every setting and every CLI command is documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pinrelay.cli import app
from pinrelay.settings import Settings

DOCS = Path(__file__).parents[2] / "docs"


def test_every_setting_is_documented() -> None:
    text = (DOCS / "reference/settings.md").read_text()
    missing = [name for name in Settings.model_fields if f"PINRELAY_{name.upper()}" not in text]
    assert missing == []


def test_every_cli_command_is_documented() -> None:
    text = (DOCS / "reference/cli.md").read_text()
    commands = [
        c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands
    ]
    assert commands
    assert [c for c in commands if f"`pinrelay {c}`" not in text] == []


def test_the_readme_has_exactly_the_two_setup_commands() -> None:
    readme = (DOCS.parent / "README.md").read_text()
    assert "./scripts/demo" in readme
    assert "./scripts/test" in readme
    ci = (DOCS.parent / ".ci/run").read_text()
    assert "scripts/test" in ci


def test_every_preset_is_documented() -> None:
    text = (DOCS / "reference/presets.md").read_text()
    presets = sorted(p.stem for p in (DOCS.parent / "src/pinrelay/pipeline/presets").glob("*.yaml"))
    assert presets
    assert [p for p in presets if f"`{p}`" not in text] == []


def test_every_link_of_the_readme_and_docs_resolves() -> None:
    import re

    pages = [DOCS.parent / "README.md", *DOCS.rglob("*.md")]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", page.read_text()):
            if "://" not in target and not (page.parent / target).exists():
                broken.append(f"{page.name} -> {target}")
    assert broken == []


def test_every_match_key_is_documented() -> None:
    from pinrelay.identity.hashing import HASHED_KEYS
    from pinrelay.identity.quality import RAW_KEYS, SCORE_WEIGHTS

    text = (DOCS / "reference/match-keys.md").read_text()
    keys = {*HASHED_KEYS, *RAW_KEYS, *SCORE_WEIGHTS}
    assert (
        sorted(key for key in keys if f"| `{key}` |" not in text and f"`{key}`," not in text) == []
    )


def test_every_cli_flag_is_documented() -> None:
    import typer

    text = (DOCS / "reference/cli.md").read_text()
    missing: list[str] = []

    def walk(command: Any, path: str) -> None:  # Typer's own click: no public type to name
        for param in command.params:
            missing.extend(
                f"{path} {opt}"
                for opt in param.opts
                if opt.startswith("--") and opt != "--help" and opt not in text
            )
        for name, sub in getattr(command, "commands", {}).items():  # groups: their commands
            walk(sub, f"{path} {name}")

    walk(typer.main.get_command(app), "pinrelay")
    assert missing == []
