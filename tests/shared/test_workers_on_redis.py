"""``serve --workers 2 --store redis://…`` over real HTTP, as a load balancer's users
see it: any connection may land on any worker, and every worker answers alike.

A connection's worker is known by asking ``/_mock/health`` (its ``pid``) on the same
kept-alive connection before the call that checks something; ``on_every_worker`` opens
fresh connections until both workers have answered the check."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

from mock_efidem.scenario.watch import POLL_SECONDS
from tests.inbox_api.conftest import Listener
from tests.lifecycle import test_concurrency as concurrency
from tests.lifecycle.test_concurrency import SoapCaller, coherence_problems, every_page
from tests.redis_server import RedisServer
from tests.shared.conftest import Address, Served, fresh, serving

WORKERS = 2
CONNECTIONS_TRIED = 400
FORCED = {"operation": "STATUT_SMS", "when": {"MESSAGEID": "forced"}, "code": -6}
UNREACHABLE = "the mock's store is unreachable"
SERVER_FAULT = re.compile(r"<faultcode>\w+:Server</faultcode>")
"""Before the call (the mock's own fault) or during it (spyne's), a SOAP Server fault."""
EMAIL = {
    "DESTINATION": "jean@example.fr",
    "SUJET": "Bonjour",
    "TEXTE": "Bienvenue",
    "EMETTEUR": "shop@example.com",
}
SMS = {"DESTINATION": "0601021234", "TEXTE": "Bonjour"}


def on_every_worker(mock: Served, check: Callable[[requests.Session], Any]) -> list[Any]:
    """``check`` run on fresh connections until every worker has run it: what each
    worker answered (one answer per worker, in pid order)."""
    answers: dict[int, Any] = {}
    for _ in range(CONNECTIONS_TRIED):
        with requests.Session() as session:
            pid = session.get(f"{mock.base_url}/_mock/health", timeout=30).json()["pid"]
            if pid not in answers:
                answers[pid] = check(session)
        if len(answers) == WORKERS:
            return [answers[pid] for pid in sorted(answers)]
    raise AssertionError(f"{CONNECTIONS_TRIED} connections reached workers {sorted(answers)}")


def send(mock: Address, operation: str = "ENVOYER_EMAIL", **fields: str) -> str:
    return SoapCaller(mock).call(operation, fields or EMAIL)


def test_8000_sends_on_two_workers_get_distinct_ids_and_legal_histories(mock: Served) -> None:
    # tests/lifecycle's concurrency test, whole: 16 threads x 500 sends, pollers and a
    # clock advancing meanwhile, then every history checked.
    concurrency.test_concurrent_sends_polls_and_advances_keep_ids_unique_and_histories_legal(mock)

    stored = [m for page in every_page(f"{mock.base_url}/_mock/messages") for m in page["messages"]]
    sample = stored[:: len(stored) // 40]
    for message in sample:
        operation = {"sms": "STATUT_SMS", "email": "STATUT_EMAIL"}.get(message["channel"])
        if operation is None:
            continue

        def polled(session: requests.Session, message_id: str = message["id"]) -> Any:
            listed = session.get(f"{mock.base_url}/_mock/messages/{message_id}", timeout=30)
            return listed.json()["recipients"][0]["status"]

        assert len(set(on_every_worker(mock, polled))) == 1, message["id"]


def test_what_one_connection_changes_every_worker_sees(mock: Served) -> None:
    control = f"{mock.base_url}/_mock"
    sms = send(mock, "ENVOYER_SMS", **SMS)

    forced = fresh("POST", f"{control}/messages/{sms}/status", json={"status": "not_delivered"})
    assert forced.status_code == 200, forced.text

    def status(session: requests.Session) -> str:
        read = session.get(f"{control}/messages/{sms}", timeout=30).json()
        return str(read["recipients"][0]["status"])

    assert on_every_worker(mock, status) == ["not_delivered"] * WORKERS

    fresh("POST", f"{control}/clock/freeze", json={})
    moved = fresh("POST", f"{control}/clock/advance", json={"seconds": 3600}).json()["now"]
    clocks = on_every_worker(mock, lambda s: s.get(f"{control}/clock", timeout=30).json()["now"])
    assert clocks == [moved] * WORKERS

    added = fresh("POST", f"{control}/rules", json={"section": "responses", "rule": FORCED})
    assert added.status_code == 201, added.text

    def forced_answer(session: requests.Session) -> str:
        caller = SoapCaller(mock)
        caller.http = session
        return caller.call("STATUT_SMS", {"MESSAGEID": "forced"})

    assert on_every_worker(mock, forced_answer) == ["-6"] * WORKERS

    assert fresh("POST", f"{control}/reset", json={}).status_code == 200

    def after_reset(session: requests.Session) -> tuple[int, list[str], bool]:
        listed = session.get(f"{control}/messages", timeout=30).json()["count"]
        rules = session.get(f"{control}/rules", timeout=30).json()["rules"]
        frozen = session.get(f"{control}/clock", timeout=30).json()["frozen"]
        return listed, [r["id"] for r in rules if r["added"]], frozen

    assert on_every_worker(mock, after_reset) == [(0, [], False)] * WORKERS
    assert on_every_worker(mock, forced_answer) == ["-8"] * WORKERS


def test_kill_9_and_a_restart_keep_messages_histories_clock_and_rules(
    redis: RedisServer, prefix: str
) -> None:
    with serving(redis, prefix) as before:
        control = f"{before.base_url}/_mock"
        fresh("POST", f"{control}/clock/freeze", json={})
        sent = [send(before), send(before, "ENVOYER_SMS", **SMS), send(before)]
        fresh("POST", f"{control}/clock/advance", json={"seconds": 5})
        fresh("POST", f"{control}/messages/{sent[1]}/status", json={"status": "delivered"})
        rule = fresh("POST", f"{control}/rules", json={"section": "responses", "rule": FORCED})
        kept = {
            "messages": fresh("GET", f"{control}/messages").json()["messages"],
            "clock": fresh("GET", f"{control}/clock").json(),
            "rules": fresh("GET", f"{control}/rules").json(),
        }
        calls = fresh("GET", f"{control}/journal/count", params={"protocol": "soap"}).json()
        before.kill()

    with serving(redis, prefix) as after:
        control = f"{after.base_url}/_mock"
        assert fresh("GET", f"{control}/messages").json()["messages"] == kept["messages"]
        assert fresh("GET", f"{control}/clock").json() == kept["clock"]
        assert fresh("GET", f"{control}/rules").json() == kept["rules"]
        assert [m["id"] for m in kept["messages"]] == sent[::-1]
        assert fresh("GET", f"{control}/journal/count", params={"protocol": "soap"}).json() == calls
        caller = SoapCaller(after)
        assert caller.call("STATUT_SMS", {"MESSAGEID": "forced"}) == "-6"
        assert rule.json()["id"] in {r["id"] for r in kept["rules"]["rules"]}
        assert send(after) not in sent


def test_with_redis_stopped_each_protocol_says_so_and_nothing_accepted_is_lost(
    redis: RedisServer, mock: Served
) -> None:
    accepted: list[str] = []
    refused: list[str] = []
    stop = threading.Event()

    def keep_sending() -> None:
        while not stop.is_set():
            answer = fresh(
                "POST",
                mock.soap_url,
                data=_envelope("ENVOYER_EMAIL", EMAIL).encode(),
                headers={"Content-Type": "text/xml; charset=utf-8"},
            )
            found = re.search(r"Result>([0-9a-f]{32})<", answer.text)
            (accepted if found else refused).append(found.group(1) if found else answer.text)
            time.sleep(0.01)

    sender = threading.Thread(target=keep_sending)
    sender.start()
    try:
        _wait_for(lambda: len(accepted) >= 20)
        redis.stop()
        _wait_for(lambda: len(refused) >= 3)

        health = fresh("GET", f"{mock.base_url}/_mock/health")
        assert health.status_code == 503 and UNREACHABLE in health.json()["error"]
        listed = fresh("GET", f"{mock.base_url}/_mock/messages")
        assert listed.status_code == 503 and UNREACHABLE in listed.json()["error"]
        assert all(SERVER_FAULT.search(r) for r in refused), refused[:1]
        assert all(UNREACHABLE in r for r in refused)
        lookup = fresh(
            "GET",
            f"{mock.base_url}/DQEEMAILLOOKUP/",
            params={"Email": "jean@example.fr", "Licence": "DQE-DEMO-L1"},
        )
        assert lookup.json()["1"]["IdError"] == "99"
        assert fresh("GET", f"{mock.soap_url}?wsdl").status_code == 200  # needs no store

        before_restart = len(accepted)
        redis.start()
        _wait_for(lambda: fresh("GET", f"{mock.base_url}/_mock/health").status_code == 200)
        _wait_for(lambda: len(accepted) >= before_restart + 20)
    finally:
        stop.set()
        sender.join()

    stored = {
        m["id"] for page in every_page(f"{mock.base_url}/_mock/messages") for m in page["messages"]
    }
    # A send whose answer was lost with Redis may be stored though refused: never the
    # other way round.
    assert set(accepted) <= stored
    messages = [fresh("GET", f"{mock.base_url}/_mock/messages/{i}").json() for i in accepted[:50]]
    assert [p for m in messages for p in coherence_problems(m)] == []


def _envelope(operation: str, fields: dict[str, str]) -> str:
    elements = "".join(
        f"<e:{name}>{value}</e:{name}>"
        for name, value in {
            "UTILISATEUR": "demo",
            "MOT_DE_PASSE": "demo",
            "AppID": "demo",
            **fields,
        }.items()
    )
    return (
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:e="http://www.efidem.com/"><s:Body><e:{operation}>{elements}'
        f"</e:{operation}></s:Body></s:Envelope>"
    )


def _wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within 30 s"
        time.sleep(0.05)


def test_a_listener_on_one_worker_hears_what_every_worker_does(mock: Served) -> None:
    listener = Listener(mock.base_url)  # on one worker, whichever

    sent: list[str] = []  # in the order sent, which is the order heard

    def send_here(session: requests.Session) -> None:
        caller = SoapCaller(mock)
        caller.http = session
        sent.append(caller.call("ENVOYER_EMAIL", EMAIL))

    try:
        on_every_worker(mock, send_here)  # one send through each worker
        for message_id in sent:
            listener.next("message", timeout=10, id=message_id, change="created")

        def calls() -> list[tuple[str, str]]:
            heard = [e.data for e in listener.heard if e.name == "call"]
            return [(c["operation"], c["result"]) for c in heard]

        _wait_for(lambda: len(calls()) >= WORKERS)
        assert calls() == [("ENVOYER_EMAIL", "ok")] * WORKERS
        fresh("POST", f"{mock.base_url}/_mock/clock/freeze", json={})
        assert listener.next("clock", timeout=10).data["frozen"] is True
    finally:
        listener.close()


def test_an_edit_watched_by_every_worker_restarts_the_world_once(
    redis: RedisServer, prefix: str, tmp_path: Path
) -> None:
    scenario = tmp_path / "watched.yaml"
    scenario.write_text("name: before\n")
    world = redis_client(redis)
    with serving(redis, prefix, "--scenario", str(scenario), "--watch") as mock:
        control = f"{mock.base_url}/_mock"
        started = int(world.hget(f"{prefix}:world", "g") or 0)
        scenario.write_text("name: after\n")

        def name(session: requests.Session) -> str:
            return str(session.get(f"{control}/scenario", timeout=30).json()["name"])

        _wait_for(lambda: on_every_worker(mock, name) == ["after"] * WORKERS)
        kept = send(mock)
        time.sleep(4 * POLL_SECONDS)  # every worker's watcher has seen the edit by now
        assert int(world.hget(f"{prefix}:world", "g") or 0) == started + 1
        assert [m["id"] for m in fresh("GET", f"{control}/messages").json()["messages"]] == [kept]


def redis_client(redis: RedisServer) -> Any:
    import redis as redis_py

    return redis_py.Redis.from_url(redis.url)


def sessions_by_worker(mock: Served) -> dict[int, requests.Session]:
    """A kept-alive connection to each worker (its pid: the connection's worker)."""
    sessions: dict[int, requests.Session] = {}
    for _ in range(CONNECTIONS_TRIED):
        session = requests.Session()
        pid = session.get(f"{mock.base_url}/_mock/health", timeout=30).json()["pid"]
        if pid in sessions:
            session.close()
        else:
            sessions[pid] = session
        if len(sessions) == WORKERS:
            return sessions
    raise AssertionError(f"{CONNECTIONS_TRIED} connections reached workers {sorted(sessions)}")


def test_a_long_poll_on_one_worker_wakes_for_a_send_through_another(mock: Served) -> None:
    waiter, sender = sessions_by_worker(mock).values()
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(
            waiter.get,
            f"{mock.base_url}/_mock/messages",
            params={"channel": "sms", "wait": "20"},
            timeout=60,
        )
        time.sleep(0.5)  # the poll waits on its worker by now (the wait below is 20 s)
        caller = SoapCaller(mock)
        caller.http = sender
        sent = caller.call("ENVOYER_SMS", SMS)
        answer = waiting.result()
    assert [m["id"] for m in answer.json()["messages"]] == [sent]
