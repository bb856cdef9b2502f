"""The request journal: every call the mock received, with its request, its answer
and why it got that answer, for tests and QA to inspect and verify.

It is bounded twice, by entries and by bytes (bodies, headers and field values
counted, each body cut at ``body_limit``), so that memory stays flat under any load:
the oldest entries go first.
"""

from __future__ import annotations

import bisect
import dataclasses
import fnmatch
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

DEFAULT_MAX_ENTRIES = 10_000
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_BODY_LIMIT = 64 * 1024
FIELD_VALUE_LIMIT = 1024
"""A request field longer than this is kept (and compared) by its first KiB only."""
ENTRY_OVERHEAD = 600
"""What an entry's own Python objects weigh (the entry, its bodies, a datetime)."""
PER_TEXT = 100
"""What one more text weighs besides its characters: a str's header, and its place in
a tuple or a dict (measured: bench/journal_memory.py)."""

JOURNAL_FILTERS = (
    "protocol", "operation", "account", "result", "http_status", "since", "message_id",
)  # fmt: skip
"""The journal's filters on an entry's own facts (``JournalQuery``'s, bar ``fields``):
what ``GET /_mock/journal`` accepts, and ``MockEfidem.calls`` sends as they are."""

Headers = tuple[tuple[str, str], ...]
Fields = Mapping[str, tuple[str, ...]]


@dataclass(slots=True)
class Body:
    """A request's or a response's body, cut at the journal's limit."""

    data: bytes
    size: int
    """The size as sent, before any cut."""

    @classmethod
    def kept(cls, data: bytes, limit: int) -> Body:
        return cls(data if len(data) <= limit else data[:limit], len(data))

    @property
    def truncated(self) -> bool:
        return len(self.data) < self.size

    def to_json(self) -> dict[str, Any]:
        return {
            "body": self.data.decode("utf-8", "replace"),
            "size": self.size,
            "truncated": self.truncated,
        }


@dataclass(slots=True)
class Exchange:
    """One side of the HTTP exchange."""

    headers: Headers
    body: Body

    @property
    def weight(self) -> int:
        return len(self.body.data) + sum(len(k) + len(v) + 2 * PER_TEXT for k, v in self.headers)


@dataclass(slots=True)
class Request(Exchange):
    method: str = "GET"
    target: str = "/"
    """The path and query string, as sent."""

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "target": self.target,
            "headers": {_header_name(key): value for key, value in self.headers},
            **self.body.to_json(),
        }


def _header_name(environ_key: str) -> str:
    """``HTTP_USER_AGENT`` as it was sent: ``User-Agent``."""
    return environ_key.removeprefix("HTTP_").replace("_", "-").title()


@dataclass(slots=True)
class Response(Exchange):
    status: int = 200
    note: str = ""
    """Set when the answer sent is not the whole answer: a fault cut or dropped it."""

    def to_json(self) -> dict[str, Any]:
        document = {"status": self.status, "headers": dict(self.headers), **self.body.to_json()}
        if self.note:
            document["note"] = self.note
        return document


@dataclass(slots=True)
class JournalEntry:
    id: int
    at: datetime
    protocol: str
    operation: str
    account: str
    result: str
    duration_ms: float
    client: str
    request: Request
    response: Response
    value: str = ""
    """A summary of what a successful call returned (a message id, a status code)."""
    why: Mapping[str, Any] | None = None
    message_ids: tuple[str, ...] = ()
    fields: Fields = field(default_factory=dict)

    @property
    def http_status(self) -> int:
        return self.response.status

    @property
    def weight(self) -> int:
        texts = sum(
            len(name) + PER_TEXT + sum(len(value) + PER_TEXT for value in values)
            for name, values in self.fields.items()
        )
        return ENTRY_OVERHEAD + self.request.weight + self.response.weight + texts

    def summary_json(self) -> dict[str, Any]:
        """What a list shows: everything but the headers and bodies."""
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "protocol": self.protocol,
            "operation": self.operation,
            "account": self.account,
            "http_status": self.http_status,
            "result": self.result,
            "value": self.value,
            "duration_ms": round(self.duration_ms, 3),
            "client": self.client,
            "message_ids": list(self.message_ids),
            "why": dict(self.why) if self.why is not None else None,
            "fields": {name: list(values) for name, values in self.fields.items()},
        }

    def to_json(self) -> dict[str, Any]:
        return {
            **self.summary_json(),
            "request": self.request.to_json(),
            "response": self.response.to_json(),
        }


def kept_fields(values: Fields, body_size: int) -> Fields:
    """Request fields as the journal keeps them: each value cut at FIELD_VALUE_LIMIT
    (no value can be longer than the body that carried it: most need no cut)."""
    if body_size <= FIELD_VALUE_LIMIT:
        return values
    return {name: tuple(v[:FIELD_VALUE_LIMIT] for v in found) for name, found in values.items()}


@dataclass(frozen=True)
class JournalQuery:
    """Filters on entries; None (or empty) matches anything."""

    protocol: str | None = None
    """One protocol, or several with commas: ``soap,dqe``."""
    operation: str | None = None
    """A glob: ``ENVOYER_*``."""
    account: str | None = None
    result: str | None = None
    http_status: int | None = None
    since: datetime | None = None
    message_id: str | None = None
    fields: tuple[tuple[str, str], ...] = ()

    def matches(self, entry: JournalEntry) -> bool:
        return (
            (self.protocol is None or entry.protocol in self.protocol.split(","))
            and (self.operation is None or fnmatch.fnmatchcase(entry.operation, self.operation))
            and (self.account is None or entry.account == self.account)
            and (self.result is None or entry.result == self.result)
            and (self.http_status is None or entry.http_status == self.http_status)
            and (self.since is None or entry.at >= self.since)
            and (self.message_id is None or self.message_id in entry.message_ids)
            and all(_has_value(entry.fields, name, wanted) for name, wanted in self.fields)
        )


def _has_value(fields: Fields, name: str, wanted: str) -> bool:
    return wanted[:FIELD_VALUE_LIMIT] in fields.get(name, ())


@dataclass(frozen=True)
class JournalPage:
    entries: list[JournalEntry]
    total: int
    next_cursor: int | None


class JournalLike(Protocol):
    """What the mock asks of its journal: ``Journal`` in this process, or
    ``mock_efidem.shared.journal.RedisJournal`` shared by several."""

    body_limit: int
    on_record: Callable[[JournalEntry], None] | None

    @property
    def generation(self) -> int: ...

    @property
    def size_in_bytes(self) -> int: ...

    def __len__(self) -> int: ...

    def next_id(self) -> int: ...

    def record(self, entry: JournalEntry, generation: int | None = None) -> bool: ...

    def entries(self) -> list[JournalEntry]: ...

    def get(self, entry_id: int) -> JournalEntry | None: ...

    def find_page(
        self, query: JournalQuery, limit: int, before: int | None = None
    ) -> JournalPage: ...

    def count(self, query: JournalQuery) -> int: ...

    def clear(self, account: str | None = None) -> None: ...


def page_of(
    entries: list[JournalEntry], query: JournalQuery, limit: int, before: int | None
) -> JournalPage:
    """The page of ``entries`` (oldest first) that ``find_page`` answers: those that
    match, newest first, ``limit`` of them from below id ``before``, and their total."""
    chosen = [e for e in reversed(entries) if query.matches(e)]
    total = len(chosen)
    if before is not None:
        chosen = [e for e in chosen if e.id < before]
    page = chosen[:limit]
    more = len(chosen) > limit
    return JournalPage(page, total, page[-1].id if more and page else None)


class Journal:
    """Entries oldest first, each with an id that grows; thread-safe."""

    def __init__(
        self,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_bytes: int = DEFAULT_MAX_BYTES,
        body_limit: int = DEFAULT_BODY_LIMIT,
        on_record: Callable[[JournalEntry], None] | None = None,
    ) -> None:
        """``on_record`` hears of each entry kept, as it is kept (under the journal's
        lock: one at a time): it must be quick and must not block."""
        self.max_entries, self.max_bytes, self.body_limit = max_entries, max_bytes, body_limit
        self.on_record = on_record
        self._entries: deque[JournalEntry] = deque()
        self._ids: deque[int] = deque()
        self._weights: deque[int] = deque()
        self._bytes = 0
        self._next_id = 1
        self._generation = 0
        self._lock = threading.Lock()

    @property
    def generation(self) -> int:
        """Changes at each full clear: a call that started before one is not recorded."""
        return self._generation

    @property
    def size_in_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def next_id(self) -> int:
        with self._lock:
            self._next_id += 1
            return self._next_id - 1

    def record(self, entry: JournalEntry, generation: int | None = None) -> bool:
        """Keep ``entry`` (its id from ``next_id``, or 0: the next one is given it now),
        unless the journal was cleared since ``generation``; the oldest entries make
        room."""
        weight = entry.weight
        with self._lock:
            if generation is not None and generation != self._generation:
                return False
            if not entry.id:
                entry = dataclasses.replace(entry, id=self._next_id)
                self._next_id += 1
            if self._ids and entry.id < self._ids[-1]:  # calls may end out of order
                index = bisect.bisect(self._ids, entry.id)
                self._entries.insert(index, entry)
                self._ids.insert(index, entry.id)
                self._weights.insert(index, weight)
            else:
                self._entries.append(entry)
                self._ids.append(entry.id)
                self._weights.append(weight)
            self._bytes += weight
            while self._entries and (
                len(self._entries) > self.max_entries or self._bytes > self.max_bytes
            ):
                self._entries.popleft()
                self._ids.popleft()
                self._bytes -= self._weights.popleft()
            if self.on_record is not None:
                self.on_record(entry)
            return True

    def entries(self) -> list[JournalEntry]:
        with self._lock:
            return list(self._entries)

    def get(self, entry_id: int) -> JournalEntry | None:
        with self._lock:
            index = bisect.bisect_left(self._ids, entry_id)
            if index < len(self._ids) and self._ids[index] == entry_id:
                return self._entries[index]
            return None

    def find_page(self, query: JournalQuery, limit: int, before: int | None = None) -> JournalPage:
        """Matching entries newest first, ``limit`` of them from below id ``before``."""
        return page_of(self.entries(), query, limit, before)

    def count(self, query: JournalQuery) -> int:
        return sum(1 for e in self.entries() if query.matches(e))

    def clear(self, account: str | None = None) -> None:
        """Everything (and calls still in flight), or one account's entries."""
        with self._lock:
            if account is None:
                self._generation += 1
                kept: Iterable[JournalEntry] = ()
            else:
                kept = [e for e in self._entries if e.account != account]
            self._entries = deque(kept)
            self._ids = deque(e.id for e in self._entries)
            self._weights = deque(e.weight for e in self._entries)
            self._bytes = sum(self._weights)
