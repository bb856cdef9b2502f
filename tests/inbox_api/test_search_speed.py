"""A search stays fast with 100,000 stored messages: the first page of 50 for a text in
every message, or in one only, well under 100 ms over HTTP.

The messages are stored through the domain backend (what a SOAP send does after
parsing: the first through the whole error table, the others through the
operation's handler), so that 100,000 take seconds."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mock_efidem.domain.backend import HANDLERS, EfidemBackend, ValidCall
from mock_efidem.server import MockServer
from mock_efidem.settings import Settings

STORED = 100_000
TARGET_MS = 100.0


def email(number: int) -> dict[str, Any]:
    return {
        "user": "demo",
        "password": "demo",
        "app_id": "demo",
        "recipient": f"client{number}@example.fr",
        "subject": f"Facture {number}",
        "text": "Bonjour, voici votre facture du mois. " * 6,
        "sender": "app@example.com",
    }


def fill(backend: EfidemBackend, count: int) -> None:
    assert backend.call("send_email", email(0)).ok
    account = backend.accounts.named("demo")
    assert account is not None
    send = HANDLERS["send_email"]
    for number in range(1, count):
        send(backend, ValidCall("send_email", account, email(number)))


@pytest.fixture(scope="module")
def crowded() -> Iterator[MockServer]:
    with MockServer(Settings(port=0)) as server:
        server.world.backend.clock.freeze()
        fill(server.world.backend, STORED)
        yield server


def best_ms(session: requests.Session, url: str, params: dict[str, Any]) -> float:
    """The best of 7, as timeit reports: the slower ones measure the machine's load."""
    session.get(url, params=params, timeout=60)  # the first search prepares each message
    times = []
    for _ in range(7):
        started = time.perf_counter()
        answer = session.get(url, params=params, timeout=60)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200
    return min(times)


@pytest.mark.parametrize(
    ("params", "count", "total"),
    [
        ({"q": "FACTURE", "limit": 50}, 50, STORED),  # every message matches
        ({"q": f"client{STORED // 2}@", "limit": 50}, 1, 1),  # one does
        ({"q": "facture", "account": "demo", "channel": "email", "limit": 50}, 50, STORED),
        ({"q": "facture", "final": "false", "limit": 50}, 50, STORED),
    ],
    ids=["common", "rare", "indexed", "not-final"],
)
def test_a_search_of_100000_messages_is_well_under_100_ms(
    crowded: MockServer, params: dict[str, Any], count: int, total: int
) -> None:
    url = f"{crowded.base_url}/_mock/messages"
    with requests.Session() as session:
        page = session.get(url, params=params, timeout=60).json()
        took = best_ms(session, url, params)
    assert (page["count"], page["total"]) == (count, total)
    assert took < TARGET_MS, f"{params}: {took:.1f} ms"
