"""The mock's notion of "now"."""

from __future__ import annotations

from datetime import UTC, datetime


class Clock:
    """Real time; the lifecycle work adds advancing and freezing."""

    def now(self) -> datetime:
        return datetime.now(UTC)
