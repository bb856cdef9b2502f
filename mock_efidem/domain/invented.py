"""Data the mock makes up (letter tracking details), seeded through faker.

The same seed and the same calls give the same data. Faker is built on first use:
it costs tens of milliseconds, and a reset must stay cheap.
"""

from __future__ import annotations

import threading
from typing import Any

LOCALE = "fr_FR"


class Inventor:
    def __init__(self, seed: int | None) -> None:
        self._seed = seed
        self._faker: Any = None
        self._lock = threading.Lock()

    def _fake(self) -> Any:
        if self._faker is None:
            from faker import Faker

            self._faker = Faker(LOCALE)
            self._faker.seed_instance(self._seed)
        return self._faker

    def letter_tracking(self) -> dict[str, str]:
        with self._lock:
            fake = self._fake()
            return {
                "carrier": "La Poste",
                "number": fake.numerify("1A###########"),
                "print_centre": f"Centre d'impression de {fake.city()}",
            }
