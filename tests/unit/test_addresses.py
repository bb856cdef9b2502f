"""Unit tests for email address syntax checks and address splitting."""

from __future__ import annotations

import pytest

from mock_efidem.domain.addresses import domain_of, is_valid_address, local_part_of


@pytest.mark.parametrize(
    "address",
    [
        "a@b.fr",
        "jean.dupont@exemple.fr",
        "Jean.Dupont@EXEMPLE.FR",
        "first+tag@example.org",
        "o'brien@example.ie",
        "a@b.c",
        "a" * 64 + "@b.fr",
        "a@sub.domain.example.co.uk",
        "été@exemple.fr",
        "jean@société.fr",
        "用户@例子.广告",
        # Reserved and special-use domains are accepted: a mock's clients use them.
        "user@example.com",
        "user@example.net",
        "x@example.test",
        "x@EXAMPLE.TEST",
        "x@foo.invalid",
        "x@foo.localhost",
        "x@foo.local",
        "x@foo.onion",
        "x@10.in-addr.arpa",
    ],
)
def test_valid_addresses(address: str) -> None:
    assert is_valid_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "",
        "   ",
        "a",
        "a@",
        "@b.fr",
        "@",
        "a b@c.fr",
        "a@b c.fr",
        "a@b",
        "x@test",
        "x@localhost",
        "x@invalid",
        "a@@b.fr",
        "a@b@c.fr",
        "a..b@c.fr",
        ".a@c.fr",
        "a.@c.fr",
        "a@-b.fr",
        "a@b..fr",
        "a@b.123",
        "a@[192.0.2.1]",
        '"a b"@c.fr',
        "Name <a@b.fr>",
        "<a@b.fr>",
        " a@b.fr",
        "a@b.fr ",
        "a@b.fr\n",
        "a,b@c.fr",
        "a@b.fr,c@d.fr",
        "a" * 65 + "@b.fr",
    ],
)
def test_invalid_addresses(address: str) -> None:
    assert not is_valid_address(address)


@pytest.mark.parametrize(
    ("address", "domain"),
    [
        ("a@b.fr", "b.fr"),
        ("Jean.Dupont@EXEMPLE.FR", "exemple.fr"),
        ("a@b@c.FR", "c.fr"),
        ("  a@B.fr  ", "b.fr"),
        ("a@", ""),
        ("@b.fr", "b.fr"),
        ("no-at-sign", ""),
        ("", ""),
    ],
)
def test_domain_of(address: str, domain: str) -> None:
    assert domain_of(address) == domain


@pytest.mark.parametrize(
    ("address", "local_part"),
    [
        ("a@b.fr", "a"),
        ("Jean.Dupont@EXEMPLE.FR", "Jean.Dupont"),
        ("a@b@c.fr", "a@b"),
        ("  Jean@b.fr  ", "Jean"),
        ("a@", "a"),
        ("@b.fr", ""),
        ("no-at-sign", ""),
        ("", ""),
    ],
)
def test_local_part_of(address: str, local_part: str) -> None:
    assert local_part_of(address) == local_part
