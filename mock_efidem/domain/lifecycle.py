"""The state machine that moves each recipient through its channel's statuses.

At send time each recipient gets a plan (statuses with due times) from the
outcome rules. Due steps fire lazily, whenever the message is read, so every
read path sees the same state; the store keeps a heap of each message's next step,
so that the backend fires them without reading every message, and a long poll
sleeps until the next step is due instead of rescanning. In ``polls`` mode a
recipient instead moves one step every ``polls_per_step`` status polls, for
clients that poll in a loop.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from mock_efidem.domain.clock import Clock
from mock_efidem.domain.esmtp import describe_esmtp_code
from mock_efidem.domain.models import Channel, Message, PlannedStep, Recipient, StatusEvent
from mock_efidem.domain.outcomes import DEFAULT_OUTCOME_RULES, OutcomeRule, choose_path
from mock_efidem.domain.statuses import (
    CATALOGUE,
    STEP_DELAYS,
    initial_status,
    path_to,
    reachable_from,
    status_named,
)

TIME_MODE = "time"
POLLS_MODE = "polls"


class IllegalTransition(ValueError):
    """A forced status that may not follow the current one."""


class UnknownStatus(ValueError):
    """A status name the channel does not have."""


@dataclass
class LifecycleSettings:
    mode: str = TIME_MODE
    polls_per_step: int = 1
    delay_scale: float = 1.0
    """Multiplies every delay: 0 makes every step due at once."""
    delays: Mapping[Channel, Mapping[str, float]] = field(default_factory=dict)
    """Seconds to enter a status, overriding ``STEP_DELAYS`` per channel."""

    def delay(self, channel: Channel, status: str) -> float:
        default = STEP_DELAYS[channel].get(status, 1.0)
        return self.delays.get(channel, {}).get(status, default) * self.delay_scale


class Lifecycle:
    def __init__(
        self,
        clock: Clock,
        rules: Sequence[OutcomeRule] = DEFAULT_OUTCOME_RULES,
        settings: LifecycleSettings | None = None,
    ) -> None:
        self.clock = clock
        self.rules = tuple(rules)
        self.settings = settings or LifecycleSettings()

    @property
    def timed(self) -> bool:
        """Steps fire when their time comes (not after polls)."""
        return self.settings.mode == TIME_MODE

    def start(self, message: Message) -> None:
        """Give each recipient of a new message its initial status and its plan."""
        first = initial_status(message.channel)
        for recipient in message.recipients:
            recipient.history.append(
                StatusEvent(message.created_at, first.name, first.code, "accepted")
            )
            path, detail = choose_path(self.rules, message, recipient)
            recipient.plan = self._schedule(message.channel, message.created_at, path, detail)

    def _schedule(
        self, channel: Channel, start: datetime, path: Sequence[str], detail: str
    ) -> list[PlannedStep]:
        plan, due = [], start
        for position, status in enumerate(path):
            due += timedelta(seconds=self.settings.delay(channel, status))
            last = position == len(path) - 1
            plan.append(PlannedStep(status, due, _describe_detail(detail) if last else ""))
        return plan

    def settle(self, message: Message) -> bool:
        """Fire every step that is due by now (time mode); True if one fired."""
        if not self.timed:
            return False
        now = self.clock.now()
        fired = False
        for recipient in message.recipients:
            fired = self._fire_due(message, recipient, now) or fired
        return fired

    def _fire_due(self, message: Message, recipient: Recipient, now: datetime) -> bool:
        fired = False
        while recipient.plan and recipient.plan[0].due <= now:
            step = recipient.plan.pop(0)
            self._enter(message.channel, recipient, step.status, step.due, step.detail)
            fired = True
        return fired

    def poll(self, message: Message, recipient: Recipient) -> bool:
        """Count a status poll; in polls mode every Nth poll moves one step. True if it
        counted (the state changed, maybe not the status)."""
        if self.settings.mode != POLLS_MODE or not recipient.plan:
            return False
        recipient.polls += 1
        if recipient.polls < self.settings.polls_per_step:
            return True
        recipient.polls = 0
        step, now = recipient.plan.pop(0), self.clock.now()
        self._enter(message.channel, recipient, step.status, now, step.detail)
        # The rest of the plan keeps its pace after the polled step, so that back in
        # time mode no later step fires before this one.
        shift = now - step.due
        recipient.plan = [replace(s, due=s.due + shift) for s in recipient.plan]
        return True

    def force(self, message: Message, recipient: Recipient, status: str, detail: str = "") -> None:
        """Move a recipient to ``status`` now, through the fewest legal statuses between
        (each one in its history); its remaining plan is dropped, so the test that
        forced it stays in control."""
        steps = self.check_force(message, recipient, status)
        recipient.plan = []
        now = self.clock.now()
        for step in steps[:-1]:
            self._enter(message.channel, recipient, step, now, f"forced on the way to {status}")
        self._enter(message.channel, recipient, status, now, detail or "forced")

    def check_force(self, message: Message, recipient: Recipient, status: str) -> tuple[str, ...]:
        """The statuses forcing ``status`` walks through (``status`` last); raises
        UnknownStatus or IllegalTransition if it cannot be forced."""
        if status_named(message.channel, status) is None:
            names = ", ".join(s.name for s in CATALOGUE[message.channel])
            raise UnknownStatus(f"{message.channel} has no status {status!r} (known: {names})")
        current = recipient.current.status
        steps = path_to(message.channel, current, status)
        if steps is None:
            reachable = ", ".join(reachable_from(message.channel, current)) or "none (final)"
            raise IllegalTransition(
                f"{recipient.address}: {status} cannot be reached from {current} on "
                f"{message.channel}; reachable: {reachable}"
            )
        return steps

    def _enter(
        self, channel: Channel, recipient: Recipient, status: str, at: datetime, detail: str
    ) -> None:
        definition = status_named(channel, status)
        assert definition is not None  # plans and forced statuses are checked
        recipient.history.append(StatusEvent(at, status, definition.code, detail))


def _describe_detail(detail: str) -> str:
    """An ESMTP code gains its title (esmtp.py): "5.1.1 Bad destination mailbox address"."""
    title = describe_esmtp_code(detail) if detail else None
    return f"{detail} {title}" if title else detail
