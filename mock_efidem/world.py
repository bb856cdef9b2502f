"""Everything one mock instance holds: the Efidem backend and the request journal.

Like moto's backends, a reset re-runs the constructor, so the start state is
exactly what a fresh instance has.
"""

from __future__ import annotations

from mock_efidem.domain.backend import EfidemBackend
from mock_efidem.journal import Journal
from mock_efidem.settings import Settings


class World:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.journal = Journal()
        self.backend = self._new_backend()

    def _new_backend(self) -> EfidemBackend:
        return EfidemBackend(seed=self.settings.seed)

    def reset(self, account: str | None = None) -> None:
        if account is None:
            self.backend = self._new_backend()
            self.journal.clear()
            return
        self.backend.store.clear(account)
        self.backend.accounts.forget_console_users(account)
        self.journal.clear(account)
