"""Where long polls wait: a bounded room that lends the server a thread per waiter.

The server answers calls with a fixed pool of worker threads, and a long poll
(``?wait=``) sleeps inside one until a message matches. Eight waiting tests would take
all eight workers, and the sends they wait for would queue behind them. So each long
poll, while it waits, adds a thread to the pool (``on_change``): waiting takes no
worker from the calls. The room holds at most ``capacity`` waiters; one more is told
to come back (HTTP 503), so that threads stay bounded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

DEFAULT_CAPACITY = 64


class WaitingRoom:
    def __init__(
        self, capacity: int = DEFAULT_CAPACITY, on_change: Callable[[int], None] | None = None
    ) -> None:
        """``on_change(waiting)`` is told how many wait after each arrival or departure."""
        self.capacity = capacity
        self.on_change = on_change
        self.waiting = 0
        self._lock = threading.Lock()

    @contextmanager
    def seat(self) -> Iterator[bool]:
        """True while seated; False (nothing held) when the room is full."""
        with self._lock:
            if self.waiting >= self.capacity:
                seated = False
            else:
                seated = True
                self._count(+1)
        try:
            yield seated
        finally:
            if seated:
                with self._lock:
                    self._count(-1)

    def _count(self, change: int) -> None:
        self.waiting += change
        if self.on_change is not None:
            self.on_change(self.waiting)
