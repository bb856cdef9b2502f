"""Lets spyne 2.14 import on Python 3.12 and 3.13, without forking it.

- spyne vendors an old ``six`` whose import hook has only ``find_module``, which
  Python 3.12 no longer calls, so ``spyne.util.six.moves`` cannot be imported. The
  finder below answers ``find_spec`` for those names on that hook's behalf, as
  six 1.16 itself does.
- spyne imports ``cgi`` (for ``parse_header``): deprecated in 3.11 and 3.12, removed
  in 3.13, where the ``legacy-cgi`` package provides it. It is imported here once,
  with its DeprecationWarning silenced, so that the warning never reaches a user's
  test run.

Imported by ``mock_efidem/__init__.py``, so before anything imports spyne.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import warnings
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

_SIX_NAME = "spyne.util.six"


class _SixMovesFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """find_spec/create_module/exec_module for the names spyne's six registers."""

    def find_spec(
        self, fullname: str, path: Any = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if not fullname.startswith(_SIX_NAME + "."):
            return None
        importer = _six_importer()
        if importer is None or fullname not in importer.known_modules:
            return None
        return importlib.util.spec_from_loader(
            fullname, self, is_package=importer.is_package(fullname)
        )

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        importer = _six_importer()
        assert importer is not None  # find_spec found it
        module: ModuleType = importer.load_module(spec.name)
        return module

    def exec_module(self, module: ModuleType) -> None:
        """load_module did all the work."""


def _six_importer() -> Any:
    """The import hook that spyne's vendored six appended to sys.meta_path."""
    return next(
        (
            finder
            for finder in sys.meta_path
            if type(finder).__name__ == "_SixMetaPathImporter"
            and getattr(finder, "name", None) == _SIX_NAME
        ),
        None,
    )


def install() -> None:
    if not any(isinstance(finder, _SixMovesFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _SixMovesFinder())
    if "cgi" not in sys.modules:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import cgi  # noqa: F401


install()
