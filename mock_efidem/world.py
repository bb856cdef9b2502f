"""Everything one mock instance holds: the scenario, the Efidem backend, the DQE
configuration, the call rules' counters and the request journal.

Like moto's backends, a reset re-runs the constructor from the current scenario, so
the start state is exactly what a fresh instance has.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from importlib import resources
from pathlib import Path

from mock_efidem.domain.backend import EfidemBackend
from mock_efidem.domain.clock import Clock
from mock_efidem.domain.lifecycle import LifecycleSettings
from mock_efidem.journal import Journal
from mock_efidem.scenario.loader import load_file, load_text
from mock_efidem.scenario.model import CallFacts, ResponseRule, RuleState, Scenario
from mock_efidem.settings import Settings

DEFAULT_SCENARIO = "default.yaml"


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


class World:
    def __init__(self, settings: Settings, scenario: Scenario | None = None) -> None:
        self.settings = settings
        self.journal = Journal()
        self._lock = threading.Lock()
        self.scenario = scenario if scenario is not None else scenario_of(settings)
        self._start()

    @property
    def seed(self) -> int | None:
        """The command line's seed wins over the scenario's."""
        return self.settings.seed if self.settings.seed is not None else self.scenario.seed

    def _start(self) -> None:
        scenario = self.scenario
        self.backend = EfidemBackend(
            accounts=scenario.accounts,
            forbidden_sequences=scenario.forbidden_sequences,
            seed=self.seed,
            clock=Clock(start=scenario.clock_start, frozen=scenario.clock_frozen),
            outcome_rules=scenario.outcome_rules,
            lifecycle=LifecycleSettings(**vars(scenario.lifecycle)),
            open_accounts=scenario.open_accounts,
            max_messages=self.settings.max_messages,
        )
        self.dqe_config = scenario.dqe
        # The rules draw from the effective seed: the command line's wins.
        self.rules = RuleState(replace(scenario, seed=self.seed))

    def forced_response(self, facts: CallFacts) -> ResponseRule | None:
        """The first of the scenario's forced responses that applies to this call."""
        return next((r for r in self.scenario.responses if self.rules.applies(r, facts)), None)

    def load(self, scenario: Scenario) -> None:
        """Replace the scenario: the world restarts from it (the journal is kept)."""
        with self._lock:
            self.scenario = scenario
            self._start()

    def reset(self, account: str | None = None) -> None:
        with self._lock:
            if account is None:
                self._start()
                self.journal.clear()
                return
            self.backend.store.clear(account)
            self.backend.accounts.forget_console_users(account)
            self.journal.clear(account)
