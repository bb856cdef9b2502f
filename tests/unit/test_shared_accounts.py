"""Accounts on Redis: what one process adds or opens, every process knows."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from mock_efidem.domain.accounts import DEMO_ACCOUNT, Account, Credentials
from mock_efidem.shared.connection import connect
from mock_efidem.shared.world import SharedAccounts, SharedWorld
from tests.redis_server import RedisServer

_prefixes = itertools.count(1)


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with RedisServer() as running:
        yield running.url


def registries(url: str, open: bool) -> tuple[SharedAccounts, SharedAccounts]:
    """Two processes' registries of one world."""
    prefix = f"accounts-{next(_prefixes)}"
    return tuple(  # type: ignore[return-value]
        SharedAccounts(SharedWorld(connect(url), url, prefix), [DEMO_ACCOUNT], open)
        for _ in range(2)
    )


@pytest.mark.parametrize("open_mode", [False, True])
def test_an_account_added_in_one_process_signs_in_through_another(
    redis_url: str, open_mode: bool
) -> None:
    here, there = registries(redis_url, open_mode)
    here.add(Account("other", "pw", "app", fax_enabled=False))
    found = there.authenticate(Credentials("other", "pw", "app"))
    assert found is not None and (found.name, found.fax_enabled) == ("other", False)
    assert there.authenticate(Credentials("other", "wrong", "app")) is None
    assert there.names() == ["demo", "other"]


def test_an_open_tenant_keeps_the_password_it_was_opened_with(redis_url: str) -> None:
    here, there = registries(redis_url, open=True)
    opened = here.authenticate(Credentials("ci", "first", "job"))
    assert opened is not None and opened.name == "ci/job"
    assert there.authenticate(Credentials("ci", "second", "job")) is None
    assert there.authenticate(Credentials("ci", "first", "job")) is not None
