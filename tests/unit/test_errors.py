"""The error tree of errors.py is the whole tree: every exception class of ours is in it."""

from __future__ import annotations

import importlib
import pkgutil

import pinrelay
from pinrelay import errors
from pinrelay.errors import PinrelayError


def all_subclasses(cls: type[BaseException]) -> set[type[BaseException]]:
    found: set[type[BaseException]] = set()
    waiting = [cls]
    while waiting:
        for sub in waiting.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                waiting.append(sub)
    return found


def our_exception_classes() -> set[type[BaseException]]:
    for module in pkgutil.walk_packages(pinrelay.__path__, prefix="pinrelay."):
        if not module.name.endswith("__main__"):  # that one runs the CLI
            importlib.import_module(module.name)
    return {
        cls
        for cls in all_subclasses(Exception)
        if cls.__module__.startswith("pinrelay.") and not cls.__name__.startswith("_")
    }


def test_every_exception_class_of_ours_is_a_pinrelay_error_drawn_in_the_tree() -> None:
    classes = our_exception_classes()
    assert {cls.__name__ for cls in classes if not issubclass(cls, PinrelayError)} == set()
    tree = errors.__doc__ or ""
    assert {cls.__name__ for cls in classes if f" {cls.__name__} " not in tree} == set()
