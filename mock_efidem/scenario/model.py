"""A loaded scenario, as plain data, and the per-call rules it carries.

Call rules (forced responses and faults) select calls by operation, channel,
account and field values, then by count (``after``, ``every``, ``times``) and by a
seeded ``probability``; their counters live in a ``RuleState`` that a reset renews,
so the same scenario and seed replay the same way.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mock_efidem.domain.accounts import DEMO_ACCOUNT, Account
from mock_efidem.domain.lifecycle import LifecycleSettings
from mock_efidem.domain.matching import Matcher
from mock_efidem.domain.outcomes import DEFAULT_OUTCOME_RULES, OutcomeRule
from mock_efidem.domain.validation import DEFAULT_FORBIDDEN_SEQUENCES
from mock_efidem.dqe.config import DEFAULT_DQE_CONFIG, DqeConfig


@dataclass(frozen=True)
class CallFacts:
    """What a rule may look at in one incoming call."""

    protocol: str
    operation: str
    account: str
    channel: str | None = None
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Wire field name -> every value it has in the call (array items included)."""


@dataclass(frozen=True)
class Selection:
    protocol: str | None = None
    operation: Matcher | None = None
    channels: frozenset[str] | None = None
    account: Matcher | None = None
    when: tuple[tuple[str, Matcher], ...] = ()
    after: int = 0
    every: int = 1
    times: int | None = None
    probability: float = 1.0

    def matches(self, facts: CallFacts) -> bool:
        return (
            (self.protocol is None or facts.protocol == self.protocol)
            and (self.operation is None or self.operation.matches(facts.operation))
            and (self.channels is None or facts.channel in self.channels)
            and (self.account is None or self.account.matches(facts.account))
            and all(m.matches_any(facts.values.get(name, ())) for name, m in self.when)
        )


@dataclass(frozen=True)
class SoapFault:
    code: str = "Server"
    message: str = "simulated fault"


@dataclass(frozen=True)
class ResponseRule:
    """Answer matching calls with a code, a result or a SOAP fault."""

    selection: Selection
    code: int | None = None
    result: Any = None
    fault: SoapFault | None = None
    allow_undocumented: bool = False
    """The scenario forces a ``code`` outside the operation's error table on purpose."""
    origin: str = field(default="", compare=False)
    """Where the rule was written (``"file.yaml:14"``), for messages; not what it does."""


@dataclass(frozen=True)
class Latency:
    kind: str = "fixed"
    parameters: tuple[float, ...] = (0.0,)

    def sample(self, draw: random.Random) -> float:
        if self.kind == "uniform":
            return draw.uniform(*self.parameters)
        if self.kind == "normal":
            return max(0.0, draw.gauss(*self.parameters))
        if self.kind == "exponential":
            mean = self.parameters[0]
            return draw.expovariate(1 / mean) if mean > 0 else 0.0
        return self.parameters[0]


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: str = ""
    content_type: str = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class FaultRule:
    """Transport trouble for matching calls; latency combines with the others."""

    selection: Selection
    latency: Latency | None = None
    http: HttpAnswer | None = None
    soap_fault: SoapFault | None = None
    reset: bool = False
    empty: bool = False
    truncate: bool = False
    origin: str = field(default="", compare=False)
    """Where the rule was written (``"file.yaml:14"``), for messages; not what it does."""


@dataclass(frozen=True)
class Scenario:
    name: str = "built-in default"
    seed: int | None = None
    accounts: tuple[Account, ...] = (DEMO_ACCOUNT,)
    open_accounts: bool = False
    forbidden_sequences: tuple[str, ...] = DEFAULT_FORBIDDEN_SEQUENCES
    clock_frozen: bool = False
    clock_start: datetime | None = None
    lifecycle: LifecycleSettings = field(default_factory=LifecycleSettings)
    outcome_rules: tuple[OutcomeRule, ...] = DEFAULT_OUTCOME_RULES
    responses: tuple[ResponseRule, ...] = ()
    faults: tuple[FaultRule, ...] = ()
    dqe: DqeConfig = DEFAULT_DQE_CONFIG


class RuleState:
    """Counters and seeded draws of a scenario's call rules, for one run."""

    def __init__(self, scenario: Scenario) -> None:
        self._lock = threading.Lock()
        self._seed = scenario.seed
        self._seen: dict[int, int] = {}
        self._applied: dict[int, int] = {}
        rules = (*scenario.responses, *scenario.faults)
        self._draws = {
            id(rule): random.Random(f"{scenario.seed}:{index}") for index, rule in enumerate(rules)
        }

    def draw(self, rule: ResponseRule | FaultRule) -> random.Random:
        return self._draws[id(rule)]

    def add(self, rule: object, name: str) -> None:
        """A rule added at run time draws from a sequence of its own (by its name)."""
        with self._lock:
            self._draws[id(rule)] = random.Random(f"{self._seed}:{name}")

    def forget(self, rule: object) -> None:
        """A removed rule's counters go with it (its id may be reused by another)."""
        with self._lock:
            for table in (self._draws, self._seen, self._applied):
                table.pop(id(rule), None)

    def applies(self, rule: ResponseRule | FaultRule, facts: CallFacts) -> bool:
        """Whether ``rule`` applies to this call; counts the call if it matches."""
        selection = rule.selection
        if not selection.matches(facts):
            return False
        key = id(rule)
        with self._lock:
            seen = self._seen[key] = self._seen.get(key, 0) + 1
            if seen <= selection.after or (seen - selection.after) % selection.every:
                return False
            if selection.times is not None and self._applied.get(key, 0) >= selection.times:
                return False
            if selection.probability < 1 and self._draws[key].random() >= selection.probability:
                return False
            self._applied[key] = self._applied.get(key, 0) + 1
            return True
