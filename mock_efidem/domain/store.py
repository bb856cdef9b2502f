"""The in-memory message store, thread-safe, partitioned by account."""

from __future__ import annotations

import threading
from collections.abc import Callable

from mock_efidem.domain.models import Message

MessageFilter = Callable[[Message], bool]


class MessageStore:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._by_account: dict[str, dict[str, Message]] = {}
        self._by_id: dict[str, Message] = {}
        self._order: dict[str, int] = {}
        """Arrival order: on a frozen clock many messages share one instant."""

    def add(self, message: Message) -> None:
        with self._lock:
            self._by_account.setdefault(message.account, {})[message.id] = message
            self._by_id[message.id] = message
            self._order[message.id] = len(self._order)
            self._changed.notify_all()

    def touch(self) -> None:
        """Wake the waiters: a message changed."""
        with self._lock:
            self._changed.notify_all()

    def wait_for_change(self, timeout: float) -> None:
        with self._lock:
            self._changed.wait(timeout)

    def find(self, message_id: str) -> Message | None:
        with self._lock:
            return self._by_id.get(message_id.strip().lower())

    def get(self, account: str, message_id: str) -> Message | None:
        with self._lock:
            return self._by_account.get(account, {}).get(message_id.strip().lower())

    def messages(self, account: str | None = None) -> list[Message]:
        """Every message (of one account, or all), newest first."""
        with self._lock:
            if account is None:
                found = [m for msgs in self._by_account.values() for m in msgs.values()]
            else:
                found = list(self._by_account.get(account, {}).values())
            order = self._order
            return sorted(found, key=lambda m: (m.created_at, order[m.id]), reverse=True)

    def clear(self, account: str | None = None) -> None:
        with self._lock:
            if account is None:
                self._by_account.clear()
                self._by_id.clear()
                self._order.clear()
            else:
                for message_id in self._by_account.pop(account, {}):
                    del self._by_id[message_id]
                    del self._order[message_id]

    def __len__(self) -> int:
        with self._lock:
            return sum(len(msgs) for msgs in self._by_account.values())
