"""The import graph: dependencies point one way (docs/architecture.md).

Each rule names a package and the import prefixes none of its modules may use, at any depth
of the module (a function's lazy import counts too). Read with `ast`, so nothing is imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[2] / "src"

HTTP = ("starlette", "fastapi", "httpx", "uvicorn")
DATABASES = ("sqlite3", "psycopg", "psycopg_pool")

# (package, forbidden import prefixes)
RULES: list[tuple[str, tuple[str, ...]]] = [
    # the pipeline language is pure: no store, settings, HTTP, database or run-time layer
    (
        "pinrelay.pipeline",
        (
            "pinrelay.store",
            "pinrelay.settings",
            "pinrelay.mapping",
            "pinrelay.collect",
            "pinrelay.delivery",
            "pinrelay.admin",
            "pinrelay.ui",
            "pinrelay.app",
            *HTTP,
            *DATABASES,
            "asyncio",
            "structlog",
        ),
    ),
    # the run-time mapping serves collect, the UI and the CLI, never the other way round
    ("pinrelay.mapping", ("pinrelay.collect", "pinrelay.admin", "pinrelay.ui", *HTTP)),
    # consent and the other identity rules are pure too
    ("pinrelay.identity", ("pinrelay.store", "pinrelay.settings", *HTTP, *DATABASES)),
]


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, root: Path) -> list[tuple[int, str]]:
    """(line, imported module) of every import in the file; relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = _module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            found.append((node.lineno, module))
    return sorted(found)


def _forbidden(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def violations(package: str, forbidden: tuple[str, ...], root: Path = SRC) -> list[str]:
    folder = root.joinpath(*package.split("."))
    files = sorted(folder.rglob("*.py")) if folder.is_dir() else [folder.with_suffix(".py")]
    return [
        f"{path.relative_to(root)}:{line} imports {module}"
        for path in files
        for line, module in _imports(path, root)
        if _forbidden(module, forbidden)
    ]


@pytest.mark.parametrize(("package", "forbidden"), RULES, ids=[rule[0] for rule in RULES])
def test_the_package_imports_nothing_it_must_not(package: str, forbidden: tuple[str, ...]) -> None:
    assert SRC.joinpath(*package.split(".")).exists()
    assert violations(package, forbidden) == []


def test_lazy_and_relative_imports_are_found(tmp_path: Path) -> None:
    assert _forbidden("pinrelay.store.records", ("pinrelay.store",))
    assert not _forbidden("pinrelay.storefront", ("pinrelay.store",))
    package = tmp_path / "pinrelay" / "pipeline"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "probe.py").write_text(
        "def f():\n    from pinrelay.store.base import Store\n    import httpx\n"
        "from ..store import records\n"
    )
    found = violations("pinrelay.pipeline", ("pinrelay.store", "httpx"), root=tmp_path)
    assert found == [
        "pinrelay/pipeline/probe.py:2 imports pinrelay.store.base",
        "pinrelay/pipeline/probe.py:3 imports httpx",
        "pinrelay/pipeline/probe.py:4 imports pinrelay.store",
    ]
