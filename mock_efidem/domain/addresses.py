"""Email addresses: syntax check and the two halves of an address.

Only the syntax is checked, with the `email-validator` library: no DNS query is
ever made. Addresses are bare ("a@b.fr", not "Name <a@b.fr>"); international
characters are allowed on both sides of the "@".

Reserved and special-use domains (example.com, *.test, *.invalid, *.localhost...)
are accepted, since clients of a mock send to exactly those.
"""

from __future__ import annotations

from functools import lru_cache

# email_validator is imported by the functions: 17 ms of start-up a server that never
# checks an address (a DQE-only test run) need not pay.

# Any ordinary top-level domain would do; "example" is itself reserved for examples.
_STAND_IN_TOP_LEVEL_DOMAIN = "example"


@lru_cache(maxsize=4096)
def is_valid_address(address: str) -> bool:
    """True when `address` is a syntactically valid bare email address.

    Cached: email-validator costs about 45 µs a call, and applications send to and
    from the same few addresses again and again."""
    from email_validator import EmailNotValidError, validate_email

    # Every option is spelt out, so email-validator's module-wide defaults have no say.
    try:
        validate_email(
            _with_ordinary_domain(address),
            allow_smtputf8=True,
            allow_empty_local=False,
            allow_display_name=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            check_deliverability=False,
            strict=True,  # enforces RFC 5321's 64-character limit on the local part
            test_environment=False,
            globally_deliverable=True,
        )
    except EmailNotValidError:
        return False
    return True


def domain_of(address: str) -> str:
    """The part after the last "@", lowercased; "" when there is no "@"."""
    _, at_sign, domain = address.strip().rpartition("@")
    return domain.lower() if at_sign else ""


def local_part_of(address: str) -> str:
    """The part before the last "@", case kept; "" when there is no "@"."""
    local_part, at_sign, _ = address.strip().rpartition("@")
    return local_part if at_sign else ""


def _with_ordinary_domain(address: str) -> str:
    """The address with a special-use domain suffix swapped for an ordinary one.

    email-validator refuses special-use names outright, whatever the options
    (only ".test" can be let through). Swapping the suffix keeps every other
    check, including "the domain needs a dot": "x@localhost" stays refused.
    """
    from email_validator import SPECIAL_USE_DOMAIN_NAMES

    local_part, at_sign, domain = address.rpartition("@")
    lowered = domain.lower()
    for name in SPECIAL_USE_DOMAIN_NAMES:
        if at_sign and (lowered == name or lowered.endswith("." + name)):
            ordinary = lowered[: len(lowered) - len(name)] + _STAND_IN_TOP_LEVEL_DOMAIN
            return f"{local_part}@{ordinary}"
    return address
