"""``serve --store redis://…`` before its Redis is up, on a Redis that holds a world
already, and on a Redis that is full."""

from __future__ import annotations

import tempfile

import requests

from tests.processes import served, stderr_of
from tests.redis_server import RedisServer
from tests.shared.conftest import Address
from tests.shared.test_workers_on_redis import (
    EMAIL,
    SERVER_FAULT,
    UNREACHABLE,
    _envelope,
    _wait_for,
    redis_client,
    send,
)


def test_a_mock_started_before_its_redis_serves_once_redis_answers(prefix: str) -> None:
    redis = RedisServer()  # not started yet
    try:
        with served("--store", redis.url, "--store-prefix", prefix) as (_, base):
            waiting = requests.get(f"{base}/_mock/health", timeout=30)
            assert waiting.status_code == 503 and UNREACHABLE in waiting.json()["error"]
            redis.start()
            _wait_for(lambda: requests.get(f"{base}/_mock/health", timeout=30).ok)
            health = requests.get(f"{base}/_mock/health", timeout=30).json()
            assert (health["store"], health["store_prefix"]) == (redis.url, prefix)
            scenario = requests.get(f"{base}/_mock/scenario", timeout=30).json()
            assert scenario["name"] == "default"
            sent = send(Address(base))
            listed = requests.get(f"{base}/_mock/messages", timeout=30).json()["messages"]
            assert [m["id"] for m in listed] == [sent]
    finally:
        redis.stop()


def test_a_mock_adopts_the_world_its_redis_holds_and_says_so(
    redis: RedisServer, prefix: str
) -> None:
    with served("--store", redis.url, "--store-prefix", prefix) as (_, base):
        kept = send(Address(base))
    adopting = ("--store", redis.url, "--store-prefix", prefix, "--scenario", "chaos")
    with tempfile.TemporaryFile("w+") as log:
        with served(*adopting, stderr=log) as (process, base):
            scenario = requests.get(f"{base}/_mock/scenario", timeout=30).json()
            listed = requests.get(f"{base}/_mock/messages", timeout=30).json()["messages"]
        said = stderr_of(process, log)
    assert scenario["name"] == "default" and [m["id"] for m in listed] == [kept]
    assert "holds a world already: its scenario 'default' is served, not 'chaos'" in said


def test_a_full_redis_refuses_with_a_server_fault_and_the_mock_goes_on(
    redis: RedisServer, prefix: str
) -> None:
    admin = redis_client(redis)
    with served("--store", redis.url, "--store-prefix", prefix) as (_, base):
        kept = send(Address(base))
        admin.config_set("maxmemory", "1")  # below what it holds: every write refused
        try:
            refused = requests.post(
                f"{base}/soap",
                data=_envelope("ENVOYER_EMAIL", EMAIL),
                headers={"Content-Type": "text/xml; charset=utf-8"},
                timeout=30,
            )
        finally:
            admin.config_set("maxmemory", "0")
        assert refused.status_code == 500 and SERVER_FAULT.search(refused.text)
        assert "the mock's store refused the call" in refused.text
        assert "used memory &gt; 'maxmemory'" in refused.text
        again = send(Address(base))
        listed = requests.get(f"{base}/_mock/messages", timeout=30).json()["messages"]
        assert [m["id"] for m in listed] == [again, kept]


def test_a_mock_whose_redis_is_down_still_stops_cleanly(prefix: str) -> None:
    redis = RedisServer().start()
    try:
        with served("--store", redis.url, "--store-prefix", prefix) as (process, base):
            send(Address(base))
            redis.stop()
            assert requests.get(f"{base}/_mock/health", timeout=30).status_code == 503
        assert process.returncode == 0
    finally:
        redis.stop()
