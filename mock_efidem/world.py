"""Everything one mock instance holds: the scenario, the rules added at run time,
the Efidem backend, the DQE configuration, the call rules' counters, the request
journal and the hub of live events.

Like moto's backends, a reset re-runs the constructor from the current scenario, so
the start state is exactly what a fresh instance has: added rules are gone too.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mock_efidem.domain.accounts import AccountRegistry
from mock_efidem.domain.backend import EfidemBackend
from mock_efidem.domain.clock import Clock
from mock_efidem.domain.lifecycle import LifecycleSettings
from mock_efidem.domain.outcomes import OutcomeRule
from mock_efidem.domain.store import Store, StoreUnavailable
from mock_efidem.events import EventHub
from mock_efidem.journal import Journal, JournalLike
from mock_efidem.scenario.loader import load_file, load_rule, load_text
from mock_efidem.scenario.model import (
    CallFacts,
    FaultRule,
    ResponseRule,
    RuleCounters,
    RuleState,
    Scenario,
)
from mock_efidem.settings import Settings

if TYPE_CHECKING:
    from mock_efidem.shared import Shared

DEFAULT_SCENARIO = "default.yaml"
TICK_SECONDS = 1.0
"""While anyone listens for events, statuses due are fired at least this often."""

AnyRule = ResponseRule | FaultRule | OutcomeRule

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlacedRule:
    """A rule where it applies: the scenario's (``responses/0``) or added (``r1``)."""

    id: str
    section: str
    rule: AnyRule
    document: object = None
    """As posted, for an added rule."""

    @property
    def added(self) -> bool:
        return self.document is not None

    def summary(self) -> dict[str, object]:
        origin = getattr(self.rule, "origin", "") or ("added at run time" if self.added else "")
        return {"section": self.section, "rule": self.id, "origin": origin}


def shipped_scenario_text(name: str) -> str:
    """One of the scenarios shipped in ``scenarios/`` (packaged as mock_efidem.scenarios)."""
    return resources.files("mock_efidem.scenarios").joinpath(name).read_text("utf-8")


def shipped_scenario(name: str) -> Scenario:
    """A shipped scenario; tests/scenarios checks each against the schema, so loading
    it skips that check (and jsonschema's import, at start-up)."""
    return load_text(shipped_scenario_text(name), Path(name).stem, check_schema=False)


def scenario_of(settings: Settings) -> Scenario:
    if settings.scenario is not None:
        return load_file(settings.scenario)
    return shipped_scenario(DEFAULT_SCENARIO)


class WorldParts(Protocol):
    """What a world is built of beyond its scenario: this process's own (``OwnParts``)
    or a shared store's (``mock_efidem.shared.Shared``)."""

    def clock(
        self, start: datetime | None, frozen: bool, on_change: Callable[[Clock], None]
    ) -> Clock: ...
    def store(self, world: World) -> Store | None: ...
    def accounts(self, scenario: Scenario) -> AccountRegistry | None: ...
    def counters(self) -> RuleCounters | None: ...


class OwnParts:
    """This process's own: the backend's own store and accounts (None: it makes them,
    the store sharing its lock), the rule state's own counters."""

    def clock(
        self, start: datetime | None, frozen: bool, on_change: Callable[[Clock], None]
    ) -> Clock:
        return Clock(start, frozen, on_change=on_change)

    def store(self, world: World) -> Store | None:
        return None

    def accounts(self, scenario: Scenario) -> AccountRegistry | None:
        return None

    def counters(self) -> RuleCounters | None:
        return None


OWN_PARTS: WorldParts = OwnParts()


class World:
    def __init__(self, settings: Settings, scenario: Scenario | None = None) -> None:
        """With a shared store (``settings.store``), a world already in it is adopted
        (its scenario, rules and clock, not ``scenario``): a restart picks up where the
        mock was; else ``scenario`` starts it for every process."""
        self.settings = settings
        self.events = EventHub(tick=lambda: self.backend.watch_due(TICK_SECONDS))
        self._lock = threading.Lock()
        self._added_ids = itertools.count(1)
        self.scenario = scenario if scenario is not None else scenario_of(settings)
        self.shared = _open_shared(settings)
        if self.shared is not None:
            # Every process's events reach every process's listeners through Redis.
            self.shared.relay_events(self.events)
        self.journal: JournalLike = (
            self.shared.journal(settings)
            if self.shared is not None
            else Journal(
                settings.journal_size,
                settings.journal_bytes,
                settings.journal_body_limit,
                on_record=self.events.call_recorded,
            )
        )
        self._generation = 0
        self._start()
        if self.shared is not None:
            self._join_shared_world()

    def _join_shared_world(self) -> None:
        """Start the shared world from this scenario, or adopt the one already there
        (saying so when it is another); with Redis not up yet, the first call that
        finds it up does this (until then calls are told the store is unreachable)."""
        assert self.shared is not None
        given = self.scenario.name
        try:
            started = self.shared.start(self.scenario)
            self.sync()
        except StoreUnavailable as error:
            logger.warning("%s; the world starts when it answers", error)
            return
        if not started and self.scenario.name != given:
            logger.warning(
                "the store (%s, prefix %r) holds a world already: its scenario %r is "
                "served, not %r (POST /_mock/scenario loads another)",
                self.shared.address,
                self.settings.store_prefix,
                self.scenario.name,
                given,
            )

    def sync(self) -> None:
        """Take the shared world as it is now (each call starts with it): its clock and
        mode, and its scenario and rules if another process changed them. Raises
        StoreUnavailable when the store is unreachable."""
        if self.shared is None:
            return
        snapshot = self.shared.world.snapshot()
        if snapshot is None:  # the Redis was emptied under us: start it again
            self.shared.start(self.scenario)
            snapshot = self.shared.world.snapshot()
            assert snapshot is not None
        with self._lock:
            if snapshot.generation != self._generation:
                self.scenario = self.shared.scenario()
                self._start()
                self._adopt_added_rules()
                self._generation = snapshot.generation
        self.backend.clock.restore(snapshot.offset, snapshot.frozen_at)
        self.backend.lifecycle.settings.mode = snapshot.mode
        self.backend.lifecycle.settings.polls_per_step = snapshot.polls_per_step

    @property
    def seed(self) -> int | None:
        """The command line's seed wins over the scenario's."""
        return self.settings.seed if self.settings.seed is not None else self.scenario.seed

    def _start(self) -> None:
        scenario, parts = self.scenario, self.shared or OWN_PARTS
        self.backend = EfidemBackend(
            accounts=scenario.accounts,
            forbidden_sequences=scenario.forbidden_sequences,
            seed=self.seed,
            clock=parts.clock(
                scenario.clock_start, scenario.clock_frozen, on_change=self.events.clock_changed
            ),
            outcome_rules=scenario.outcome_rules,
            lifecycle=LifecycleSettings(**vars(scenario.lifecycle)),
            open_accounts=scenario.open_accounts,
            max_messages=self.settings.max_messages,
            on_change=self.events.message_changed,
            store=parts.store(self),
            account_registry=parts.accounts(scenario),
        )
        self.dqe_config = scenario.dqe
        # The rules draw from the effective seed: the command line's wins.
        self.rules = RuleState(replace(scenario, seed=self.seed), parts.counters())
        self._added: list[PlacedRule] = []
        self._place_rules()

    def _adopt_added_rules(self) -> None:
        """The rules another process added to the shared world, in this one too."""
        assert self.shared is not None
        for added in self.shared.world.added_rules():
            rule = load_rule(added.section, added.document, "added at run time")
            self._added.append(PlacedRule(added.id, added.section, rule, added.document))
            self.rules.add(rule, added.id)
        self._place_rules()

    def _place_rules(self) -> None:
        """Every rule in the order it applies: added ones (newest first), then the
        scenario's; the sections' tuples are what each call reads."""
        scenario = self.scenario
        sections: tuple[tuple[str, tuple[AnyRule, ...]], ...] = (
            ("responses", scenario.responses),
            ("faults", scenario.faults),
            ("outcomes", scenario.outcome_rules),
        )
        written = [
            PlacedRule(f"{section}/{index}", section, rule)
            for section, rules in sections
            for index, rule in enumerate(rules)
        ]
        self.placed = [*reversed(self._added), *written]
        self._by_rule = {id(p.rule): p for p in self.placed}
        self.responses = tuple(_rules_of(self.placed, "responses", ResponseRule))
        self.faults = tuple(_rules_of(self.placed, "faults", FaultRule))
        self.backend.lifecycle.rules = tuple(_rules_of(self.placed, "outcomes", OutcomeRule))

    def forced_response(self, facts: CallFacts) -> ResponseRule | None:
        """The first forced response (added, then the scenario's) that applies to this call."""
        return next((r for r in self.responses if self.rules.applies(r, facts)), None)

    def rule_summary(self, rule: AnyRule) -> dict[str, object]:
        placed = self._by_rule.get(id(rule))
        return placed.summary() if placed is not None else {"section": "?", "rule": "?"}

    def add_rule(self, section: str, rule: AnyRule, document: object) -> PlacedRule:
        with self._lock:
            if self.shared is not None:
                rule_id, generation = self.shared.world.add_rule(section, document)
                self._caught_up(generation)
            else:
                rule_id = f"r{next(self._added_ids)}"
            placed = PlacedRule(rule_id, section, rule, document)
            self.rules.add(rule, placed.id)
            self._added.append(placed)
            self._place_rules()
            return placed

    def remove_rule(self, rule_id: str) -> bool:
        with self._lock:
            removed = [p for p in self._added if p.id == rule_id]
            if not removed:
                return False
            if self.shared is not None:
                self._caught_up(self.shared.world.remove_rule(rule_id))
            self._added.remove(removed[0])
            self.rules.forget(removed[0].rule)
            self._place_rules()
            return True

    def load(self, scenario: Scenario) -> None:
        """Replace the scenario: the world restarts from it (the journal is kept)."""
        with self._lock:
            self.scenario = scenario
            self._restart()
        self.events.reset(None)

    def reload(self, scenario: Scenario) -> bool:
        """``load`` for ``--watch``: with several workers each one watches the file, and
        the first to see an edit loads it for all (the others' loads would each empty
        the world again). True if this process loaded it."""
        if self.shared is not None and not self.shared.world.claim_load(scenario.text):
            return False
        self.load(scenario)
        return True

    def _restart(self) -> None:
        """The start state of the scenario, for every process."""
        if self.shared is not None:
            self.backend.store.clear()
            self._generation = self.shared.restart(self.scenario)
        self._start()

    def _caught_up(self, generation: int) -> None:
        """This process made the change that brought the shared world to ``generation``:
        no need to rebuild from it, unless another change came between."""
        if generation == self._generation + 1:
            self._generation = generation

    def set_mode(self, mode: str, polls_per_step: int | None = None) -> None:
        """The lifecycle's mode (time or polls), for every process."""
        settings = self.backend.lifecycle.settings
        if polls_per_step is not None:
            settings.polls_per_step = polls_per_step
        settings.mode = mode
        if self.shared is not None:
            self.shared.world.set_mode(mode, settings.polls_per_step)

    def reset(self, account: str | None = None) -> None:
        with self._lock:
            if account is None:
                self._restart()
                self.journal.clear()
            else:
                self.backend.store.clear(account)
                self.backend.accounts.forget_console_users(account)
                self.journal.clear(account)
        self.events.reset(account)


def _open_shared(settings: Settings) -> Shared | None:
    """The shared store's parts, if the settings name one (redis is imported then)."""
    if not settings.shared:
        return None
    from mock_efidem.shared import Shared

    return Shared(settings)


def _rules_of(placed: list[PlacedRule], section: str, kind: type[AnyRule]) -> list[Any]:
    return [p.rule for p in placed if p.section == section and isinstance(p.rule, kind)]
