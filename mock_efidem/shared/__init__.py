"""The world in Redis: what several workers and replicas share (``--store redis://``).

``Shared`` makes every shared part of one mock's world on one connection pool; the
world (``mock_efidem.world``) builds on them as it builds on its own otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from mock_efidem.domain.clock import Clock
from mock_efidem.events import EventHub
from mock_efidem.scenario.loader import load_text
from mock_efidem.scenario.model import Scenario
from mock_efidem.settings import Settings
from mock_efidem.shared.connection import Keys, connect, describe
from mock_efidem.shared.events import EventRelay
from mock_efidem.shared.journal import RedisJournal
from mock_efidem.shared.store import RedisStore
from mock_efidem.shared.world import (
    SharedAccounts,
    SharedClock,
    SharedCounters,
    SharedWorld,
    scenario_text,
)

if TYPE_CHECKING:
    from mock_efidem.world import World


class Shared:
    def __init__(self, settings: Settings) -> None:
        self.url, self.prefix = settings.store, settings.store_prefix
        self.client = connect(self.url)
        self.world = SharedWorld(self.client, self.url, self.prefix)

    @property
    def address(self) -> str:
        """Where the store is, without a password."""
        return describe(self.url)

    def start(self, scenario: Scenario) -> bool:
        """Start the shared world from ``scenario`` unless it has one (False: adopted)."""
        return self.world.start(scenario_text(scenario), *_start_state(scenario))

    def restart(self, scenario: Scenario) -> int:
        """Start the shared world again from ``scenario``; its generation then."""
        return self.world.restart(
            scenario_text(scenario), *_start_state(scenario), scenario.accounts
        )

    def scenario(self) -> Scenario:
        """The scenario every process runs (checked when it was first loaded)."""
        stored = self.world.scenario()
        return load_text(stored.text, stored.name, check_schema=False, source=stored.source)

    def relay_events(self, hub: EventHub) -> None:
        """``hub``'s sources publish to Redis, and its listeners hear every process's
        events (the store's and the journal's scripts publish theirs themselves)."""
        relay = EventRelay(self.client, self.url, self.prefix, hub)
        hub.outlet, hub.on_listen = relay.publish, relay.listen

    def journal(self, settings: Settings) -> RedisJournal:
        return RedisJournal(
            self.client,
            Keys(self.prefix).prefix,
            settings.journal_size,
            settings.journal_bytes,
            settings.journal_body_limit,
            url=self.url,
        )

    def clock(
        self, start: datetime | None, frozen: bool, on_change: Callable[[Clock], None]
    ) -> SharedClock:
        return SharedClock(self.world, start, frozen, on_change=on_change)

    def store(self, world: World) -> RedisStore:
        return RedisStore(
            self.client,
            self.url,
            self.prefix,
            seed=world.seed,
            max_messages=world.settings.max_messages,
        )

    def accounts(self, scenario: Scenario) -> SharedAccounts:
        return SharedAccounts(self.world, scenario.accounts, scenario.open_accounts)

    def counters(self) -> SharedCounters:
        return SharedCounters(self.world)


def _start_state(scenario: Scenario) -> tuple[Clock, str, int]:
    """The clock and the lifecycle's mode a scenario starts with."""
    lifecycle = scenario.lifecycle
    return (
        Clock(scenario.clock_start, scenario.clock_frozen),
        lifecycle.mode,
        lifecycle.polls_per_step,
    )
