"""One Redis connection pool per mock, named keys, and Redis's failures in our words.

Every command is a round trip to a server that may be gone, or full: ``guarded`` turns
redis-py's errors (unreachable, or a refusal such as OOM) into the domain's
``StoreUnavailable``, which the protocol edges answer as the contract says (a SOAP
Server fault, DQE's IdError 99, a 503). redis-py reconnects by itself once the server
is back.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from mock_efidem.domain.store import StoreUnavailable

CONNECTIONS = 160
"""Per process: the worker threads, plus a blocking read per long poll and event stream."""
COMMAND_SECONDS = 5.0
CONNECT_SECONDS = 1.0

P = ParamSpec("P")
T = TypeVar("T")


class Keys:
    """Every key of one mock starts with its prefix and a colon."""

    def __init__(self, prefix: str) -> None:
        self.prefix = f"{prefix}:"

    def __call__(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)


def connect(url: str) -> redis.Redis:
    """A client of the Redis at ``url``: a bounded pool, short timeouts, two quick retries
    (a pooled connection the server dropped is reopened), bytes in and out."""
    pool = redis.BlockingConnectionPool.from_url(
        url,
        max_connections=CONNECTIONS,
        timeout=COMMAND_SECONDS,
        socket_timeout=COMMAND_SECONDS,
        socket_connect_timeout=CONNECT_SECONDS,
        retry=Retry(ExponentialBackoff(cap=0.05, base=0.01), 2),
    )
    return redis.Redis(connection_pool=pool)


def unlink_matching(client: redis.Redis, pattern: str, batch: int = 1000) -> None:
    """Drop every key matching ``pattern``, a batch at a time (SCAN: Redis never blocks
    on the whole keyspace, and no list of every key is held here)."""
    found: list[bytes] = []
    for key in client.scan_iter(match=pattern, count=batch):
        found.append(key)
        if len(found) >= batch:
            client.unlink(*found)
            found.clear()
    if found:
        client.unlink(*found)


def describe(url: str) -> str:
    """The store's address without its password, for messages."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


def guarded(method: Callable[P, T]) -> Callable[P, T]:
    """A method of an object with a ``url`` whose Redis failures are StoreUnavailable."""

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> T:
        try:  # (not a context manager: a generator's cost, on every command)
            return method(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError) as error:
            raise _failed("is unreachable", getattr(args[0], "url", ""), error) from error
        except RedisError as error:  # e.g. OOM: Redis at its maxmemory refuses writes
            raise _failed("refused the call", getattr(args[0], "url", ""), error) from error

    return call


def _failed(what: str, url: str, error: Exception) -> StoreUnavailable:
    return StoreUnavailable(f"the mock's store {what} (Redis at {describe(url)}): {error}")
