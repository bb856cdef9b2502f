"""Lets spyne 2.14 import on Python 3.11 to 3.13, quietly, without forking it.

- spyne vendors an old ``six`` whose import hook (``_SixMetaPathImporter``) has only
  the legacy ``find_module``. Python 3.12 no longer calls it, so
  ``spyne.util.six.moves`` cannot be imported; Python 3.11 still calls it, but warns
  (``ImportWarning``) each time an import reaches it, which ``-W error`` turns into
  failed imports. The finder below, first on ``sys.meta_path``, gives that hook's
  class the ``find_spec``/``create_module``/``exec_module`` methods that six 1.16
  added, as soon as spyne's six has registered it; it finds nothing itself.
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


class _SixImporterUpgrade(importlib.abc.MetaPathFinder):
    """Upgrades spyne's six import hook on the first import after it appears."""

    def __init__(self) -> None:
        self.done = False

    def find_spec(
        self, fullname: str, path: Any = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if not self.done:
            self.done = _upgrade_six_importer()
        return None


def _find_spec(self: Any, fullname: str, path: Any = None, target: Any = None) -> Any:
    if fullname in self.known_modules:
        return importlib.util.spec_from_loader(fullname, self)
    return None


def _create_module(self: Any, spec: ModuleSpec) -> Any:
    return self.load_module(spec.name)


def _exec_module(self: Any, module: ModuleType) -> None:
    """load_module did all the work."""


def _upgrade_six_importer() -> bool:
    """Give spyne's six import hook six 1.16's methods; False if it is not there yet."""
    importer: Any = next(
        (
            finder
            for finder in sys.meta_path
            if type(finder).__name__ == "_SixMetaPathImporter"
            and getattr(finder, "name", None) == _SIX_NAME
        ),
        None,
    )
    if importer is None:
        return False
    hook: Any = type(importer)
    if "find_spec" not in vars(hook):
        hook.find_spec = _find_spec
        hook.create_module = _create_module
        hook.exec_module = _exec_module
    return True


def install() -> None:
    if not any(isinstance(finder, _SixImporterUpgrade) for finder in sys.meta_path):
        upgrade = _SixImporterUpgrade()
        upgrade.done = _upgrade_six_importer()  # spyne may have been imported already
        sys.meta_path.insert(0, upgrade)
    if "cgi" not in sys.modules:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import cgi  # noqa: F401


install()
