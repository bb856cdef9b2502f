"""Message ids: "simplified GUIDs", 32 lowercase hexadecimal characters."""

from __future__ import annotations

import hashlib
import secrets
import threading


def seeded_id(seed: int, number: int) -> str:
    """The ``number``-th id (from 1) of a seeded run: the same in every store, so that a
    seed gives the same ids on Redis (whose script computes it too) as in memory."""
    return hashlib.sha1(f"{seed}:{number}".encode()).hexdigest()[:32]


class IdFactory:
    """Unique ids; seeded, the same seed gives the same sequence."""

    def __init__(self, seed: int | None = None) -> None:
        self._seed = seed
        self._issued: set[str] = set()
        self._count = 0
        self._lock = threading.Lock()

    def new_id(self) -> str:
        with self._lock:
            while True:
                self._count += 1
                if self._seed is None:
                    candidate = secrets.token_hex(16)
                else:
                    candidate = seeded_id(self._seed, self._count)
                if candidate not in self._issued:
                    self._issued.add(candidate)
                    return candidate
