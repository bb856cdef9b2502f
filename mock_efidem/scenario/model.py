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
    text: str = field(default="", repr=False, compare=False)
    """The YAML it was loaded from (a shared store hands it to every process)."""
    source: str = field(default="", compare=False)
    """What its rules' ``origin`` names (a file name), as given to the loader."""


class RuleCounters:
    """How often each call rule matched (``seen``) and applied, by the rule's name; this
    process's own. ``mock_efidem.shared.world.SharedCounters`` counts for every process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, int] = {}
        self._applied: dict[str, int] = {}

    def seen(self, name: str) -> int:
        """Count a match; how many there have been."""
        with self._lock:
            seen = self._seen[name] = self._seen.get(name, 0) + 1
            return seen

    def claim(self, name: str, times: int | None) -> bool:
        """Count an application, unless ``times`` of them have been counted already."""
        with self._lock:
            applied = self._applied.get(name, 0)
            if times is not None and applied >= times:
                return False
            self._applied[name] = applied + 1
            return True

    def forget(self, name: str) -> None:
        with self._lock:
            self._seen.pop(name, None)
            self._applied.pop(name, None)


class RuleState:
    """Counters and seeded draws of a scenario's call rules, for one run."""

    def __init__(self, scenario: Scenario, counters: RuleCounters | None = None) -> None:
        self._lock = threading.Lock()
        self._seed = scenario.seed
        self.counters = counters or RuleCounters()
        rules = (*scenario.responses, *scenario.faults)
        self._names = {id(rule): f"s{index}" for index, rule in enumerate(rules)}
        self._draws = {
            id(rule): random.Random(f"{scenario.seed}:{index}") for index, rule in enumerate(rules)
        }

    def draw(self, rule: ResponseRule | FaultRule) -> random.Random:
        return self._draws[id(rule)]

    def add(self, rule: object, name: str) -> None:
        """A rule added at run time draws from a sequence of its own (by its name)."""
        with self._lock:
            self._names[id(rule)] = name
            self._draws[id(rule)] = random.Random(f"{self._seed}:{name}")

    def forget(self, rule: object) -> None:
        """A removed rule's counters go with it (its id may be reused by another)."""
        with self._lock:
            name = self._names.pop(id(rule), None)
            self._draws.pop(id(rule), None)
        if name is not None:
            self.counters.forget(name)

    def applies(self, rule: ResponseRule | FaultRule, facts: CallFacts) -> bool:
        """Whether ``rule`` applies to this call; counts the call if it matches."""
        selection = rule.selection
        if not selection.matches(facts):
            return False
        name = self._names[id(rule)]
        seen = self.counters.seen(name)
        if seen <= selection.after or (seen - selection.after) % selection.every:
            return False
        if selection.probability < 1:
            with self._lock:
                if self._draws[id(rule)].random() >= selection.probability:
                    return False
        return self.counters.claim(name, selection.times)
