"""Verifying calls against the journal, with a near-miss report when it fails.

Like WireMock's: when no call (or not the expected number) matches, the report lists
the calls of the same operation with how their fields differ, then the other calls
closest to the expectation, so that a test's failure says what the application did
send instead.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from typing import Any

from mock_efidem.journal import JOURNAL_FILTERS

ENTRY_FILTERS = tuple(name for name in JOURNAL_FILTERS if name != "operation")
"""Filters on an entry's own facts besides its operation (the expectation's own); any
other keyword names a request field."""
SHOWN = 5

Entry = Mapping[str, Any]


def journal_query(filters: Mapping[str, Any]) -> dict[str, str]:
    """Keyword filters as the control API's query: fields become ``field.NAME``."""
    query = {}
    for name, value in filters.items():
        if value is None:
            continue
        key = name if name in JOURNAL_FILTERS else f"field.{name}"
        query[key] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return query


def differences(entry: Entry, operation: str, filters: Mapping[str, Any]) -> list[str]:
    """How ``entry`` misses the expectation, one phrase per criterion it fails."""
    missed = []
    if not fnmatch.fnmatchcase(entry.get("operation", ""), operation):
        missed.append(f"operation {entry.get('operation')!r} (wanted {operation!r})")
    for name, wanted in filters.items():
        if wanted is None or name == "since":
            continue
        if name in ENTRY_FILTERS:
            found = entry.get(name)
            if name == "message_id":
                if str(wanted) not in entry.get("message_ids", ()):
                    missed.append(f"message ids {entry.get('message_ids')} (wanted {wanted!r})")
            elif str(found) != str(wanted):
                missed.append(f"{name} {found!r} (wanted {str(wanted)!r})")
            continue
        values = entry.get("fields", {}).get(name)
        if values is None:
            missed.append(f"{name} absent (wanted {str(wanted)!r})")
        elif str(wanted) not in values:
            shown = values[0] if len(values) == 1 else values
            missed.append(f"{name} {shown!r} (wanted {str(wanted)!r})")
    return missed


def report(
    operation: str,
    times: int | None,
    filters: Mapping[str, Any],
    matching: Sequence[Entry],
    everything: Sequence[Entry],
) -> str:
    """The failure text of ``assert_called``."""
    lines = [_expectation(operation, times, filters, len(matching))]
    if matching:
        lines.append("Matching calls:")
        lines += [f"  {_line(e)}" for e in matching[-SHOWN:]]
        return "\n".join(lines)
    others = [(differences(e, operation, filters), e) for e in everything]
    misses = sorted(
        (pair for pair in others if pair[0]), key=lambda pair: (len(pair[0]), -pair[1]["id"])
    )
    same = [pair for pair in misses if not pair[0][0].startswith("operation ")]
    rest = [pair for pair in misses if pair[0][0].startswith("operation ")]
    if same:
        lines.append("Near misses (same operation, other values):")
        lines += _described(same)
    if rest:
        lines.append("Other calls, closest first:")
        lines += _described(rest)
    if not everything:
        lines.append("The journal holds no call at all.")
    return "\n".join(lines)


def _expectation(operation: str, times: int | None, filters: Mapping[str, Any], count: int) -> str:
    wanted = "at least once" if times is None else _times(times)
    given = ", ".join(f"{k}={v!r}" for k, v in filters.items() if v is not None)
    with_what = f" with {given}" if given else ""
    return f"expected {operation} called {wanted}{with_what}; it was called {_times(count)}."


def _times(count: int) -> str:
    return {0: "0 times", 1: "once"}.get(count, f"{count} times")


def _described(pairs: Sequence[tuple[list[str], Entry]]) -> list[str]:
    lines = []
    for missed, entry in pairs[:SHOWN]:
        lines.append(f"  {_line(entry)}")
        lines += [f"      {phrase}" for phrase in missed]
    if len(pairs) > SHOWN:
        lines.append(f"  … and {len(pairs) - SHOWN} more")
    return lines


def _line(entry: Entry) -> str:
    account = f" {entry['account']}" if entry.get("account") else ""
    return (
        f"#{entry['id']} {entry.get('at', '')} {entry.get('protocol')} "
        f"{entry.get('operation')}{account} -> {entry.get('result')}"
    )
