"""Help for a misspelt name: the closest known one, else the known ones."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``"; did you mean X?"`` for the known name closest to ``word`` (case aside, since
    ``destination`` for ``DESTINATION`` is the likeliest slip), else ``"; known: …"``
    in the order given."""
    names = list(dict.fromkeys(known))
    by_folded = {name.casefold(): name for name in names}
    close = get_close_matches(word.casefold(), list(by_folded), n=1)
    if close:
        return f"; did you mean {by_folded[close[0]]}?"
    return f"; known: {', '.join(names)}" if names else ""
