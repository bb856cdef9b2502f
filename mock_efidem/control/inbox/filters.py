"""The inbox's filters, read from its query string as a browser's form sends them.

A page is lenient where the JSON API is strict: a value it cannot use (an unknown
channel, a malformed date) is dropped, so that a typo shows more, never a 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime

from mock_efidem.domain.models import Channel
from mock_efidem.domain.queries import MessageQuery
from mock_efidem.domain.statuses import CATALOGUE
from mock_efidem.journal import JournalQuery

CHANNELS = tuple(channel.value for channel in Channel)
STATUSES = frozenset(s.name for statuses in CATALOGUE.values() for s in statuses)
FINAL = {"true": True, "false": False}
MAX_CURSOR = 2**62
MAX_TEXT = 500
"""A search longer than this is cut: nothing stored is looked for by more."""
APPLICATION = "soap,dqe"
"""What the calls view shows unless told: the application's calls, not the inbox's."""
PROTOCOLS = (APPLICATION, "soap", "dqe", "wsdl", "control")


@dataclass(frozen=True)
class MessageFilters:
    q: str = ""
    channel: str = ""
    status: str = ""
    final: str = ""
    account: str = ""
    since: str = ""
    until: str = ""
    before: int | None = None

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> MessageFilters:
        channel = _text(args, "channel").lower()
        status = _text(args, "status").lower()
        return cls(
            q=_text(args, "q"),
            channel=channel if channel in CHANNELS else "",
            status=status if status in STATUSES else "",
            final=_text(args, "final") if _text(args, "final") in FINAL else "",
            account=_text(args, "account"),
            since=_text(args, "since") if _moment(_text(args, "since")) else "",
            until=_text(args, "until") if _moment(_text(args, "until")) else "",
            before=cursor(args),
        )

    def query(self) -> MessageQuery:
        return MessageQuery(
            channel=self.channel or None,
            account=self.account or None,
            status=self.status or None,
            contains=self.q or None,
            final=FINAL.get(self.final),
            since=_moment(self.since),
            until=_moment(self.until, end=True),
        )

    def params(self) -> dict[str, str]:
        """The filters as a query string's parameters (no cursor)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "before"}


@dataclass(frozen=True)
class CallFilters:
    protocol: str = APPLICATION
    operation: str = ""
    account: str = ""
    result: str = ""
    message_id: str = ""
    before: int | None = None

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> CallFilters:
        protocol = args.get("protocol", APPLICATION)
        return cls(
            protocol=protocol if protocol in PROTOCOLS else "",
            operation=_text(args, "operation"),
            account=_text(args, "account"),
            result=_text(args, "result"),
            message_id=_text(args, "message_id"),
            before=cursor(args),
        )

    def query(self) -> JournalQuery:
        return JournalQuery(
            protocol=self.protocol or None,
            operation=f"*{_any_case(self.operation)}*" if self.operation else None,
            account=self.account or None,
            result=self.result or None,
            message_id=self.message_id or None,
        )

    def params(self) -> dict[str, str]:
        """The filters as a query string's parameters: ``protocol=`` (all) is kept."""
        given = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "before"}
        return {**given, "protocol": self.protocol or "all"}


def _any_case(text: str) -> str:
    """A glob that finds ``text`` in any case, its own wildcards taken literally: a part
    of a name finds it, as the search box of the messages does."""
    return "".join(
        f"[{c.lower()}{c.upper()}]" if c.isalpha() else f"[{c}]" if c in "*?[" else c for c in text
    )


def cursor(args: Mapping[str, str]) -> int | None:
    text = args.get("before", "")
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_CURSOR else None


def _text(args: Mapping[str, str], name: str) -> str:
    return " ".join(args.get(name, "").split())[:MAX_TEXT]


def _moment(text: str, end: bool = False) -> datetime | None:
    """A date (``2026-12-02``) or a date and time, UTC unless it says otherwise; a day
    given as ``until`` runs to its last second."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if end and len(text) == len("2026-12-02"):
        moment = moment.replace(hour=23, minute=59, second=59, microsecond=999_999)
    elif end and moment.second == 0 and len(text) <= len("2026-12-02T10:00"):
        moment = moment.replace(second=59, microsecond=999_999)  # to the minute, included
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
