"""Finding messages: the filters of the control API's messages query."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from mock_efidem.domain.models import Channel, Message
from mock_efidem.domain.phones import normalise_number
from mock_efidem.domain.store import IndexKey


@dataclass(frozen=True)
class MessageQuery:
    """Every given criterion must hold; text criteria are case-insensitive.

    ``recipient`` matches part of any recipient's address, and an SMS or fax number
    in any written form (``06 01 02 03 04``, ``+33601020304``, ``0033…``); ``status``
    any recipient's current status name; ``refclient`` the message's or any
    recipient's REFCLIENT.
    """

    channel: str | None = None
    account: str | None = None
    recipient: str | None = None
    status: str | None = None
    refclient: str | None = None

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
        return any(c is not None for c in (self.recipient, self.status, self.refclient))

    def matches(self, message: Message) -> bool:
        return all(
            (
                self.channel is None or message.channel.value == self.channel.lower(),
                self.account is None or message.account == self.account,
                self.recipient is None or self._has_recipient(message),
                self.status is None
                or any(r.current.status == self.status.lower() for r in message.recipients),
                self.refclient is None or self._has_reference(message, self.refclient),
            )
        )

    @cached_property
    def _number(self) -> str | None:
        """The recipient criterion as a whole phone number, normalised, if it is one."""
        wanted = self.recipient or ""
        if not _PHONE_LIKE.fullmatch(wanted) or sum(c.isdigit() for c in wanted) < 8:
            return None
        return normalise_number(wanted) or None

    def _has_recipient(self, message: Message) -> bool:
        part = (self.recipient or "").lower()
        if any(part in r.address.lower() for r in message.recipients):
            return True
        number = self._number
        if number is None or message.channel not in _NUMBERED:
            return False
        # SMS numbers are stored normalised; fax numbers as the caller wrote them.
        return any(number == normalise_number(r.address) for r in message.recipients)

    @staticmethod
    def _has_reference(message: Message, reference: str) -> bool:
        wanted = reference.lower()
        return any(
            wanted == candidate.lower()
            for candidate in (message.reference, *(r.reference for r in message.recipients))
        )


_PHONE_LIKE = re.compile(r"\+?[0-9 .()/-]+")
_NUMBERED = frozenset({Channel.SMS, Channel.FAX})
