"""The in-memory message store: thread-safe, indexed, paged, bounded, and observable.

Its costs do not grow with its size where users notice:

- Every message has an arrival number (``seq``) that only grows, so that newest first
  is arrival order reversed, also after one account's reset.
- Lists in arrival order per account and per channel (and one for all) are the
  indexes; a page walks one of them backwards from a cursor (a ``seq``) and stops when
  it is full. A page filtered beyond them walks the narrowest once (between two
  creation times found by bisection), for its total and its page. Removed messages
  stay in the lists until they outnumber the living, then the lists are compacted.
- Each change (a send, a status change, a deletion) bumps a version and goes into a
  bounded change log, so that a long poll looks only at what changed since it last
  looked; the owner's ``on_change`` hears of each one as it happens.
- Beyond ``max_messages``, the oldest messages the owner calls finished (nothing left
  to happen) are evicted; a message still on its way is never evicted.
- A heap of each message's next planned step lets the owner fire the steps due without
  reading every message (``due``), and sleep until the next one (``next_due``).

``Store`` is what the owner needs of a store; ``MessageStore`` is the one in this
process's memory, and ``mock_efidem.shared.store.RedisStore`` the one several processes
share. Every change of a stored message's state goes through ``update``.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from itertools import islice
from typing import Protocol

from mock_efidem.domain.ids import IdFactory
from mock_efidem.domain.models import Message

DEFAULT_MAX_MESSAGES = 1_000_000
CHANGE_LOG_SIZE = 100_000

MessageFilter = Callable[[Message], bool]
IndexKey = tuple[str, str]
"""("account", name), ("channel", name) or ("all", "")."""

ALL: IndexKey = ("all", "")


class Change(StrEnum):
    CREATED = "created"
    STATUS = "status"
    DELETED = "deleted"


ChangeListener = Callable[[Message, Change], None]
"""Told of each change under the store's lock: it must be quick and must not block."""
MessageChange = Callable[[Message], bool]
"""Changes a message's state in place; True if it changed (then it is saved, and told
as a change if a status was reached)."""
Version = int | str
"""Where a store's change log stands: only the store that gave it compares it."""


class StoreUnavailable(RuntimeError):
    """The store cannot be reached (a shared store's server is down): the call fails,
    nothing it would have changed is changed, and the next call tries again."""


@dataclass(frozen=True)
class Page:
    messages: list[Message]
    total: int
    next_cursor: int | None
    """The ``before`` of the next page, None on the last page."""


@dataclass(frozen=True)
class Changes:
    messages: list[Message] | None
    """What changed since the version asked for; None when the log no longer reaches it."""
    version: Version


class Store(Protocol):
    """What the Efidem backend needs of a message store (see the module's docstring)."""

    shared: bool
    """Other processes change it too: what this process holds may be stale."""
    on_change: ChangeListener | None

    def add(self, message: Message, evictable: MessageFilter | None = None) -> None: ...
    def update(self, message: Message, change: MessageChange) -> Message: ...
    def delete(self, message_id: str) -> Message | None: ...
    def touch(self) -> None: ...
    def clear(self, account: str | None = None) -> None: ...
    def find(self, message_id: str) -> Message | None: ...
    def get(self, account: str, message_id: str) -> Message | None: ...
    def due(self, now: datetime) -> list[Message]: ...
    def next_due(self) -> datetime | None: ...
    def page(
        self,
        keys: Iterable[IndexKey],
        matches: MessageFilter | None,
        limit: int,
        before: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Page: ...
    def created_between(self, account: str, start: datetime, end: datetime) -> list[Message]: ...
    def in_arrival_order(self, account: str) -> list[Message]: ...
    def changes_since(self, version: Version, timeout: float) -> Changes: ...
    def wait_for_change(self, version: Version, timeout: float) -> Version: ...
    @property
    def version(self) -> Version: ...
    def __len__(self) -> int: ...


def statuses_reached(message: Message) -> int:
    """How many statuses its recipients have reached in all: it grows with each one."""
    return sum(len(r.history) for r in message.recipients)


def newest_page(found: list[Message], total: int, limit: int) -> Page:
    """The page of ``found``: newest first, up to ``limit`` and one more, which says
    that a next page starts below the last shown."""
    more = len(found) > limit
    return Page(found[:limit], total, found[limit - 1].seq if more else None)


def page_of(matched: list[Message], limit: int, before: int | None) -> Page:
    """The page of ``matched`` (every match, oldest first) below the cursor ``before``."""
    end = len(matched) if before is None else bisect.bisect_left(matched, before, key=_seq)
    return newest_page(matched[max(0, end - limit - 1) : end][::-1], len(matched), limit)


def next_step_due(message: Message) -> datetime | None:
    """When the message's soonest planned step is due, if it has one."""
    dues = [r.plan[0].due for r in message.recipients if r.plan]
    return min(dues) if dues else None


class MessageStore:
    """The store in this process's memory."""

    shared = False

    def __init__(
        self,
        max_messages: int = DEFAULT_MAX_MESSAGES,
        lock: threading.RLock | None = None,
        on_change: ChangeListener | None = None,
        ids: IdFactory | None = None,
    ) -> None:
        """``lock``: the owner's lock over messages' state, so that a page may settle the
        messages it reads (one lock: no order to get wrong). ``on_change`` hears of every
        send, status change, deletion and eviction (not of a clear: its owner says it).
        ``ids`` names the messages added without one."""
        self.max_messages = max_messages
        self.on_change = on_change
        self.ids = ids or IdFactory()
        self._due: list[tuple[datetime, int, Message]] = []
        """Each message's next planned step, soonest first; an entry whose message has
        moved on since stays until its time comes, and is then dropped."""
        self._order = itertools.count()
        self._lock = lock or threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._by_id: dict[str, Message] = {}
        self._lists: dict[IndexKey, list[Message]] = {ALL: []}
        self._live: dict[IndexKey, int] = {ALL: 0}
        self._next_seq = 1
        self._version = 0
        self._log: deque[tuple[int, str]] = deque(maxlen=CHANGE_LOG_SIZE)
        """(version, message id): ids, so that the log keeps no evicted message alive."""
        self._eviction_cursor = 0
        """Position in the arrival list before which nothing evictable is left."""
        self._next_eviction = 0
        """Arrival count before which no eviction is tried (after one found too little)."""

    # --- writing ---------------------------------------------------------------------

    def add(self, message: Message, evictable: MessageFilter | None = None) -> None:
        """Store a new message (named by ``ids`` if it has no id yet); ``evictable``
        says which old ones may make room."""
        with self._lock:
            if not message.id:
                message.id = self.ids.new_id()
            message.seq = self._next_seq
            self._next_seq += 1
            self._by_id[message.id] = message
            for key in _keys(message):
                self._lists.setdefault(key, []).append(message)
                self._live[key] = self._live.get(key, 0) + 1
            over = len(self._by_id) > self.max_messages
            if evictable is not None and over and message.seq >= self._next_eviction:
                self._evict(evictable)
            self._schedule(message)
            self._note(message, Change.CREATED)

    def update(self, message: Message, change: MessageChange) -> Message:
        """``change`` the message under the lock; if a status changed, wake whoever waits."""
        with self._lock:
            reached = statuses_reached(message)
            if change(message) and self._alive(message):
                self._schedule(message)
                if statuses_reached(message) != reached:
                    self._note(message, Change.STATUS)
            return message

    def _schedule(self, message: Message) -> None:
        due = next_step_due(message)
        if due is not None:
            heapq.heappush(self._due, (due, next(self._order), message))

    def due(self, now: datetime) -> list[Message]:
        """The messages with a step due by ``now`` (each once)."""
        with self._lock:
            found: dict[str, Message] = {}
            while self._due and self._due[0][0] <= now:
                message = heapq.heappop(self._due)[2]
                if self._alive(message):
                    found[message.id] = message
            return list(found.values())

    def next_due(self) -> datetime | None:
        """When the soonest planned step is due (maybe one that has fired since: then
        a waiter wakes early, finds nothing, and sleeps again)."""
        with self._lock:
            return self._due[0][0] if self._due else None

    def delete(self, message_id: str) -> Message | None:
        """Forget one message (None if unknown): no page, lookup or change shows it again."""
        with self._lock:
            found = self._by_id.get(message_id.strip().lower())
            if found is not None:
                self._remove(found)
                self._compact_if_sparse()
                self._note(found, Change.DELETED)
            return found

    def touch(self) -> None:
        """Wake the waiters without a message change (e.g. the clock moved)."""
        with self._lock:
            self._version += 1
            self._changed.notify_all()

    def clear(self, account: str | None = None) -> None:
        with self._lock:
            if account is None:
                gone = list(self._by_id.values())
            else:
                gone = [m for m in self._lists.get(("account", account), ()) if self._alive(m)]
            for message in gone:
                self._remove(message)
            if account is None:
                self._due.clear()
            self._compact_if_sparse()
            self.touch()

    def _note(self, message: Message, change: Change) -> None:
        self._version += 1
        self._log.append((self._version, message.id))
        self._changed.notify_all()
        if self.on_change is not None:
            self.on_change(message, change)

    def _remove(self, message: Message) -> None:
        del self._by_id[message.id]
        for key in _keys(message):
            self._live[key] -= 1

    def _evict(self, evictable: MessageFilter) -> None:
        """Remove the oldest evictable messages until the store holds its bound."""
        arrivals = self._lists[ALL]
        position = self._eviction_cursor
        while len(self._by_id) > self.max_messages and position < len(arrivals):
            candidate = arrivals[position]
            if self._alive(candidate) and evictable(candidate):
                self._remove(candidate)
                if self.on_change is not None:
                    self.on_change(candidate, Change.DELETED)
            position += 1
        # A pending message skipped here may turn final later: look again from the
        # first one still alive, which a later eviction reaches in a few steps.
        self._eviction_cursor = next(
            (i for i in range(self._eviction_cursor, position) if self._alive(arrivals[i])),
            position,
        )
        if len(self._by_id) > self.max_messages:
            # Everything old is still on its way: try again after a few more arrivals,
            # not at each one.
            self._next_eviction = self._next_seq + max(1, self.max_messages // 100)
        self._compact_if_sparse()

    def _compact_if_sparse(self) -> None:
        for key, listed in list(self._lists.items()):
            live = self._live.get(key, 0)
            if len(listed) > 2 * live + 1024:
                kept = [m for m in listed if self._alive(m)]
                if key == ALL:
                    self._eviction_cursor = sum(
                        1 for m in listed[: self._eviction_cursor] if self._alive(m)
                    )
                if kept or key == ALL:
                    self._lists[key] = kept
                else:
                    del self._lists[key], self._live[key]

    def _alive(self, message: Message) -> bool:
        return self._by_id.get(message.id) is message

    # --- reading ---------------------------------------------------------------------

    def find(self, message_id: str) -> Message | None:
        with self._lock:
            return self._by_id.get(message_id.strip().lower())

    def get(self, account: str, message_id: str) -> Message | None:
        found = self.find(message_id)
        return found if found is not None and found.account == account else None

    def page(
        self,
        keys: Iterable[IndexKey],
        matches: MessageFilter | None,
        limit: int,
        before: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Page:
        """Newest first, at most ``limit``: messages in every index of ``keys`` (all when
        empty), created from ``since`` to ``until`` (both included, both aware), that
        ``matches``, older than the cursor ``before``. ``total`` counts them all.

        One index alone: the page walks it back from the cursor and stops when full,
        and the total is known. Else one walk of the narrowest index, between the two
        dates (found by bisection), finds every match: the total, and the page."""
        with self._lock:
            chosen, others = self._narrowest(keys)
            listed = self._lists.get(chosen, [])
            wanted = _all_of(others, matches)
            low, high = _span(listed, since, until)
            if wanted is None and (low, high) == (0, len(listed)):
                found = list(islice(self._newest_first(listed, before), limit + 1))
                return newest_page(found, self._live.get(chosen, 0), limit)
            every_alive = len(listed) == self._live.get(chosen, 0)
            return page_of(self._matching(listed[low:high], wanted, every_alive), limit, before)

    def created_between(self, account: str, start: datetime, end: datetime) -> list[Message]:
        """One account's messages created from ``start`` to ``end``, oldest first. The
        owner stores under the lock it reads the clock under, so arrival order is
        creation order: both ends are found by bisection, removed messages included."""
        with self._lock:
            listed = self._lists.get(("account", account), [])
            first = bisect.bisect_left(listed, start, key=_created_at)
            last = bisect.bisect_right(listed, end, key=_created_at)
            return [m for m in listed[first:last] if self._alive(m)]

    def in_arrival_order(self, account: str) -> list[Message]:
        """One account's messages, oldest first."""
        with self._lock:
            return [m for m in self._lists.get(("account", account), ()) if self._alive(m)]

    def changes_since(self, version: Version, timeout: float) -> Changes:
        """What changed after ``version``, waiting up to ``timeout`` for a change."""
        with self._lock:
            if self._version == version and timeout > 0:
                self._changed.wait(timeout)
            assert isinstance(version, int)  # a version this store gave
            if self._log and self._log[0][0] > version + 1:
                return Changes(None, self._version)  # the log was cut: look at everything
            changed: dict[str, Message] = {}
            for logged_at, message_id in reversed(self._log):
                if logged_at <= version:
                    break
                message = self._by_id.get(message_id)
                if message is not None:
                    changed.setdefault(message_id, message)
            return Changes(list(changed.values()), self._version)

    def wait_for_change(self, version: Version, timeout: float) -> Version:
        """Wait up to ``timeout`` seconds for a change (or a touch) after ``version``;
        the version then."""
        with self._lock:
            if self._version == version and timeout > 0:
                self._changed.wait(timeout)
            return self._version

    @property
    def version(self) -> Version:
        with self._lock:
            return self._version

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_id)

    def _narrowest(self, keys: Iterable[IndexKey]) -> tuple[IndexKey, list[IndexKey]]:
        """The index with the shortest list among ``keys``, and the others to check."""
        wanted = list(keys) or [ALL]
        chosen = min(wanted, key=lambda key: len(self._lists.get(key, ())))
        return chosen, [k for k in wanted if k not in (chosen, ALL)]

    def _newest_first(self, listed: list[Message], before: int | None) -> Iterator[Message]:
        end = len(listed) if before is None else bisect.bisect_left(listed, before, key=_seq)
        for position in range(end - 1, -1, -1):
            message = listed[position]
            if self._alive(message):
                yield message

    def _matching(
        self, listed: list[Message], wanted: MessageFilter | None, every_alive: bool
    ) -> list[Message]:
        """The living messages of ``listed`` that ``wanted``, oldest first. It may read a
        million messages: a comprehension, the test of life only where the index holds
        removed messages, and then only for the filter's matches."""
        if every_alive:
            return listed if wanted is None else [m for m in listed if wanted(m)]
        alive = self._by_id.get
        if wanted is None:
            return [m for m in listed if alive(m.id) is m]
        return [m for m in listed if wanted(m) and alive(m.id) is m]


def _keys(message: Message) -> tuple[IndexKey, ...]:
    return (ALL, ("account", message.account), ("channel", message.channel.value))


def _all_of(others: list[IndexKey], matches: MessageFilter | None) -> MessageFilter | None:
    """One filter for the other indexes and ``matches``; None when nothing is to check."""
    wanted = matches
    for key in others:
        wanted = _in_index(key, wanted)
    return wanted


def _in_index(key: IndexKey, then: MessageFilter | None) -> MessageFilter:
    """In the index ``key`` (an account's or a channel's), and ``then`` if given."""
    kind, value = key
    if kind == "account":
        if then is None:
            return lambda message: message.account == value
        return lambda message: message.account == value and then(message)
    if then is None:
        return lambda message: message.channel == value
    return lambda message: message.channel == value and then(message)


def _span(listed: list[Message], since: datetime | None, until: datetime | None) -> tuple[int, int]:
    """Where the messages created from ``since`` to ``until`` lie in ``listed`` (arrival
    order is creation order: see ``created_between``)."""
    low = 0 if since is None else bisect.bisect_left(listed, since, key=_created_at)
    high = len(listed) if until is None else bisect.bisect_right(listed, until, key=_created_at)
    return low, max(low, high)


def _created_at(message: Message) -> datetime:
    return message.created_at


def _seq(message: Message) -> int:
    return message.seq
