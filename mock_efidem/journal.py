"""The request journal: every call the mock received, for tests and QA to inspect."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

JOURNAL_SIZE = 10_000


@dataclass(frozen=True)
class JournalEntry:
    at: datetime
    protocol: str
    operation: str
    account: str
    result: str
    duration_ms: float

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["at"] = self.at.isoformat()
        return document


class Journal:
    """The last ``JOURNAL_SIZE`` calls, oldest first; thread-safe."""

    def __init__(self, size: int = JOURNAL_SIZE) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=size)
        self._lock = threading.Lock()

    def record(
        self, protocol: str, operation: str, account: str, result: str, duration_ms: float
    ) -> None:
        entry = JournalEntry(datetime.now(UTC), protocol, operation, account, result, duration_ms)
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[JournalEntry]:
        with self._lock:
            return list(self._entries)

    def clear(self, account: str | None = None) -> None:
        with self._lock:
            kept = [e for e in self._entries if account is not None and e.account != account]
            self._entries.clear()
            self._entries.extend(kept)
