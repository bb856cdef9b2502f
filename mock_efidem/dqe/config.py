"""What the DQE mock knows: licences, domain lists, per-address answers, latency.

The defaults reproduce the documented behaviour without a scenario; a scenario
builds another ``DqeConfig`` (``dataclasses.replace`` keeps the rest). Names are
normalised (trimmed, lowercased) and codes checked on construction, so a
scenario may spell them as it likes and a typo in a code fails at load time.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

LEVELS = frozenset({1, 2})

ID_ERRORS: Mapping[str, str] = {
    "00": "valid email",
    "01": "correct email but the user name could not be checked",
    "02": "email address not found for this domain",
    "03": "inbox full (soft bounce)",
    "04": "empty email",
    "91": "syntax error",
    "92": "unknown domain",
    "93": "blacklisted email or domain",
    "94": "unauthorised user name",
    "95": "disposable temporary email address",
    "99": "service unavailable",
}

ACTIVITY_CODES: tuple[str, ...] = (
    "100",
    "200",
    "201",
    "202",
    "203",
    "204",
    "206",
    "209",
    "212",
    "300",
)
"""CodeActivite, in the vendor's order; level-2 licences only."""

DEFAULT_LICENCES: Mapping[str, int] = {"DQE-DEMO-L1": 1, "DQE-DEMO-L2": 2}

DEFAULT_DEAD_DOMAINS = frozenset({"dead.example", "nxdomain.example", "tesdedet.com"})
"""Domains that do not exist (92); ``tesdedet.com`` is the vendor's own example."""

VENDOR_EXAMPLE_ACTIVITY: Mapping[str, str] = {"test@tesdedet.com": "200"}
"""The CodeActivite of the vendor page's level-2 example, the default ``activity_codes``.

DQE's response page shows ``test@tesdedet.com`` answering IdError 92 at both levels
(``tesdedet.com`` is a dead domain), and at level 2 also CodeActivite 200. So the
mock gives an address's activity data whatever its IdError, and this entry makes it
answer that example exactly as printed.
"""

DEFAULT_BLACKLISTED_DOMAINS = frozenset({"blacklisted.example", "spamtrap.example"})
DEFAULT_BLACKLISTED_ADDRESSES = frozenset({"blacklisted@example.com", "spamtrap@example.com"})
DEFAULT_CATCH_ALL_DOMAINS = frozenset(
    {"catchall.example", "catch-all.example", "acceptall.example"}
)
DEFAULT_UNAVAILABLE_DOMAINS = frozenset({"unavailable.example", "timeout.example"})

DEFAULT_ROLE_ACCOUNTS = frozenset(
    {
        "abuse",
        "admin",
        "administrator",
        "do-not-reply",
        "donotreply",
        "hostmaster",
        "mailer-daemon",
        "no-reply",
        "nobody",
        "noreply",
        "postmaster",
        "root",
        "webmaster",
    }
)
"""User names DQE refuses (94): role and system accounts, not people."""


@dataclass(frozen=True)
class DqeConfig:
    """Everything a DQE answer depends on besides the request itself.

    Domain sets match the domain and its subdomains. ``id_errors`` forces the
    IdError of an address or a domain (address first); ``activity_codes`` forces
    the CodeActivite of an address whatever its IdError (as in the vendor's
    example), ``None`` meaning "no activity data". A scenario that sets
    ``activity_codes`` replaces the default ``VENDOR_EXAMPLE_ACTIVITY``, as one
    that sets ``dead_domains`` replaces the default dead domains.
    """

    licences: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_LICENCES))
    dead_domains: frozenset[str] = DEFAULT_DEAD_DOMAINS
    blacklisted_domains: frozenset[str] = DEFAULT_BLACKLISTED_DOMAINS
    blacklisted_addresses: frozenset[str] = DEFAULT_BLACKLISTED_ADDRESSES
    catch_all_domains: frozenset[str] = DEFAULT_CATCH_ALL_DOMAINS
    unavailable_domains: frozenset[str] = DEFAULT_UNAVAILABLE_DOMAINS
    disposable_domains: frozenset[str] = frozenset()
    """Added to the maintained list of the ``disposable-email-domains`` package."""
    role_accounts: frozenset[str] = DEFAULT_ROLE_ACCOUNTS
    id_errors: Mapping[str, str] = field(default_factory=dict)
    activity_codes: Mapping[str, str | None] = field(
        default_factory=lambda: dict(VENDOR_EXAMPLE_ACTIVITY)
    )
    latency_seconds: float = 0.0
    service_unavailable: bool = False
    """A scenario fault: every lookup answers 99, every MAILSUGGEST HTTP 503."""

    def __post_init__(self) -> None:
        _check_licences(self.licences)
        _check_codes(self.id_errors.values(), ID_ERRORS, "IdError")
        _check_codes((c for c in self.activity_codes.values() if c), ACTIVITY_CODES, "CodeActivite")
        if self.latency_seconds < 0:
            raise ValueError(f"latency_seconds must be >= 0, not {self.latency_seconds}")
        for name in _NAME_SETS:
            object.__setattr__(self, name, frozenset(_norm(v) for v in getattr(self, name)))
        for name in _NAME_MAPPINGS:
            object.__setattr__(self, name, {_norm(k): v for k, v in getattr(self, name).items()})
        object.__setattr__(self, "licences", {k.strip(): v for k, v in self.licences.items()})

    def level_of(self, licence: str) -> int | None:
        """The licence's level (1 or 2), or None when the mock does not know it."""
        return self.licences.get(licence.strip())


_NAME_SETS = (
    "dead_domains",
    "blacklisted_domains",
    "blacklisted_addresses",
    "catch_all_domains",
    "unavailable_domains",
    "disposable_domains",
    "role_accounts",
)
_NAME_MAPPINGS = ("id_errors", "activity_codes")


def _norm(name: str) -> str:
    return name.strip().lower()


def _check_licences(licences: Mapping[str, int]) -> None:
    for licence, level in licences.items():
        if not licence.strip() or level not in LEVELS:
            raise ValueError(f"licence {licence!r}: a non-empty name and a level 1 or 2 needed")


def _check_codes(codes: Iterable[str], known: Collection[str], what: str) -> None:
    for code in codes:
        if code not in known:
            raise ValueError(f"unknown {what} {code!r}; known: {', '.join(known)}")


DEFAULT_DQE_CONFIG = DqeConfig()
