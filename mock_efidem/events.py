"""Live events of one mock, one hub per world: what an open inbox hears at once.

Each source tells the hub through one seam: the message store's ``on_change`` (a
message stored, moved to a status, deleted), the journal's ``on_record`` (a call
journalled), the clock's ``on_change`` (advanced, frozen, unfrozen), and the world's
reset and load. Each listener (an event stream) has a
bounded queue of its own: a reader that falls too far behind is dropped and told so
(``overflowed``), instead of holding the mock's memory. While anyone listens, a
thread of the hub runs ``tick`` in a loop, so that statuses that fall due as time
passes move, and are heard, though nobody reads the messages.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mock_efidem.domain.clock import Clock
from mock_efidem.domain.models import Message
from mock_efidem.domain.store import Change, StoreUnavailable
from mock_efidem.journal import JournalEntry

QUEUE_SIZE = 1000
"""Events waiting for one listener; one more and it is dropped (``overflowed``)."""
MESSAGE, CALL, RESET, CLOCK = "message", "call", "reset", "clock"

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    name: str
    data: Mapping[str, Any]


class Subscription:
    """One listener's queue. It ends when the hub closes, when it overflows, or when
    its listener leaves (``EventHub.unsubscribe``)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.overflowed = False
        self.ended = False
        self._queue: deque[Event] = deque()
        self._ready = threading.Condition(threading.Lock())

    def take(self, timeout: float) -> list[Event]:
        """The events queued, oldest first, waiting up to ``timeout`` seconds for one;
        nothing once the subscription has ended."""
        with self._ready:
            self._ready.wait_for(lambda: self._queue or self.ended, timeout)
            taken = list(self._queue)
            self._queue.clear()
            return taken

    def put(self, event: Event) -> bool:
        """Queue ``event``; False, the subscription ended, if the queue was full."""
        with self._ready:
            if len(self._queue) >= self.capacity:
                self.overflowed = True
                self._end()
                return False
            self._queue.append(event)
            self._ready.notify_all()
            return True

    def _end(self) -> None:
        self.ended = True
        self._queue.clear()
        self._ready.notify_all()

    def end(self) -> None:
        with self._ready:
            self._end()


Outlet = Callable[[str, Mapping[str, Any]], None]


def call_data(entry: JournalEntry) -> dict[str, Any]:
    """What a ``call`` event says of a journalled call."""
    return {
        "id": entry.id,
        "protocol": entry.protocol,
        "operation": entry.operation,
        "account": entry.account,
        "result": entry.result,
        "http_status": entry.http_status,
    }


class EventHub:
    def __init__(
        self, tick: Callable[[], None] | None = None, queue_size: int = QUEUE_SIZE
    ) -> None:
        """``tick``: called in a loop on a thread of the hub's while anyone listens;
        each call should return within a second or so."""
        self._tick = tick
        self.outlet: Outlet | None = None
        """Where the sources' events go instead of to this hub's listeners: a relay
        that brings every process's events back to each one's hub (shared/events.py)."""
        self.on_listen: Callable[[], None] | None = None
        """Called as each listener subscribes (a relay starts listening then)."""
        self.queue_size = queue_size
        self._lock = threading.Lock()
        self._subscribers: set[Subscription] = set()
        self._ids = itertools.count(1)
        self._ticker: threading.Thread | None = None
        self._closed = False

    @property
    def listeners(self) -> int:
        return len(self._subscribers)

    @property
    def closed(self) -> bool:
        return self._closed

    def subscribe(self) -> Subscription | None:
        """A new listener's subscription; None once the hub is closed."""
        if self.on_listen is not None:
            self.on_listen()
        with self._lock:
            if self._closed:
                return None
            subscription = Subscription(self.queue_size)
            self._subscribers.add(subscription)
            if self._tick is not None and self._ticker is None:
                self._ticker = threading.Thread(
                    target=self._run_ticker, name="mock-efidem events", daemon=True
                )
                self._ticker.start()
            return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(subscription)
        subscription.end()

    def close(self) -> None:
        """The server stops: every subscription ends now, and no new one starts."""
        with self._lock:
            self._closed = True
            ending, self._subscribers = self._subscribers, set()
        for subscription in ending:
            subscription.end()

    def publish(self, name: str, data: Mapping[str, Any]) -> None:
        with self._lock:
            if not self._subscribers:
                return
            event = Event(next(self._ids), name, data)
            overflowed = [s for s in self._subscribers if not s.put(event)]
            self._subscribers.difference_update(overflowed)

    # --- the sources' seams: each builds its event only if someone listens --------

    def _heard(self) -> bool:
        """Someone may hear an event: a listener here, or anywhere beyond the outlet."""
        return bool(self._subscribers) or self.outlet is not None

    def _emit(self, name: str, data: Mapping[str, Any]) -> None:
        (self.outlet or self.publish)(name, data)

    def message_changed(self, message: Message, change: Change) -> None:
        if self._heard():
            self._emit(
                MESSAGE,
                {
                    "id": message.id,
                    "channel": message.channel.value,
                    "account": message.account,
                    "change": change.value,
                },
            )

    def call_recorded(self, entry: JournalEntry) -> None:
        if self._heard():
            self._emit(CALL, call_data(entry))

    def reset(self, account: str | None) -> None:
        self._emit(RESET, {"account": account})

    def clock_changed(self, clock: Clock) -> None:
        if self._heard():
            self._emit(CLOCK, {"now": clock.now().isoformat(), "frozen": clock.frozen})

    # --- the ticker ----------------------------------------------------------------

    def _run_ticker(self) -> None:
        assert self._tick is not None
        while self._still_needed():
            try:
                self._tick()
            except StoreUnavailable as error:  # it says what and where: no traceback
                logger.warning("firing the statuses due: %s", error)
                time.sleep(1.0)
            except Exception:  # the next tick may do better; a dead thread never would
                logger.exception("firing the statuses due failed")
                time.sleep(1.0)

    def _still_needed(self) -> bool:
        with self._lock:
            if self._subscribers and not self._closed:
                return True
            self._ticker = None
            return False
