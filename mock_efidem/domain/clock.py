"""The mock's notion of "now": real time by default, advanced or frozen by tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class Clock:
    """``start`` sets the current time; ``frozen`` stops it there until advanced."""

    def __init__(
        self,
        start: datetime | None = None,
        frozen: bool = False,
        on_change: Callable[[Clock], None] | None = None,
    ) -> None:
        """``on_change`` hears every advance, freeze and unfreeze (the live events)."""
        self.on_change = on_change
        self._lock = threading.Lock()
        self._offset = start - datetime.now(UTC) if start else timedelta()
        self._frozen_at: datetime | None = None
        if frozen:
            self._frozen_at = start or datetime.now(UTC)

    def now(self) -> datetime:
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return datetime.now(UTC) + self._offset

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def advance(self, seconds: float) -> datetime:
        """Raises OverflowError, the clock unchanged, past the year 9999."""
        self._advance(seconds)
        return self._changed()

    def freeze(self) -> datetime:
        self._freeze()
        return self._changed()

    def unfreeze(self) -> datetime:
        self._unfreeze()
        return self._changed()

    # The changes themselves, unannounced (a shared clock announces each once it is
    # shared).

    def _advance(self, seconds: float) -> None:
        with self._lock:
            step = timedelta(seconds=seconds)
            current = self._frozen_at or datetime.now(UTC) + self._offset
            if current + step > datetime.max.replace(tzinfo=UTC) - timedelta(days=366):
                raise OverflowError("the clock cannot go past the year 9999")
            if self._frozen_at is not None:
                self._frozen_at += step
            else:
                self._offset += step

    def _freeze(self) -> None:
        moment = self.now()
        with self._lock:
            self._frozen_at = moment

    def _unfreeze(self) -> None:
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - datetime.now(UTC)
                self._frozen_at = None

    def state(self) -> tuple[timedelta, datetime | None]:
        """(offset from real time, the moment it is frozen at or None)."""
        with self._lock:
            return self._offset, self._frozen_at

    def restore(self, offset: timedelta, frozen_at: datetime | None) -> None:
        """Take a state ``state`` gave (another process's): no change is announced."""
        with self._lock:
            self._offset, self._frozen_at = offset, frozen_at

    def _changed(self) -> datetime:
        if self.on_change is not None:
            self.on_change(self)
        return self.now()
