"""The rest of the world in Redis: its scenario and the rules added at run time (under
a generation that every change of them bumps), the clock and the lifecycle's mode, the
call rules' counters, open-mode tenants and console users.

Each call starts by reading the small ``world`` hash (``SharedWorld.snapshot``, one
round trip): the clock and mode as they are now, and the generation, so that a worker
rebuilds its scenario and rules when another one changed them. Keys, under the prefix:
``world`` (hash: g, offset, frozen, mode, polls), ``scenario`` (JSON: text, name,
source), ``rules`` (hash: id to JSON), ``rule-ids``, ``rc:NAME:seen|applied``,
``tenants`` (hash: name to JSON), ``console:ACCOUNT`` (hash: user to password).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import redis

from mock_efidem.domain.accounts import Account, AccountRegistry, Credentials
from mock_efidem.domain.clock import Clock
from mock_efidem.scenario.model import RuleCounters, Scenario
from mock_efidem.shared.connection import Keys, guarded, unlink_matching

MICROSECOND = timedelta(microseconds=1)
CLOCK_FIELDS = ("offset", "frozen")


@dataclass(frozen=True)
class Snapshot:
    """The world hash as one call reads it."""

    generation: int
    offset: timedelta
    frozen_at: datetime | None
    mode: str
    polls_per_step: int


@dataclass(frozen=True)
class ScenarioText:
    """A scenario as its YAML, so that every process loads the same one."""

    text: str
    name: str
    source: str


@dataclass(frozen=True)
class AddedRule:
    id: str
    section: str
    document: object


class SharedWorld:
    def __init__(self, client: redis.Redis, url: str, prefix: str) -> None:
        # Any: redis-py's stubs type every reply as bytes | str | None | …
        self.client: Any = client
        self.url = url
        self.key = Keys(prefix)

    # --- the world hash ------------------------------------------------------------

    @guarded
    def snapshot(self) -> Snapshot | None:
        """None when no process has started this world yet (or after a FLUSHALL)."""
        generation, offset, frozen, mode, polls = self.client.hmget(
            self.key("world"), ["g", *CLOCK_FIELDS, "mode", "polls"]
        )
        if generation is None:
            return None
        return Snapshot(
            int(generation),
            *_clock_state(offset, frozen),
            (mode or b"time").decode(),
            int(polls or 1),
        )

    @guarded
    def start(self, scenario: ScenarioText, clock: Clock, mode: str, polls: int) -> bool:
        """Publish a new world, unless one is there already (then False: adopt it)."""
        pipeline: Any
        with self.client.pipeline() as pipeline:
            pipeline.watch(self.key("world"))
            if pipeline.exists(self.key("world")):
                return False
            pipeline.multi()
            self._write_start(pipeline, scenario, clock, mode, polls)
            pipeline.hset(self.key("world"), "g", 1)
            try:
                pipeline.execute()
            except redis.WatchError:
                return False
            return True

    @guarded
    def restart(
        self,
        scenario: ScenarioText,
        clock: Clock,
        mode: str,
        polls: int,
        accounts: Iterable[Account],
    ) -> int:
        """A full reset or a new scenario: every other process rebuilds from it. The
        world's generation then."""
        for pattern in ("rc:*", "console:*"):
            unlink_matching(self.client, self.key(pattern))
        pipeline = self.client.pipeline()
        pipeline.delete(self.key("rules"), self.key("tenants"))
        for account in accounts:
            if account.console_users:
                pipeline.hset(self.key("console", account.name), mapping=account.console_users)
        self._write_start(pipeline, scenario, clock, mode, polls)
        pipeline.hincrby(self.key("world"), "g", 1)  # (not a number read before: atomic)
        return int(pipeline.execute()[-1])

    def _write_start(
        self,
        pipeline: Any,
        scenario: ScenarioText,
        clock: Clock,
        mode: str,
        polls: int,
    ) -> None:
        pipeline.set(self.key("scenario"), json.dumps(vars(scenario)))
        pipeline.hset(
            self.key("world"), mapping={**_clock_fields(clock), "mode": mode, "polls": polls}
        )

    @guarded
    def claim_load(self, text: str) -> bool:
        """The right to load this scenario text, for the next 10 s: one process of the
        mock gets it, however many watch the same file."""
        digest = hashlib.sha1(text.encode()).hexdigest()
        return bool(self.client.set(self.key("loading", digest), 1, nx=True, px=10_000))

    @guarded
    def scenario(self) -> ScenarioText:
        stored = self.client.get(self.key("scenario"))
        if stored is None:
            raise LookupError("the shared world has no scenario")
        return ScenarioText(**json.loads(stored))

    # --- the clock and the mode ----------------------------------------------------

    @guarded
    def change_clock(self, clock: Clock, change: Callable[[], object]) -> None:
        """``change`` the local clock from the shared state, and share the result; made
        again if another process changed the clock meanwhile."""
        pipeline: Any
        while True:
            with self.client.pipeline() as pipeline:
                pipeline.watch(self.key("world"))
                clock.restore(*_clock_state(*pipeline.hmget(self.key("world"), CLOCK_FIELDS)))
                change()
                pipeline.multi()
                pipeline.hset(self.key("world"), mapping=_clock_fields(clock))
                try:
                    pipeline.execute()
                    return
                except redis.WatchError:
                    continue

    @guarded
    def set_mode(self, mode: str, polls: int) -> None:
        self.client.hset(self.key("world"), mapping={"mode": mode, "polls": polls})

    # --- rules added at run time ---------------------------------------------------

    @guarded
    def add_rule(self, section: str, document: object) -> tuple[str, int]:
        """The added rule's id, and the world's generation then."""
        rule_id = f"r{self.client.incr(self.key('rule-ids'))}"
        record = {"section": section, "document": document}
        pipeline = self.client.pipeline()
        pipeline.hset(self.key("rules"), rule_id, json.dumps(record))
        pipeline.hincrby(self.key("world"), "g", 1)
        return rule_id, int(pipeline.execute()[1])

    @guarded
    def remove_rule(self, rule_id: str) -> int:
        """The world's generation after the rule went."""
        pipeline = self.client.pipeline()
        pipeline.hdel(self.key("rules"), rule_id)
        pipeline.delete(self.key("rc", rule_id, "seen"), self.key("rc", rule_id, "applied"))
        pipeline.hincrby(self.key("world"), "g", 1)
        return int(pipeline.execute()[2])

    @guarded
    def added_rules(self) -> list[AddedRule]:
        """Oldest first."""
        stored = self.client.hgetall(self.key("rules"))
        rules = [
            AddedRule(rule_id.decode(), **json.loads(record)) for rule_id, record in stored.items()
        ]
        return sorted(rules, key=lambda rule: int(rule.id[1:]))


def _clock_fields(clock: Clock) -> dict[str, str | int]:
    """A clock's state as the world hash holds it (``CLOCK_FIELDS``)."""
    offset, frozen_at = clock.state()
    return {
        "offset": offset // MICROSECOND,
        "frozen": frozen_at.isoformat() if frozen_at else "",
    }


def _clock_state(offset: bytes | None, frozen: bytes | None) -> tuple[timedelta, datetime | None]:
    """The clock's state from the world hash's ``CLOCK_FIELDS`` (``_clock_fields``'s)."""
    moment = datetime.fromisoformat(frozen.decode()) if frozen else None
    return int(offset or 0) * MICROSECOND, moment


class SharedClock(Clock):
    """A clock whose state every process shares: read at each call (``restore`` from a
    snapshot), changed through the shared world."""

    def __init__(self, shared: SharedWorld, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shared = shared

    def advance(self, seconds: float) -> datetime:
        self._shared.change_clock(self, lambda: self._advance(seconds))
        return self._changed()

    def freeze(self) -> datetime:
        self._shared.change_clock(self, self._freeze)
        return self._changed()

    def unfreeze(self) -> datetime:
        self._shared.change_clock(self, self._unfreeze)
        return self._changed()


class SharedCounters(RuleCounters):
    """The call rules' counters, counted by every process together."""

    def __init__(self, shared: SharedWorld) -> None:
        self._shared = shared

    @property
    def url(self) -> str:
        return self._shared.url

    @guarded
    def seen(self, name: str) -> int:
        return int(self._shared.client.incr(self._shared.key("rc", name, "seen")))

    @guarded
    def claim(self, name: str, times: int | None) -> bool:
        applied = self._shared.client.incr(self._shared.key("rc", name, "applied"))
        return times is None or int(applied) <= times

    def forget(self, name: str) -> None:
        """Removing the rule from the shared world drops its counters."""


class SharedAccounts(AccountRegistry):
    """The scenario's accounts, with open-mode tenants and console users in Redis."""

    def __init__(self, shared: SharedWorld, accounts: Iterable[Account], open: bool) -> None:
        super().__init__(accounts, open=open)
        self._shared = shared
        self._tenants = shared.key("tenants")
        """Accounts added at run time and open-mode tenants: name to JSON."""

    @property
    def url(self) -> str:
        return self._shared.url

    @guarded
    def add(self, account: Account) -> None:
        """An account added at run time, for every process."""
        self._shared.client.hset(self._tenants, account.name, _account_json(account))
        if account.console_users:
            key = self._shared.key("console", account.name)
            self._shared.client.hset(key, mapping=account.console_users)

    @guarded
    def _tenant(self, credentials: Credentials) -> Account | None:
        if not all((credentials.user, credentials.password, credentials.app_id)):
            return None
        name = f"{credentials.user}/{credentials.app_id}"
        made = Account(name, credentials.password, credentials.app_id)
        self._shared.client.hsetnx(self._tenants, name, _account_json(made))
        return self.named(name)  # the first one made, by whichever process

    @guarded
    def named(self, name: str) -> Account | None:
        known = super().named(name)
        if known is not None:
            return known
        stored = self._shared.client.hget(self._tenants, name)
        return None if stored is None else _account_of(name, stored)

    @guarded
    def console_users(self, account: Account) -> Mapping[str, str]:
        stored = self._shared.client.hgetall(self._shared.key("console", account.name))
        return {user.decode(): password.decode() for user, password in stored.items()}

    @guarded
    def add_console_user(self, account: Account, user_name: str, password: str) -> bool:
        key = self._shared.key("console", account.name)
        return bool(self._shared.client.hsetnx(key, user_name, password))

    @guarded
    def remove_console_user(self, account: Account, user_name: str) -> bool:
        key = self._shared.key("console", account.name)
        return bool(self._shared.client.hdel(key, user_name))

    @guarded
    def forget_console_users(self, name: str) -> None:
        self._shared.client.delete(self._shared.key("console", name))

    @guarded
    def names(self) -> list[str]:
        tenants = [n.decode() for n in self._shared.client.hkeys(self._tenants)]
        return sorted({*super().names(), *tenants})


def _account_json(account: Account) -> str:
    made = {"password": account.password, "app_id": account.app_id}
    return json.dumps({**made, "fax_enabled": account.fax_enabled})


def _account_of(name: str, stored: bytes) -> Account:
    document = json.loads(stored)
    return Account(name, document["password"], document["app_id"], document["fax_enabled"])


def scenario_text(scenario: Scenario) -> ScenarioText:
    if not scenario.text:
        raise ValueError(
            f"scenario {scenario.name!r} was not loaded from YAML: a shared store needs its text"
        )
    return ScenarioText(scenario.text, scenario.name, scenario.source)
