"""What the mock says of its Redis: never its password."""

from __future__ import annotations

import pytest

from mock_efidem.shared.connection import describe


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("redis://:s3cret@redis.internal:6379/1", "redis://redis.internal:6379/1"),
        ("rediss://user:p@ss@cache:6380/0", "rediss://cache:6380/0"),
        ("unix:///run/redis.sock", "unix:///run/redis.sock"),
    ],
)
def test_the_store_is_named_without_its_password(url: str, said: str) -> None:
    assert describe(url) == said
