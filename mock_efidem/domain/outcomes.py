"""Outcome rules: decided at send time, they say which path each recipient will take.

A rule matches a recipient on some of its attributes (all must match) and gives
the statuses that follow the initial one. Rules apply in order; the first that
matches wins; without a match the channel's default path applies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from mock_efidem.domain.addresses import domain_of, local_part_of
from mock_efidem.domain.matching import Matcher, glob
from mock_efidem.domain.models import Channel, Message, Recipient
from mock_efidem.domain.spelling import did_you_mean
from mock_efidem.domain.statuses import (
    CATALOGUE,
    DEFAULT_PATHS,
    initial_status,
    may_follow,
    status_named,
)

EMAILS = frozenset({Channel.EMAIL, Channel.RELAY})


ATTRIBUTES = (
    "recipient",
    "local_part",
    "domain",
    "name",
    "reference",
    "postcode",
    "country",
    "account",
    "subject",
    "text",
    "sender",
    "billing_code",
)
"""What an outcome rule may match on."""


@dataclass(frozen=True)
class OutcomeRule:
    channels: frozenset[Channel]
    conditions: tuple[tuple[str, Matcher], ...]
    """(attribute, matcher) pairs, attributes from ``ATTRIBUTES``."""
    path: tuple[str, ...]
    detail: str = ""
    """Carried by the last status of the path, e.g. a bounce's ESMTP code."""
    origin: str = field(default="", compare=False)
    """Where the rule was written (``"file.yaml:14"``), for messages; not what it does."""

    def matches(self, message: Message, recipient: Recipient) -> bool:
        return message.channel in self.channels and all(
            matcher.matches(recipient_attribute(message, recipient, attribute))
            for attribute, matcher in self.conditions
        )

    def problems(self) -> list[str]:
        """Why this rule's path cannot be walked, for each of its channels: a status the
        channel does not have, else a step its transitions do not allow."""
        found = []
        for channel in sorted(self.channels):
            unknown = [s for s in self.path if status_named(channel, s) is None]
            known = [s.name for s in CATALOGUE[channel]]
            found += [f"{channel} has no status {s}{did_you_mean(s, known)}" for s in unknown]
            if unknown:
                continue  # its steps would only repeat that
            steps = (initial_status(channel).name, *self.path)
            found += [
                f"{channel}: {before} cannot be followed by {after}"
                for before, after in pairwise(steps)
                if not may_follow(channel, before, after)
            ]
        return found


def recipient_attribute(message: Message, recipient: Recipient, attribute: str) -> str:
    return _ATTRIBUTE_READERS[attribute](message, recipient)


def _postal(message: Message, part: str) -> str:
    return str(getattr(message.options.get("postal_address"), part, ""))


_ATTRIBUTE_READERS: dict[str, Callable[[Message, Recipient], str]] = {
    "recipient": lambda m, r: r.address,
    "local_part": lambda m, r: local_part_of(r.address),
    "domain": lambda m, r: domain_of(r.address),
    "name": lambda m, r: r.name,
    "reference": lambda m, r: r.reference or m.reference,
    "postcode": lambda m, r: _postal(m, "postcode"),
    "country": lambda m, r: _postal(m, "country"),
    "account": lambda m, r: m.account,
    "subject": lambda m, r: m.subject,
    "text": lambda m, r: m.text or m.html,
    "sender": lambda m, r: m.sender,
    "billing_code": lambda m, r: m.billing_code,
}
"""How each of ``ATTRIBUTES`` is read (a table, so that a call builds nothing)."""


def _email(pattern: str, *path: str, detail: str = "") -> OutcomeRule:
    return OutcomeRule(EMAILS, (("local_part", glob(pattern)),), path, detail)


def _ending(channel: Channel, digits: str, *path: str) -> OutcomeRule:
    return OutcomeRule(frozenset({channel}), (("recipient", glob(f"*{digits}")),), path)


DEFAULT_OUTCOME_RULES: tuple[OutcomeRule, ...] = (
    _email("softbounce*", "sent", "soft_bounce", detail="4.2.2"),
    _email("bounce*", "sent", "hard_bounce", detail="5.1.1"),
    _email("complaint*", "sent", "delivered", "complaint"),
    _email("unsubscribe*", "sent", "delivered", "unsubscribed"),
    _email("click*", "sent", "delivered", "opened", "clicked"),
    _email("open*", "sent", "delivered", "opened"),
    _ending(Channel.SMS, "0000", "sent_to_operator", "not_delivered"),
    _ending(Channel.SMS, "9999", "sent_to_operator", "expired"),
    OutcomeRule(
        frozenset({Channel.LETTER}),
        (("postcode", glob("99999")),),
        ("printed", "posted", "returned"),
    ),
    _ending(Channel.FAX, "0000", "sending", "busy"),
    _ending(Channel.FAX, "1111", "sending", "no_answer"),
    _ending(Channel.FAX, "9999", "sending", "failed"),
)


def choose_path(
    rules: Sequence[OutcomeRule], message: Message, recipient: Recipient
) -> tuple[tuple[str, ...], str]:
    """The statuses this recipient will go through after the initial one, and the
    detail of the last one."""
    rule = next((r for r in rules if r.matches(message, recipient)), None)
    path, detail = (rule.path, rule.detail) if rule else (DEFAULT_PATHS[message.channel], "")
    return _tracked(message, path), detail


def _tracked(message: Message, path: tuple[str, ...]) -> tuple[str, ...]:
    """A relay message without OUVERTURE/CLICS never reaches opened/clicked."""
    if message.channel is not Channel.RELAY:
        return path
    untracked = {"opened"} if not message.options.get("track_opens") else set()
    if not message.options.get("track_clicks"):
        untracked.add("clicked")
    cut = next((i for i, status in enumerate(path) if status in untracked), len(path))
    return path[:cut]
