"""The validation engine: an operation's error table is an ordered list of rules.

Each rule pairs a vendor error code with a check; the first check that a call
violates gives the call's answer, exactly as the vendor's tables are read, top
down. The tables themselves live in ``rules.py`` as data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache
from typing import Any, Protocol

from mock_efidem.domain.accounts import Account, AccountRegistry, Credentials
from mock_efidem.domain.addresses import is_valid_address
from mock_efidem.domain.esmtp import describe_esmtp_code
from mock_efidem.domain.models import Channel, Message
from mock_efidem.domain.phones import NumberProblem, number_problem

DEFAULT_FORBIDDEN_SEQUENCES: tuple[str, ...] = (
    "<script",
    "</script",
    "javascript:",
    "xp_cmdshell",
    "sp_executesql",
    "drop table",
    "union select",
    "' or '1'='1",
)


@dataclass
class CheckContext:
    """What a check may look at: the call's fields and the service's state."""

    fields: Mapping[str, Any]
    accounts: AccountRegistry
    forbidden_sequences: Sequence[str]
    find_message: Callable[[Account, str], Message | None]

    @cached_property
    def account(self) -> Account | None:
        return self.accounts.authenticate(
            Credentials(self.text("user"), self.text("password"), self.text("app_id"))
        )

    def value(self, path: str) -> Any:
        """A field, or an attribute of one with a dotted path (``postal_name.last_name``)."""
        head, _, rest = path.partition(".")
        found = self.fields.get(head)
        for part in rest.split(".") if rest else ():
            found = getattr(found, part, None)
        return found

    def text(self, path: str) -> str:
        found = self.value(path)
        return found.strip() if isinstance(found, str) else ""

    def items(self, path: str, attribute: str | None) -> list[Any]:
        found = self.value(path) or ()
        return [getattr(item, attribute, None) if attribute else item for item in found]

    def texts(self, path: str, attribute: str | None, many: bool) -> list[str]:
        """The text at ``path``, or with ``many`` the texts of a list's items."""
        values = self.items(path, attribute) if many else [self.value(path)]
        return [v for v in values if isinstance(v, str)]

    @cached_property
    def message(self) -> Message | None:
        if self.account is None:
            return None
        return self.find_message(self.account, self.text("message_id"))


@dataclass(frozen=True)
class Culprit:
    """Where a call broke a rule: the field (names, list positions and attributes, as
    ``("recipients", 2, "address")``) and the value found there."""

    path: tuple[str | int, ...]
    value: str


class Check(Protocol):
    def violated(self, context: CheckContext) -> bool: ...

    def culprit(self, context: CheckContext) -> Culprit | None:
        """The field and value that violate the check (asked only once it is violated)."""
        ...


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple)):
        return len(value) == 0
    return False


@dataclass(frozen=True)
class Rule:
    code: int
    check: Check
    meaning: str
    chosen_by_mock: bool = False


def first_failure(rules: Iterable[Rule], context: CheckContext) -> Rule | None:
    return next((rule for rule in rules if rule.check.violated(context)), None)


def _path(path: str) -> tuple[str | int, ...]:
    return tuple(path.split("."))


def _at(path: str, context: CheckContext) -> Culprit:
    """The value at ``path`` as the culprit (a blank one reads as "")."""
    value = context.value(path)
    if isinstance(value, datetime):
        return Culprit(_path(path), value.isoformat())
    return Culprit(_path(path), "" if value is None else str(value))


def _first_item(
    context: CheckContext,
    path: str,
    attribute: str | None,
    many: bool,
    wrong: Callable[[Any], bool],
) -> Culprit | None:
    """The first value at ``path`` (each item's ``attribute`` with ``many``) that is wrong."""
    if not many:
        value = context.value(path)
        return Culprit(_path(path), str(value)) if isinstance(value, str) and wrong(value) else None
    for index, item in enumerate(context.items(path, attribute)):
        if isinstance(item, str) and wrong(item):
            where = (*_path(path), index, *((attribute,) if attribute else ()))
            return Culprit(where, item)
    return None


# --- the checks -------------------------------------------------------------------


@dataclass(frozen=True)
class Blank:
    path: str

    def violated(self, context: CheckContext) -> bool:
        return is_blank(context.value(self.path))

    def culprit(self, context: CheckContext) -> Culprit | None:
        return _at(self.path, context)


@dataclass(frozen=True)
class AllBlank:
    paths: tuple[str, ...]

    def violated(self, context: CheckContext) -> bool:
        return all(is_blank(context.value(path)) for path in self.paths)

    def culprit(self, context: CheckContext) -> Culprit | None:
        return _at(self.paths[0], context)


@dataclass(frozen=True)
class NoneOrAnyBlank:
    """A list that is empty, or one of whose items (or item attributes) is blank."""

    path: str
    attribute: str | None = None

    def violated(self, context: CheckContext) -> bool:
        items = context.items(self.path, self.attribute)
        return not items or any(is_blank(item) for item in items)

    def culprit(self, context: CheckContext) -> Culprit | None:
        if not context.items(self.path, self.attribute):
            return Culprit(_path(self.path), "")
        return _first_item(context, self.path, self.attribute, True, lambda v: not v.strip())


@dataclass(frozen=True)
class WrongCredentials:
    def violated(self, context: CheckContext) -> bool:
        return context.account is None

    def culprit(self, context: CheckContext) -> Culprit | None:
        return _at("user", context)  # never the password: journals are shared


@dataclass(frozen=True)
class ForbiddenSequence:
    def violated(self, context: CheckContext) -> bool:
        pattern = _any_of(tuple(context.forbidden_sequences))
        return pattern is not None and any(
            pattern.search(text.lower()) for text in _texts(context.fields.values())
        )

    def culprit(self, context: CheckContext) -> Culprit | None:
        """The first field holding a sequence; the value is the sequence found."""
        pattern = _any_of(tuple(context.forbidden_sequences))
        for path, text in _named_texts(context.fields.items()) if pattern else ():
            found = pattern.search(text.lower()) if pattern else None
            if found:
                return Culprit(path, found.group())
        return None


@lru_cache(maxsize=16)
def _any_of(sequences: tuple[str, ...]) -> re.Pattern[str] | None:
    """One search for all the sequences: each text is lowered and read once."""
    if not sequences:
        return None
    return re.compile("|".join(re.escape(s.lower()) for s in sequences))


def _named_texts(
    items: Iterable[tuple[str | int, Any]], prefix: tuple[str | int, ...] = ()
) -> Iterable[tuple[tuple[str | int, ...], str]]:
    """Every text of the fields with its path, in the order ``_texts`` reads them."""
    for name, value in items:
        path = (*prefix, name)
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, (list, tuple)):
            yield from _named_texts(enumerate(value), path)
        elif hasattr(value, "__dataclass_fields__"):
            yield from _named_texts(vars(value).items(), path)


def _texts(values: Iterable[Any]) -> Iterable[str]:
    for value in values:
        if isinstance(value, str):
            yield value
        elif isinstance(value, (list, tuple)):
            yield from _texts(value)
        elif hasattr(value, "__dataclass_fields__"):
            yield from _texts(vars(value).values())


@dataclass(frozen=True)
class InvalidAddress:
    """A non-blank email address (or any non-blank one of a list) that is malformed."""

    path: str
    attribute: str | None = None
    many: bool = False

    def violated(self, context: CheckContext) -> bool:
        texts = context.texts(self.path, self.attribute, self.many)
        return any(_malformed(v) for v in texts)

    def culprit(self, context: CheckContext) -> Culprit | None:
        return _first_item(context, self.path, self.attribute, self.many, _malformed)


def _malformed(address: str) -> bool:
    return bool(address.strip()) and not is_valid_address(address.strip())


@dataclass(frozen=True)
class NumberHas:
    """A phone number (or one of a list) with the given problem."""

    problem: NumberProblem
    path: str
    attribute: str | None = None
    many: bool = False

    def violated(self, context: CheckContext) -> bool:
        texts = context.texts(self.path, self.attribute, self.many)
        return any(number_problem(v) is self.problem for v in texts)

    def culprit(self, context: CheckContext) -> Culprit | None:
        def has_problem(number: str) -> bool:
            return number_problem(number) is self.problem

        return _first_item(context, self.path, self.attribute, self.many, has_problem)


@dataclass(frozen=True)
class NoDigits:
    path: str

    def violated(self, context: CheckContext) -> bool:
        return not any(ch.isdigit() for ch in context.text(self.path))

    def culprit(self, context: CheckContext) -> Culprit | None:
        return _at(self.path, context)


@dataclass(frozen=True)
class InvalidSenderName:
    """An SMS sender name must be at most 11 letters and digits."""

    path: str

    def violated(self, context: CheckContext) -> bool:
        name = context.text(self.path)
        return bool(name) and (len(name) > 11 or not name.isalnum() or not name.isascii())

    def culprit(self, context: CheckContext) -> Culprit | None:
        return _at(self.path, context)


@dataclass(frozen=True)
class UnknownMessage:
    channels: frozenset[Channel]

    def violated(self, context: CheckContext) -> bool:
        message = context.message
        return message is None or message.channel not in self.channels

    def culprit(self, context: CheckContext) -> Culprit | None:
        return _at("message_id", context)


@dataclass(frozen=True)
class UnknownRecipient:
    """The message has no recipient with this REFCLIENT (``by="reference"``) or address."""

    path: str
    by: str

    def violated(self, context: CheckContext) -> bool:
        message = context.message
        if message is None:
            return True
        wanted = context.text(self.path)
        if self.by == "reference":
            return message.recipient_by_reference(wanted) is None
        return message.recipient_by_address(wanted) is None

    def culprit(self, context: CheckContext) -> Culprit | None:
        return _at(self.path, context)


@dataclass(frozen=True)
class PostcodeLength:
    """French postcodes have five digits; elsewhere from 2 to 10 characters."""

    path: str
    country_path: str

    def violated(self, context: CheckContext) -> bool:
        postcode = context.text(self.path)
        country = context.text(self.country_path).upper()
        if country in FRANCE_NAMES:
            return len(postcode) != 5 or not postcode.isdigit()
        return not 2 <= len(postcode) <= 10

    def culprit(self, context: CheckContext) -> Culprit | None:
        return _at(self.path, context)


FRANCE_NAMES = frozenset({"", "FR", "FRA", "FRANCE"})


@dataclass(frozen=True)
class NotOneOf:
    path: str
    allowed: frozenset[str]

    def violated(self, context: CheckContext) -> bool:
        value = context.text(self.path).upper()
        return bool(value) and value not in self.allowed

    def culprit(self, context: CheckContext) -> Culprit | None:
        return _at(self.path, context)


@dataclass(frozen=True)
class FaxDisabled:
    def violated(self, context: CheckContext) -> bool:
        return context.account is not None and not context.account.fax_enabled

    def culprit(self, context: CheckContext) -> Culprit | None:
        return _at("user", context)


@dataclass(frozen=True)
class ConsoleUserKnown:
    """Violated when the console user exists (``fails_if_known``) or when it does not."""

    path: str
    fails_if_known: bool

    def violated(self, context: CheckContext) -> bool:
        if context.account is None:
            return False
        known = context.text(self.path) in context.accounts.console_users(context.account)
        return known == self.fails_if_known

    def culprit(self, context: CheckContext) -> Culprit | None:
        return _at(self.path, context)


@dataclass(frozen=True)
class EndBeforeStart:
    start: str
    end: str

    def violated(self, context: CheckContext) -> bool:
        start, end = context.value(self.start), context.value(self.end)
        return isinstance(start, datetime) and isinstance(end, datetime) and end < start

    def culprit(self, context: CheckContext) -> Culprit | None:
        return _at(self.end, context)


@dataclass(frozen=True)
class UnknownEsmtpCode:
    path: str

    def violated(self, context: CheckContext) -> bool:
        return describe_esmtp_code(context.text(self.path)) is None

    def culprit(self, context: CheckContext) -> Culprit | None:
        return _at(self.path, context)
