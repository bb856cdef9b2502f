"""What the mock knows about domains, without ever asking DNS.

- Reserved names (RFC 2606 / RFC 6761) do not exist: email-validator's list of
  special-use names (``invalid``, ``test``, ``local``, ``localhost``, ``onion``,
  ``arpa``). ``example`` and ``example.com`` are left alive, since tests use them.
- Disposable providers come from the ``disposable-email-domains`` package: the
  Python mirror of the community-maintained disposable-email-domains blocklist
  (over 10,000 domains, released several times a month), so the mock knows the
  same throw-away providers as the sign-up forms that block them.
- A near miss is one edit (insertion, deletion, substitution or swap of two
  neighbouring letters) away from a well-known provider: ``gmial.com``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from disposable_email_domains import blocklist as DISPOSABLE_DOMAINS
from email_validator import SPECIAL_USE_DOMAIN_NAMES

WELL_KNOWN_PROVIDERS: tuple[str, ...] = (
    "gmail.com",
    "hotmail.com",
    "hotmail.fr",
    "outlook.com",
    "outlook.fr",
    "yahoo.com",
    "yahoo.fr",
    "orange.fr",
    "free.fr",
    "sfr.fr",
    "laposte.net",
    "wanadoo.fr",
    "live.com",
    "live.fr",
    "icloud.com",
    "gmx.fr",
    "bbox.fr",
    "neuf.fr",
    "aol.com",
    "msn.com",
    "googlemail.com",
    "protonmail.com",
    # Real providers one edit away from another: listed so they are never "typos".
    "ymail.com",
    "mail.com",
    "email.com",
)
"""In order of preference when a near miss is one edit away from two of them."""

__all__ = [
    "DISPOSABLE_DOMAINS",
    "WELL_KNOWN_PROVIDERS",
    "in_domains",
    "is_disposable",
    "is_reserved",
    "provider_near_miss",
    "suffixes",
]


def suffixes(domain: str) -> Iterator[str]:
    """The domain and each parent, most specific first: a.b.fr, b.fr, fr."""
    labels = domain.split(".")
    for start in range(len(labels)):
        yield ".".join(labels[start:])


def in_domains(domain: str, names: Collection[str]) -> bool:
    """True when the domain or one of its parents is in ``names``."""
    return bool(domain) and any(suffix in names for suffix in suffixes(domain))


def is_reserved(domain: str) -> bool:
    return in_domains(domain, SPECIAL_USE_DOMAIN_NAMES)


def is_disposable(domain: str, extra: Collection[str] = ()) -> bool:
    return in_domains(domain, DISPOSABLE_DOMAINS) or in_domains(domain, extra)


def provider_near_miss(domain: str) -> str | None:
    """The well-known provider that ``domain`` misspells, if any."""
    if domain in WELL_KNOWN_PROVIDERS:
        return None
    return next((p for p in WELL_KNOWN_PROVIDERS if one_edit_apart(domain, p)), None)


def one_edit_apart(first: str, second: str) -> bool:
    """Exactly one insertion, deletion, substitution or adjacent swap apart."""
    if first == second or abs(len(first) - len(second)) > 1:
        return False
    if len(first) != len(second):
        shorter, longer = sorted((first, second), key=len)
        return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))
    differing = [i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b]
    if len(differing) == 1:
        return True
    i, j = differing[0], differing[-1]
    return len(differing) == 2 and j == i + 1 and first[i] == second[j] and first[j] == second[i]
