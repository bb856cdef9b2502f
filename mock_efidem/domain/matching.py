"""Matchers for scenario rules: exact, glob or regular expression."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

GLOB_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True)
class Matcher:
    """``exact`` compares as is; ``glob`` ignores case; ``regex`` searches (use ``^…$``
    to anchor, ``(?i)`` to ignore case)."""

    kind: str
    pattern: str
    _compiled: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind == "regex":
            object.__setattr__(self, "_compiled", re.compile(self.pattern))

    def matches(self, value: str) -> bool:
        if self._compiled is not None:
            return self._compiled.search(value) is not None
        if self.kind == "glob":
            return fnmatchcase(value.lower(), self.pattern.lower())
        return value == self.pattern

    def matches_any(self, values: Iterable[str]) -> bool:
        return any(self.matches(value) for value in values)


def glob(pattern: str) -> Matcher:
    return Matcher("glob", pattern)


def matcher_of(spec: object) -> Matcher:
    """A scenario's spelling: a string (glob when it has * ? [, else exact), a number,
    or one of {exact: …}, {glob: …}, {regex: …}."""
    if isinstance(spec, dict):
        ((kind, pattern),) = spec.items()
        return Matcher(str(kind), str(pattern))
    text = str(spec)
    return Matcher("glob" if GLOB_CHARACTERS & set(text) else "exact", text)
