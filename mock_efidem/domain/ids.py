"""Message ids: "simplified GUIDs", 32 lowercase hexadecimal characters."""

from __future__ import annotations

import random
import threading


class IdFactory:
    """Unique ids; seeded, the same seed gives the same sequence."""

    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed)
        self._issued: set[str] = set()
        self._lock = threading.Lock()

    def new_id(self) -> str:
        with self._lock:
            while True:
                candidate = f"{self._random.getrandbits(128):032x}"
                if candidate not in self._issued:
                    self._issued.add(candidate)
                    return candidate
