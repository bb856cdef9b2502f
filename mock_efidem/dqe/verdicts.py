"""DQE's verdict on one address, as plain Python: no HTTP, no network, no clock.

The checks are an ordered table of (IdError, check), read top down like the
SOAP side's error tables: the first check the address fails gives its IdError;
an address that fails none is valid. Scenario overrides (``DqeConfig.id_errors``)
come before the table. With ``checkuser=n`` the checks on the user name are
skipped and a valid domain answers 01 ("the name could not be checked").
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from mock_efidem.domain.addresses import domain_of, is_valid_address, local_part_of
from mock_efidem.dqe.config import ACTIVITY_CODES, DqeConfig
from mock_efidem.dqe.domains import (
    in_domains,
    is_disposable,
    is_reserved,
    provider_near_miss,
    suffixes,
)

VALID = "00"
NAME_NOT_CHECKED = "01"
EMPTY = "04"
UNAVAILABLE = "99"
UNKNOWN_DOMAIN = "92"
WITH_ACTIVITY = frozenset({VALID, NAME_NOT_CHECKED})
"""The IdErrors that get a CodeActivite from the rules (trigger or hash)."""
NOT_CHECKED = frozenset({EMPTY, UNAVAILABLE})
"""No check happened (empty address, service down): no CodeActivite, even a forced one."""

NOT_FOUND_WORDS = ("unknown", "notfound")
FULL_WORDS = ("full",)
NO_ACTIVITY_WORD = "noactivity"
_ACTIVITY_TRIGGER = re.compile(r"activity(\d{3})(?!\d)")


@dataclass(frozen=True)
class LookupOptions:
    """The request's switches, already read from DQE's parameters."""

    rectify: bool = False
    check_user: bool = True
    extended_syntax: bool = False


@dataclass(frozen=True)
class Subject:
    """What a check looks at: the trimmed address, the options and the config."""

    address: str
    options: LookupOptions
    config: DqeConfig

    @property
    def domain(self) -> str:
        return domain_of(self.address)

    @property
    def user(self) -> str:
        """The local part, lowercased, without a ``+tag``."""
        return local_part_of(self.address).lower().partition("+")[0]


Check = Callable[[Subject], bool]


@dataclass(frozen=True)
class Rule:
    code: str
    check: Check
    meaning: str
    about_user: bool = False
    """Skipped with ``checkuser=n``."""


@dataclass(frozen=True)
class Verdict:
    id_error: str
    email: str
    """The address as checked: the input trimmed, or its correction."""
    rectified: bool = False
    activity: str | None = None
    """CodeActivite, shown to level-2 licences only: for 00 and 01, or forced by the config."""


def _blank(s: Subject) -> bool:
    return not s.address


def _service_down(s: Subject) -> bool:
    return s.config.service_unavailable


def _bad_syntax(s: Subject) -> bool:
    if not s.options.extended_syntax and not s.address.isascii():
        return True
    return not is_valid_address(s.address)


def _unavailable_domain(s: Subject) -> bool:
    return in_domains(s.domain, s.config.unavailable_domains)


def _blacklisted(s: Subject) -> bool:
    blacklist = s.config.blacklisted_addresses
    return s.address.lower() in blacklist or in_domains(s.domain, s.config.blacklisted_domains)


def _unknown_domain(s: Subject) -> bool:
    return (
        is_reserved(s.domain)
        or in_domains(s.domain, s.config.dead_domains)
        or provider_near_miss(s.domain) is not None
    )


def _disposable(s: Subject) -> bool:
    return is_disposable(s.domain, s.config.disposable_domains)


def _role_account(s: Subject) -> bool:
    return s.user in s.config.role_accounts


def _catch_all(s: Subject) -> bool:
    return in_domains(s.domain, s.config.catch_all_domains)


def _starts_with_word(user: str, words: tuple[str, ...]) -> bool:
    """``full``, ``full.x``, ``full2`` but not ``fuller``: the word, then no letter."""
    return any(re.match(rf"{word}(?![a-z])", user) for word in words)


def _mailbox_not_found(s: Subject) -> bool:
    return _starts_with_word(s.user, NOT_FOUND_WORDS)


def _mailbox_full(s: Subject) -> bool:
    return _starts_with_word(s.user, FULL_WORDS)


RULES: tuple[Rule, ...] = (
    Rule(EMPTY, _blank, "Email missing, empty, or sent under a misspelt parameter name"),
    Rule("99", _service_down, "the scenario takes the service down"),
    Rule("91", _bad_syntax, "not an address for email-validator; non-ASCII needs extendedsyntax"),
    Rule("99", _unavailable_domain, "a domain whose check is unavailable"),
    Rule("93", _blacklisted, "blacklisted address or domain"),
    Rule("92", _unknown_domain, "reserved TLD, dead domain, or near miss of a known provider"),
    Rule("95", _disposable, "disposable provider"),
    Rule("94", _role_account, "role account (admin, postmaster, noreply...)", about_user=True),
    Rule("01", _catch_all, "catch-all domain: every user name is accepted"),
    Rule("02", _mailbox_not_found, "user name unknown..., notfound...", about_user=True),
    Rule("03", _mailbox_full, "user name full...", about_user=True),
)


def id_error(address: str, options: LookupOptions, config: DqeConfig) -> str:
    """The IdError of one trimmed address, without correction."""
    subject = Subject(address, options, config)
    overridden = _override(subject)
    if overridden is not None:
        return overridden
    for rule in RULES:
        if rule.about_user and not options.check_user:
            continue
        if rule.check(subject):
            return rule.code
    return VALID if options.check_user else NAME_NOT_CHECKED


def _override(s: Subject) -> str | None:
    if not s.address:
        return None
    overrides = s.config.id_errors
    for key in (s.address.lower(), *suffixes(s.domain)):
        if key in overrides:
            return overrides[key]
    return None


def corrected(address: str) -> str | None:
    """The address with a misspelt provider put right: jean@gmial.com -> jean@gmail.com."""
    provider = provider_near_miss(domain_of(address))
    if provider is None:
        return None
    return f"{local_part_of(address)}@{provider}"


def lookup(email: str | None, options: LookupOptions, config: DqeConfig) -> Verdict:
    """DQE's answer for ``Email``: a misspelt provider with Rectify is corrected,
    then the corrected address is judged on its own."""
    address = (email or "").strip()
    code = id_error(address, options, config)
    if code == UNKNOWN_DOMAIN and options.rectify:
        correction = corrected(address)
        if correction is not None:
            fixed = id_error(correction, options, config)
            return Verdict(fixed, correction, True, activity_code(correction, fixed, config))
    return Verdict(code, address, False, activity_code(address, code, config))


def activity_code(address: str, code: str, config: DqeConfig) -> str | None:
    """CodeActivite: the config's (any IdError that was checked), else, for 00 and 01,
    the ``activity<CODE>@`` trigger, else a hash."""
    key = address.lower()
    if code in NOT_CHECKED:
        return None
    if key in config.activity_codes:
        return config.activity_codes[key]
    if code not in WITH_ACTIVITY:
        return None
    user = local_part_of(key)
    if user.startswith(NO_ACTIVITY_WORD):
        return None
    triggered = _ACTIVITY_TRIGGER.match(user)
    if triggered and triggered.group(1) in ACTIVITY_CODES:
        return triggered.group(1)
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return ACTIVITY_CODES[int.from_bytes(digest[:8], "big") % len(ACTIVITY_CODES)]


def timed_out(address: str) -> Verdict:
    """What DQE says when the caller's TimeOut runs out before the check ends."""
    return Verdict(UNAVAILABLE, address.strip())
