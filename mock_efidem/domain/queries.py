"""Finding messages: the filters of the control API's messages query."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from mock_efidem.domain.models import Channel, Message
from mock_efidem.domain.phones import normalise_number
from mock_efidem.domain.statuses import CATALOGUE
from mock_efidem.domain.store import IndexKey

MessageFilter = Callable[[Message], bool]


@dataclass(frozen=True)
class MessageQuery:
    """Every given criterion must hold; text criteria are case-insensitive.

    ``recipient`` matches part of any recipient's address, and an SMS or fax number
    in any written form (``06 01 02 03 04``, ``+33601020304``, ``0033…``); ``status``
    any recipient's current status name; ``refclient`` the message's or any
    recipient's REFCLIENT. ``contains`` matches part of whatever a person would look
    a message up by: its recipients' addresses (a whole number in any written form,
    as ``recipient``), sender, subject, text, HTML, REFCLIENTs, id and account.
    ``final``: every recipient is in a final status (True), or not (False). ``since``
    and ``until`` (aware) bound the time it was created, both included.
    """

    channel: str | None = None
    account: str | None = None
    recipient: str | None = None
    status: str | None = None
    refclient: str | None = None
    contains: str | None = None
    final: bool | None = None
    since: datetime | None = None
    until: datetime | None = None

    def index_keys(self) -> list[IndexKey]:
        """The store's indexes that hold the answer (account, channel)."""
        keys: list[IndexKey] = []
        if self.account is not None:
            keys.append(("account", self.account))
        if self.channel is not None:
            keys.append(("channel", self.channel.lower()))
        return keys

    @property
    def needs_scan(self) -> bool:
        """Criteria no index holds: each candidate is read to check them."""
        return self.scan is not None

    @cached_property
    def scan(self) -> MessageFilter | None:
        """One filter for the criteria that neither an index nor the dates hold (None
        when there are none): the store may call it for each of a million messages."""
        checks = self._checks
        return functools.reduce(_both, checks) if checks else None

    def matches(self, message: Message) -> bool:
        return (
            (self.channel is None or message.channel.value == self.channel.lower())
            and (self.account is None or message.account == self.account)
            and (self.since is None or message.created_at >= self.since)
            and (self.until is None or message.created_at <= self.until)
            and (self.scan is None or self.scan(message))
        )

    @cached_property
    def _checks(self) -> tuple[MessageFilter, ...]:
        checks: list[MessageFilter] = []
        if self.recipient is not None:
            checks.append(_has_recipient(self.recipient))
        if self.status is not None:
            checks.append(_has_status(self.status.lower()))
        if self.refclient is not None:
            checks.append(_has_reference(self.refclient.lower()))
        if self.contains is not None:
            checks.append(_contains(self.contains))
        if self.final is not None:
            checks.append(_is_final if self.final else _is_not_final)
        return tuple(checks)


def searched_text(message: Message) -> str:
    """What ``contains`` looks in, lowercased, each field between separators. Made at
    the message's first search and kept: none of these fields ever changes, and a
    search of 100,000 messages then costs one substring test each."""
    found = message.search_text
    if found is None:
        found = message.search_text = f"{_SEP}{_SEP.join(_searched(message)).lower()}{_SEP}"
    return found


def _searched(message: Message) -> Iterator[str]:
    yield from (message.id, message.account, message.sender, message.subject)
    yield from (message.text, message.html, message.reference)
    for recipient in message.recipients:
        yield from (recipient.address, recipient.reference)
        if message.channel is Channel.FAX:  # kept as the caller wrote it: also normalised
            yield normalise_number(recipient.address)


# Each filter is a closure over what it looks for, prepared once per query.


def _has_recipient(part: str) -> MessageFilter:
    lowered, number = part.lower(), _whole_number(part)

    def has_recipient(message: Message) -> bool:
        if any(lowered in r.address.lower() for r in message.recipients):
            return True
        if number is None or message.channel not in _NUMBERED:
            return False
        # SMS numbers are stored normalised; fax numbers as the caller wrote them.
        return any(number == normalise_number(r.address) for r in message.recipients)

    return has_recipient


def _has_status(wanted: str) -> MessageFilter:
    def has_status(message: Message) -> bool:
        return any(r.current.status == wanted for r in message.recipients)

    return has_status


def _has_reference(wanted: str) -> MessageFilter:
    def has_reference(message: Message) -> bool:
        if message.reference.lower() == wanted:
            return True
        return any(r.reference.lower() == wanted for r in message.recipients)

    return has_reference


def _contains(text: str) -> MessageFilter:
    """The text anywhere, or, if it is a whole phone number, that number normalised as a
    field of its own (an SMS recipient's, or a fax recipient's normalised)."""
    lowered, number = text.lower(), _whole_number(text)
    if _SEP in text:  # it would match across two fields
        return lambda message: False
    if number is None:
        return lambda message: lowered in (message.search_text or searched_text(message))
    field = f"{_SEP}{number}{_SEP}"

    def contains(message: Message) -> bool:
        searched = message.search_text or searched_text(message)
        return lowered in searched or field in searched

    return contains


def _both(first: MessageFilter, second: MessageFilter) -> MessageFilter:
    return lambda message: first(message) and second(message)


def _is_final(message: Message) -> bool:
    final = _FINAL[message.channel]
    # A loop, not all(): a generator costs more than the test, a million times over.
    for recipient in message.recipients:  # noqa: SIM110
        if recipient.history[-1].status not in final:
            return False
    return True


def _is_not_final(message: Message) -> bool:
    return not _is_final(message)


def _whole_number(text: str) -> str | None:
    """``text`` as a whole phone number, normalised, if it is one."""
    if not _PHONE_LIKE.fullmatch(text) or sum(c.isdigit() for c in text) < 8:
        return None
    return normalise_number(text) or None


_SEP = "\x00"
_PHONE_LIKE = re.compile(r"\+?[0-9 .()/-]+")
_NUMBERED = frozenset({Channel.SMS, Channel.FAX})
_FINAL = {
    channel: frozenset(status.name for status in statuses if status.final)
    for channel, statuses in CATALOGUE.items()
}
