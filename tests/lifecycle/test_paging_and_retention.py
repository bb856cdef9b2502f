"""A store whose cost does not grow with its size, seen over HTTP: paged listings, the
retention bound, order after a partial reset, and long polls that cost nothing while
they wait.

Messages are filled through the domain backend (what a SOAP send does after parsing),
so that tens of thousands take seconds; everything is then read over HTTP.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mock_efidem.domain.accounts import Account
from mock_efidem.domain.backend import EfidemBackend
from mock_efidem.server import MockServer
from mock_efidem.settings import Settings

AUTH = {"user": "demo", "password": "demo", "app_id": "demo"}


def send_email(backend: EfidemBackend, recipient: str = "jean@example.fr", **more: Any) -> str:
    fields = {**AUTH, "recipient": recipient, "subject": "s", "text": "t", **more}
    outcome = backend.call("send_email", {**fields, "sender": "app@example.com"})
    assert outcome.ok, outcome
    return str(outcome.value)


def send_sms(backend: EfidemBackend) -> str:
    outcome = backend.call("send_sms", {**AUTH, "recipient": "0601020304", "text": "hi"})
    assert outcome.ok, outcome
    return str(outcome.value)


def listing(server: MockServer, **params: Any) -> requests.Response:
    return requests.get(f"{server.base_url}/_mock/messages", params=params, timeout=30)


def pages(server: MockServer, **params: Any) -> Iterator[dict[str, Any]]:
    while True:
        page = listing(server, **params).json()
        yield page
        if page["next"] is None:
            return
        params["before"] = page["next"]


@pytest.fixture
def backend(server: MockServer) -> EfidemBackend:
    server.world.backend.clock.freeze()
    return server.world.backend


def test_pages_walk_every_message_once_newest_first(
    server: MockServer, backend: EfidemBackend
) -> None:
    sent = [send_email(backend) for _ in range(250)]

    walked = list(pages(server, limit=100))

    assert [len(p["messages"]) for p in walked] == [100, 100, 50]
    assert {p["total"] for p in walked} == {250}
    assert [m["id"] for p in walked for m in p["messages"]] == sent[::-1]


def test_the_default_page_holds_100_and_says_how_many_there_are(
    server: MockServer, backend: EfidemBackend
) -> None:
    for _ in range(120):
        send_email(backend)
    first = listing(server).json()
    second = listing(server, before=first["next"]).json()
    assert (first["count"], first["total"], second["count"]) == (100, 120, 20)
    assert second["next"] is None


def test_filtered_listings_page_and_count_only_what_matches(
    server: MockServer, backend: EfidemBackend
) -> None:
    emails = [send_email(backend, f"user{n}@example.fr") for n in range(30)]
    sms = [send_sms(backend) for _ in range(30)]

    by_channel = list(pages(server, channel="sms", limit=20))
    by_recipient = list(pages(server, recipient="user1", limit=4))

    assert [m["id"] for p in by_channel for m in p["messages"]] == sms[::-1]
    assert {p["total"] for p in by_channel} == {30}
    user1 = [emails[1], *emails[10:20]][::-1]  # user1, user10 … user19
    assert [m["id"] for p in by_recipient for m in p["messages"]] == user1
    assert {p["total"] for p in by_recipient} == {11}


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 1001}, {"limit": "ten"}, {"before": -3}, {"before": "x"}],
)
def test_a_bad_limit_or_cursor_is_a_400_naming_it(
    server: MockServer, params: dict[str, Any]
) -> None:
    response = listing(server, **params)
    assert response.status_code == 400
    assert next(iter(params)) in response.json()["error"]


def test_newest_first_holds_after_another_accounts_reset(
    server: MockServer, backend: EfidemBackend
) -> None:
    """The arrival order once shrank with a reset, so later messages sorted below
    older ones of the other account."""
    backend.accounts.add(Account("other", "pw", "app"))
    other = {"user": "other", "password": "pw", "app_id": "app"}
    for _ in range(5):
        send_email(backend, **other)
    first = [send_email(backend) for _ in range(3)]
    requests.post(
        f"{server.base_url}/_mock/reset", json={"account": "other"}, timeout=10
    ).raise_for_status()
    later = [send_email(backend) for _ in range(2)]
    assert [m["id"] for m in listing(server).json()["messages"]] == (first + later)[::-1]


@pytest.fixture(scope="module")
def bounded() -> Iterator[MockServer]:
    with MockServer(Settings(port=0, max_messages=5)) as running:
        yield running


def test_the_retention_bound_evicts_the_oldest_final_messages_never_a_pending_one(
    bounded: MockServer,
) -> None:
    backend = bounded.world.backend
    backend.clock.freeze()
    final = [send_email(backend) for _ in range(4)]
    backend.clock.advance(86_400)  # every default path has ended
    pending = [send_email(backend) for _ in range(3)]
    assert ids(bounded) == [*final[2:], *pending][::-1]  # 7 > 5: two final ones went

    pending += [send_email(backend) for _ in range(3)]

    assert ids(bounded) == pending[::-1]  # only pending ones left: none evicted
    assert listing(bounded).json()["total"] == 6
    for message_id in final:
        response = requests.get(f"{bounded.base_url}/_mock/messages/{message_id}", timeout=10)
        assert response.status_code == 404


def ids(server: MockServer) -> list[str]:
    return [m["id"] for m in listing(server, limit=1000).json()["messages"]]


def test_a_long_poll_is_woken_by_a_send(server: MockServer, backend: EfidemBackend) -> None:
    timer = threading.Timer(0.3, send_sms, args=(backend,))
    started = time.monotonic()
    timer.start()
    page = listing(server, channel="sms", wait=10).json()
    timer.join()
    assert page["count"] == 1
    assert 0.3 <= time.monotonic() - started < 2.0


def test_a_long_poll_wakes_when_a_step_falls_due_on_the_running_clock(
    server: MockServer,
) -> None:
    backend = server.world.backend
    message_id = send_email(backend)  # the running clock: "sent" is due after 1 s
    started = time.monotonic()
    page = listing(server, status="sent", wait=10).json()
    assert [m["id"] for m in page["messages"]] == [message_id]
    assert 0.8 <= time.monotonic() - started < 2.5


def test_a_10_s_long_poll_costs_under_50_ms_of_cpu_over_50000_messages(
    server: MockServer, backend: EfidemBackend
) -> None:
    for n in range(50_000):
        send_email(backend, f"user{n}@example.fr")
    backend.clock.advance(86_400)
    backend.settle_due()
    backend.clock.unfreeze()
    requests.get(f"{server.base_url}/_mock/health", timeout=10)  # a warm connection pool

    cpu, started = time.process_time(), time.monotonic()
    page = listing(server, channel="sms", wait=10).json()
    waited, spent = time.monotonic() - started, time.process_time() - cpu

    assert page["count"] == 0 and waited >= 10
    assert spent < 0.05, f"the long poll cost {spent:.3f} s of CPU"


@pytest.mark.parametrize(
    ("path", "params", "says"),
    [
        (
            "/messages",
            {"chanel": "sms"},
            "chanel (did you mean channel?); accepted: channel, account",
        ),
        ("/messages", {"xyz": "1"}, "unknown parameter xyz; accepted: channel, account"),
        ("/messages", {"channel": "pigeon"}, '"channel" must be one of email'),
        (
            "/messages",
            {"status": "deliverd"},
            "no status is named 'deliverd'; did you mean delivered?",
        ),
        ("/journal", {"operaton": "X"}, "(did you mean operation?); accepted: protocol, operation"),
    ],
)
def test_a_misspelt_filter_is_a_400_naming_the_accepted_ones(
    server: MockServer, path: str, params: dict[str, str], says: str
) -> None:
    response = requests.get(f"{server.base_url}/_mock{path}", params=params, timeout=10)
    assert response.status_code == 400
    assert says in response.json()["error"]


def test_the_python_api_reports_a_misspelt_filter(server: MockServer) -> None:
    from mock_efidem.api import MockApiError, MockEfidem

    with pytest.raises(MockApiError, match="unknown parameter chanel"):
        MockEfidem.connect(server.base_url).messages(chanel="sms")
