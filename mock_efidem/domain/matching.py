"""Matchers for scenario rules: exact, glob or regular expression.

Regular expressions run on RE2 (google-re2), whose time is linear in the text: a
scenario's ``(a+)+$`` cannot make a call backtrack for minutes, as Python's ``re``
would. RE2 has no look-arounds and no back-references; ``check`` says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

import re2

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # the error is raised; RE2 would also print it

GLOB_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True)
class Matcher:
    """``exact`` compares as is; ``glob`` ignores case; ``regex`` searches (use ``^…$``
    to anchor, ``(?i)`` to ignore case)."""

    kind: str
    pattern: str
    _compiled: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind == "regex":
            object.__setattr__(self, "_compiled", _linear_time(self.pattern))

    def matches(self, value: str) -> bool:
        if self._compiled is not None:
            return self._compiled.search(value) is not None
        if self.kind == "glob":
            return fnmatchcase(value.lower(), self.pattern.lower())
        return value == self.pattern

    def matches_any(self, values: Iterable[str]) -> bool:
        return any(self.matches(value) for value in values)


def _linear_time(pattern: str) -> Any:
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as error:
        reason = error.args[0] if error.args else error
        text = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        if "perl operator" in text or "escape" in text:
            text += " (regexes run on RE2, in linear time: no look-arounds, no back-references)"
        raise ValueError(text) from None


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
