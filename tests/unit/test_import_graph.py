"""The import graph: dependencies point one way (issue 16, docs/architecture.md).

Walks the source with `ast` (no import is executed), following `import pinrelay.x`,
`from pinrelay.x import y` and relative imports at any depth of a module (a function's lazy
import counts too), and checks a table of rules. Add a rule as one row of RULES: (the package
whose modules are checked, the import prefixes they must not use).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"

HTTP = ("starlette", "fastapi", "httpx", "uvicorn")
DATABASES = ("sqlite3", "psycopg", "psycopg_pool")

# (from_package, forbidden prefixes): no module in from_package imports any of them.
RULES: list[tuple[str, tuple[str, ...]]] = [
    # The admin API and the UI both call pinrelay.services; neither calls the other
    # (pinrelay.adminsite, the composition root, is the one module that knows both).
    ("pinrelay.admin", ("pinrelay.ui",)),
    ("pinrelay.ui", ("pinrelay.admin",)),
    # The service layer is below both HTTP apps.
    ("pinrelay.services", ("pinrelay.admin", "pinrelay.ui", "pinrelay.adminsite")),
    # The pipeline language is pure: no store, settings, HTTP, database or run-time layer.
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
    # The run-time mapping serves collect, the UI and the CLI, never the other way round.
    ("pinrelay.mapping", ("pinrelay.collect", "pinrelay.admin", "pinrelay.ui", *HTTP)),
    # Consent and the other identity rules are pure too.
    ("pinrelay.identity", ("pinrelay.store", "pinrelay.settings", *HTTP, *DATABASES)),
]


def module_name(path: Path, root: Path = SRC) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules_of(package: str, root: Path = SRC) -> Iterator[Path]:
    base = root.joinpath(*package.split("."))
    if base.with_suffix(".py").is_file():
        yield base.with_suffix(".py")
    if base.is_dir():
        yield from sorted(base.rglob("*.py"))


def imported_modules(path: Path, root: Path = SRC) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, relative ones resolved."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    return imports_in(path.read_text(encoding="utf-8"), package)


def imports_in(text: str, package: str) -> Iterator[tuple[int, str]]:
    """The imports of module text that lives in `package` (relative ones are resolved)."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:  # `from pinrelay import ui` imports pinrelay.ui
                yield node.lineno, f"{target}.{alias.name}"


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def violations(package: str, forbidden: tuple[str, ...], root: Path = SRC) -> list[str]:
    found = []
    for path in modules_of(package, root):
        for line, target in imported_modules(path, root):
            if any(within(target, banned) for banned in forbidden):
                found.append(f"{path.relative_to(root)}:{line} imports {target}")
    return sorted(set(found))


@pytest.mark.parametrize(("package", "forbidden"), RULES, ids=[rule[0] for rule in RULES])
def test_no_module_of_the_package_imports_a_forbidden_one(
    package: str, forbidden: tuple[str, ...]
) -> None:
    assert list(modules_of(package)), f"{package} has no modules: is the rule out of date?"
    assert violations(package, forbidden) == []


@pytest.mark.parametrize(
    "spelling",
    [
        "import pinrelay.ui.app",
        "from pinrelay.ui.web import render",
        "from pinrelay import ui",
        "from ..ui import web",
        "from .. import ui",
    ],
)
def test_every_spelling_of_an_import_is_followed(spelling: str) -> None:
    """As written in a module of pinrelay.admin, each of these imports pinrelay.ui."""
    targets = [target for _, target in imports_in(spelling, "pinrelay.admin")]
    assert any(within(target, "pinrelay.ui") for target in targets), targets


def test_a_sibling_package_with_a_similar_name_is_not_the_package() -> None:
    assert not within("pinrelay.uikit", "pinrelay.ui")
    assert not within("pinrelay.storefront", "pinrelay.store")
    assert within("pinrelay.ui", "pinrelay.ui")


def test_lazy_and_relative_imports_are_found(tmp_path: Path) -> None:
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
        "pinrelay/pipeline/probe.py:2 imports pinrelay.store.base.Store",
        "pinrelay/pipeline/probe.py:3 imports httpx",
        "pinrelay/pipeline/probe.py:4 imports pinrelay.store",
        "pinrelay/pipeline/probe.py:4 imports pinrelay.store.records",
    ]
