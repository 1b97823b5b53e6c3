"""The import graph: which packages may not import which (issue 16).

Walks the source with `ast` (no import is executed), following `import pinrelay.x`,
`from pinrelay.x import y` and relative imports, and checks a table of rules. Add a rule as
one row of RULES: (the package whose modules are checked, the packages they must not import).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"

# (from_package, forbidden_packages): no module in from_package imports any of them.
RULES: list[tuple[str, tuple[str, ...]]] = [
    # The admin API and the UI both call pinrelay.services; neither calls the other
    # (pinrelay.adminsite, the composition root, is the one module that knows both).
    ("pinrelay.admin", ("pinrelay.ui",)),
    ("pinrelay.ui", ("pinrelay.admin",)),
    # The service layer is below both HTTP apps.
    ("pinrelay.services", ("pinrelay.admin", "pinrelay.ui", "pinrelay.adminsite")),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules_of(package: str) -> Iterator[Path]:
    base = SRC.joinpath(*package.split("."))
    if base.with_suffix(".py").is_file():
        yield base.with_suffix(".py")
    if base.is_dir():
        yield from sorted(base.rglob("*.py"))


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, relative ones resolved."""
    name = module_name(path)
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


def violations(package: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in modules_of(package):
        for line, target in imported_modules(path):
            if any(within(target, banned) for banned in forbidden):
                found.append(f"{path.relative_to(SRC)}:{line} imports {target}")
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
    assert within("pinrelay.ui", "pinrelay.ui")
