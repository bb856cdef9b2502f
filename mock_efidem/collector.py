"""Keeping Python's full garbage collections short while the store grows.

A full collection walks every object the collector tracks, and each stored message is
several: with 100,000 messages a full collection stalls every thread for a tenth of a
second, with a million for seconds. Messages hold no reference cycles (refcounting
frees an evicted one), so once stored they need not be walked again: after a
collection of the middle or old generation, when the store has grown by
``FREEZE_STEP`` messages since the last freeze, the survivors are frozen
(``gc.freeze``) and later collections skip them. What a call in flight holds is frozen
with them; what of it is cyclic garbage is then never collected, a few kilobytes per
freeze, that is bytes per stored message. When
the store shrinks to half (a reset, a scenario load), everything is unfrozen, so that
garbage frozen by mistake is collected at the next full collection.

A process-wide policy: ``mock-efidem serve`` installs it; a mock started inside a
user's test process leaves their collector alone.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

FREEZE_STEP = 2_000


class FreezeOldMessages:
    """A ``gc.callbacks`` entry; ``stored`` counts the messages stored now."""

    def __init__(self, stored: Callable[[], int]) -> None:
        self.stored = stored
        self.frozen_at = 0
        """Messages stored at the last freeze."""

    def install(self) -> None:
        gc.freeze()  # what start-up made lives as long as the process
        gc.callbacks.append(self)

    def uninstall(self) -> None:
        if self in gc.callbacks:
            gc.callbacks.remove(self)

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        # After a middle-generation collection too: left to reach the old generation,
        # new messages would make each full collection walk a quarter of the store.
        if phase != "stop" or info.get("generation", 0) < 1:
            return
        stored = self.stored()
        if stored >= self.frozen_at + FREEZE_STEP:
            gc.freeze()
            self.frozen_at = stored
        elif stored < self.frozen_at // 2:
            gc.unfreeze()
            self.frozen_at = 0
