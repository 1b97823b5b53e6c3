"""CLI flags that set a setting: flag, env var and default, all read from `Settings`.

A flag built here falls back to its `PINRELAY_*` variable (Typer's `envvar`, shown in --help
as `[env var: ...]`) and shows the default the setting has, so --help never shows a blank
where a default applies and no default is written twice. The value still goes through
`load_settings` (flag > env > default), which validates it like any setting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic_core import PydanticUndefined

from pinrelay.settings import Settings

NO_DEFAULT_SHOWN = "none"  # what --help says for a setting that is unset by default


def env_name(setting: str) -> str:
    return f"PINRELAY_{setting.upper()}"


def default_of(setting: str) -> Any:
    """The default of a setting, as Settings defines it."""
    field = Settings.model_fields[setting]
    if field.default_factory is not None:
        return field.default_factory()  # type: ignore[call-arg]  # no validated-data factories
    return None if field.default is PydanticUndefined else field.default


def setting_option(setting: str, *flags: str, help: str | None = None) -> Any:
    """A `typer.Option` for a setting; `help` defaults to the setting's description."""
    default = default_of(setting)
    return typer.Option(
        *flags,
        envvar=env_name(setting),
        show_envvar=True,
        show_default=NO_DEFAULT_SHOWN if default is None else str(default),
        help=help or Settings.model_fields[setting].description,
    )


DbOption = Annotated[
    str | None,
    setting_option(
        "database_url",
        "--db",
        help="Database URL, e.g. sqlite:///pinrelay.db or postgresql://user:pw@host/db.",
    ),
]
PipelinesDirOption = Annotated[
    Path | None,
    setting_option(
        "pipelines_dir",
        "--pipelines",
        help="Directory of pipeline YAML files, watched for changes by a server.",
    ),
]
