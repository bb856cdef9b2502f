"""The journal in a real Redis: what ``Journal`` does in memory, shared by several
processes (each one here a client and a ``RedisJournal`` of its own) and by nobody
else."""

from __future__ import annotations

import base64
import dataclasses
import json
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import redis

from mock_efidem.journal import Body, Journal, JournalEntry, JournalQuery, Request, Response
from mock_efidem.shared.journal import RedisJournal
from tests.redis_server import RedisServer
from tests.unit.test_journal import START, entry, made

PREFIX = "mock-efidem:"

Connect = Callable[[], redis.Redis]


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as running:
        yield running


@pytest.fixture
def connect(redis_server: RedisServer) -> Iterator[Connect]:
    """A new client (a process of its own) per call, on a Redis emptied for the test."""
    redis_server.flush()
    clients: list[redis.Redis] = []

    def connect() -> redis.Redis:
        clients.append(redis.Redis.from_url(redis_server.url))
        return clients[-1]

    yield connect
    for client in clients:
        client.close()


@pytest.fixture
def journal(connect: Connect) -> RedisJournal:
    return RedisJournal(connect(), PREFIX)


def rich_entry(journal: RedisJournal) -> JournalEntry:
    """Every kind of fact an entry holds, with bytes and texts that are not plain."""
    sent = "<ENVOYER_SMS>héllo ✓</ENVOYER_SMS>".encode() + b"\xff\xfe" + b"y" * 300
    return JournalEntry(
        id=journal.next_id(),
        at=START,
        protocol="soap",
        operation="ENVOYER_SMS",
        account="démo",
        result="-9",
        duration_ms=2.123456789,
        client="10.0.0.7",
        request=Request(
            (("HTTP_USER_AGENT", "zeep/4"), ("CONTENT_TYPE", "text/xml; charset=utf-8")),
            Body.kept(sent, 200),
            "POST",
            "/soap?x=1",
        ),
        response=Response(
            (("Content-Type", "text/xml"),), Body(b"<fault/>", 8), 500, "cut by a fault"
        ),
        value="M-1",
        why={"field": "DESTINATION", "meaning": "malformed", "answer": {"rule": 2}},
        message_ids=("M-1", "M-2"),
        fields={"DESTINATION": ("+33 6", "✓"), "TEXTE": ()},
    )


def test_an_entry_reads_back_as_it_was_recorded(journal: RedisJournal) -> None:
    recorded = rich_entry(journal)
    assert journal.record(recorded)
    read = journal.get(recorded.id)
    assert read == recorded
    assert read is not None and read.to_json() == recorded.to_json()
    assert read.summary_json() == recorded.summary_json()
    assert journal.entries() == [recorded]
    assert journal.get(recorded.id + 1) is None


def test_what_is_stored_is_json(journal: RedisJournal, connect: Connect) -> None:
    recorded = rich_entry(journal)
    journal.record(recorded)
    client = connect()
    facts = json.loads(client.hget(f"{PREFIX}journal", recorded.id) or b"")
    exchange = json.loads(client.hget(f"{PREFIX}journal:exchanges", recorded.id) or b"")
    assert facts["account"] == "démo"
    assert base64.b64decode(exchange["request"]["body"]) == recorded.request.body.data


def test_pages_are_newest_first_with_a_cursor(journal: RedisJournal) -> None:
    ids = [entry(journal, size=10).id for _ in range(5)]
    first = journal.find_page(JournalQuery(), 2)
    assert ([e.id for e in first.entries], first.total) == ([ids[4], ids[3]], 5)
    assert first.entries[0] == journal.get(ids[4])
    second = journal.find_page(JournalQuery(), 2, first.next_cursor)
    assert [e.id for e in second.entries] == [ids[2], ids[1]]
    last = journal.find_page(JournalQuery(), 2, second.next_cursor)
    assert ([e.id for e in last.entries], last.next_cursor, last.total) == ([ids[0]], None, 5)


def test_queries_filter_as_in_memory(journal: RedisJournal) -> None:
    sms = entry(journal, account="a", message_ids=("M-1",), fields={"TEXTE": ("hi",)})
    mail = entry(journal, account="b", operation="ENVOYER_EMAIL", status=500, result="fault")
    dqe = entry(journal, protocol="dqe", operation="TEL", at=START + timedelta(hours=1))
    cases = {
        JournalQuery(account="a"): [sms],
        JournalQuery(operation="ENVOYER_*"): [mail, sms],
        JournalQuery(protocol="soap,dqe"): [dqe, mail, sms],
        JournalQuery(http_status=500, result="fault"): [mail],
        JournalQuery(since=START + timedelta(minutes=1)): [dqe],
        JournalQuery(message_id="M-1"): [sms],
        JournalQuery(fields=(("TEXTE", "hi"),)): [sms],
        JournalQuery(account="nobody"): [],
    }
    for query, wanted in cases.items():
        assert journal.find_page(query, 10).entries == wanted, query
        assert journal.count(query) == len(wanted), query


def test_calls_that_end_out_of_order_are_kept_in_id_order(journal: RedisJournal) -> None:
    first, second = journal.next_id(), journal.next_id()
    entry(journal, id=second)
    entry(journal, id=first)
    assert [e.id for e in journal.entries()] == [first, second]


def test_a_clear_in_one_process_drops_the_calls_in_flight_in_another(connect: Connect) -> None:
    here, there = RedisJournal(connect(), PREFIX), RedisJournal(connect(), PREFIX)
    entry(here)
    generation, in_flight = here.generation, made(here)  # a call starts here
    there.clear()
    assert there.generation > generation  # a moment: later than the call's start
    assert len(here) == 0 and here.size_in_bytes == 0
    assert not here.record(in_flight, generation)  # and ends after the clear
    assert here.entries() == []
    late = made(there)
    assert late.id > in_flight.id  # ids go on growing after a clear
    assert here.record(late, here.generation)
    assert there.entries() == [late]


def test_a_clear_of_one_account_keeps_the_others(journal: RedisJournal) -> None:
    generation = journal.generation
    kept = entry(journal, size=100, account="b")
    entry(journal, size=5000, account="a b")
    entry(journal, account="a")
    journal.clear("a b")
    assert [e.account for e in journal.entries()] == ["b", "a"]
    journal.clear("a")
    assert journal.entries() == [kept]
    assert journal.size_in_bytes == kept.weight
    assert journal.record(made(journal), generation)  # a call in flight is still kept


def test_the_oldest_entries_go_beyond_the_count(connect: Connect) -> None:
    journal = RedisJournal(connect(), PREFIX, max_entries=3)
    ids = [entry(journal).id for _ in range(5)]
    assert [e.id for e in journal.entries()] == ids[2:]
    assert len(journal) == 3
    assert journal.get(ids[1]) is None


def test_the_bytes_are_bounded_as_in_memory(connect: Connect) -> None:
    shared, local = RedisJournal(connect(), PREFIX, max_bytes=50_000), Journal(max_bytes=50_000)
    for size in [10_000] * 12 + [60_000, 3_000, 20_000, 100]:
        entry(shared, size=size)
        entry(local, size=size)
    assert [e.id for e in shared.entries()] == [e.id for e in local.entries()]
    assert (len(shared), shared.size_in_bytes) == (len(local), local.size_in_bytes)
    assert 0 < shared.size_in_bytes <= 50_000


def test_a_body_beyond_the_limit_is_cut_and_its_size_kept(connect: Connect) -> None:
    journal = RedisJournal(connect(), PREFIX, body_limit=100)
    read = journal.get(entry(journal, size=1000).id)
    assert read is not None
    body = read.request.body
    assert (len(body.data), body.size, body.truncated) == (100, 1000, True)


def test_two_prefixes_share_one_redis_unseen(connect: Connect) -> None:
    one, other = RedisJournal(connect(), "one:"), RedisJournal(connect(), "other:")
    mine = entry(one, account="x")
    entry(other, account="x")
    entry(other, account="y")
    other.clear("x")
    assert one.entries() == [mine]
    in_flight = one.generation
    other.clear()
    assert one.entries() == [mine] and len(other) == 0
    assert one.record(made(one), in_flight)  # the other's clear does not drop it


def test_only_kept_entries_are_heard(connect: Connect) -> None:
    heard: list[int] = []
    journal = RedisJournal(connect(), PREFIX, on_record=lambda kept: heard.append(kept.id))
    kept = entry(journal)
    generation = journal.generation
    journal.clear()
    assert not journal.record(made(journal), generation)
    assert heard == [kept.id]


def test_concurrent_writers_get_distinct_ids_and_keep_the_newest(connect: Connect) -> None:
    writers, each, bound = 8, 40, 100
    journals = [RedisJournal(connect(), PREFIX, max_entries=bound) for _ in range(writers)]
    ids: list[int] = []
    go = threading.Barrier(writers)

    def write(journal: RedisJournal) -> None:
        go.wait()
        for _ in range(each):
            ids.append(entry(journal, size=len(ids) % 50, account=f"a{len(ids) % 3}").id)

    threads = [threading.Thread(target=write, args=(journal,)) for journal in journals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(ids) == list(range(1, writers * each + 1))
    kept = journals[0].entries()
    assert [e.id for e in kept] == sorted(ids)[-bound:]
    assert journals[1].size_in_bytes == sum(e.weight for e in kept)


def test_an_entry_without_an_id_is_numbered_when_kept(connect: Connect) -> None:
    """The recorder leaves the id to the journal: a call asks Redis nothing when it
    starts, and the number comes with the record."""
    heard: list[JournalEntry] = []
    journal = RedisJournal(connect(), PREFIX, on_record=heard.append)
    first = entry(journal)
    assert journal.record(dataclasses.replace(made(journal), id=0), journal.generation)
    assert journal.record(dataclasses.replace(made(journal), id=0), journal.generation)
    numbered = [e.id for e in journal.entries()]
    assert numbered[0] == first.id and len(set(numbered)) == 3
    assert [e.id for e in heard[1:]] == numbered[1:] and 0 not in numbered
