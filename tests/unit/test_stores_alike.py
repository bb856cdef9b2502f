"""The Store contract, on both stores: the memory one and Redis (a real redis-server),
so that neither drifts from what the backend expects of a store."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from mock_efidem.domain.ids import IdFactory, seeded_id
from mock_efidem.domain.models import Channel, Message, PlannedStep, Recipient, StatusEvent
from mock_efidem.domain.store import Change, MessageStore, Store
from mock_efidem.shared.connection import connect
from mock_efidem.shared.store import RedisStore
from tests.redis_server import RedisServer

START = datetime(2026, 1, 1, tzinfo=UTC)
_prefixes = itertools.count(1)
Heard = list[tuple[str, Change]]


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with RedisServer() as running:
        yield running.url


@pytest.fixture(params=["memory", "redis"])
def make_store(request: pytest.FixtureRequest) -> Callable[..., Store]:
    """A fresh, empty store of each kind (Redis: a prefix of its own)."""

    def memory(**options: object) -> Store:
        return MessageStore(**options)  # type: ignore[arg-type]

    if request.param == "memory":
        return memory
    url = request.getfixturevalue("redis_url")

    def redis(**options: object) -> Store:
        prefix = f"alike-{next(_prefixes)}"
        return RedisStore(connect(url), url, prefix, **options)  # type: ignore[arg-type]

    return redis


def message(
    n: int, account: str = "demo", channel: Channel = Channel.EMAIL, due: float | None = None
) -> Message:
    recipient = Recipient(address=f"user{n}@example.fr", reference=f"ref{n}")
    recipient.history.append(StatusEvent(START + timedelta(seconds=n), "accepted", 1))
    if due is not None:
        recipient.plan.append(PlannedStep("sent", START + timedelta(seconds=due)))
    return Message(
        id="",
        channel=channel,
        account=account,
        operation="send_email",
        created_at=START + timedelta(seconds=n),
        recipients=[recipient],
        subject=f"subject {n}",
    )


def reach_sent(changed: Message) -> bool:
    recipient = changed.recipients[0]
    recipient.history.append(StatusEvent(START, "sent", 2))
    recipient.plan = []
    return True


def test_a_seed_names_messages_alike_in_both(redis_url: str) -> None:
    memory = MessageStore(ids=IdFactory(5))
    shared = RedisStore(connect(redis_url), redis_url, f"alike-{next(_prefixes)}", seed=5)
    for store in (memory, shared):
        for n in range(3):
            store.add(message(n))
    expected = [seeded_id(5, n) for n in (3, 2, 1)]
    assert [m.id for m in memory.page([], None, 10).messages] == expected
    assert [m.id for m in shared.page([], None, 10).messages] == expected


def test_pages_follow_the_cursor_count_and_filter(make_store: Callable[..., Store]) -> None:
    store = make_store()
    for n in range(10):
        store.add(message(n, channel=Channel.SMS if n % 2 else Channel.EMAIL))
    first = store.page([], None, 4)
    second = store.page([], None, 4, before=first.next_cursor)
    sms = store.page([("channel", "sms")], None, 10)
    odd_subjects = store.page([], lambda m: m.subject.endswith(("7", "9")), 1)

    assert [m.subject for m in first.messages] == [f"subject {n}" for n in (9, 8, 7, 6)]
    assert first.total == 10
    assert [m.subject for m in second.messages] == [f"subject {n}" for n in (5, 4, 3, 2)]
    assert [m.subject for m in sms.messages] == [f"subject {n}" for n in (9, 7, 5, 3, 1)]
    assert (sms.total, sms.next_cursor) == (5, None)
    assert ([m.subject for m in odd_subjects.messages], odd_subjects.total) == (["subject 9"], 2)
    assert len(store) == 10


def test_dates_and_accounts_narrow_a_page(make_store: Callable[..., Store]) -> None:
    store = make_store()
    for n in range(6):
        store.add(message(n, account="a" if n < 3 else "b"))
    page = store.page(
        [("account", "b")],
        None,
        10,
        since=START + timedelta(seconds=4),
        until=START + timedelta(seconds=5),
    )
    assert [m.subject for m in page.messages] == ["subject 5", "subject 4"]
    between = store.created_between("a", START + timedelta(seconds=1), START + timedelta(seconds=2))
    assert [m.subject for m in between] == ["subject 1", "subject 2"]
    assert [m.subject for m in store.in_arrival_order("b")] == [f"subject {n}" for n in (3, 4, 5)]


def test_finding_deleting_and_clearing(make_store: Callable[..., Store]) -> None:
    heard: Heard = []
    store = make_store()
    store.on_change = lambda changed, change: heard.append((changed.id, change))
    kept, gone, other = message(1), message(2), message(3, account="other")
    for each in (kept, gone, other):
        store.add(each)
    found = store.find(kept.id.upper() + " ")
    assert found is not None and found.recipients[0].reference == "ref1"
    assert store.get("other", kept.id) is None
    assert store.delete(gone.id) is not None and store.delete(gone.id) is None
    assert store.find(gone.id) is None
    store.clear("other")
    assert [m.id for m in store.page([], None, 10).messages] == [kept.id]
    assert (gone.id, Change.DELETED) in heard


def test_a_change_is_saved_and_told_and_a_counted_poll_is_saved_untold(
    make_store: Callable[..., Store],
) -> None:
    heard: Heard = []
    store = make_store()
    store.add(message(1))
    store.on_change = lambda changed, change: heard.append((changed.id, change))
    stored = store.find(message_id(store))
    assert stored is not None

    def count_a_poll(changed: Message) -> bool:
        changed.recipients[0].polls += 1
        return True

    store.update(stored, count_a_poll)
    assert heard == []
    moved = store.update(store.find(stored.id) or stored, reach_sent)
    read = store.find(stored.id)
    assert read is not None and [e.status for e in read.recipients[0].history] == [
        "accepted",
        "sent",
    ]
    assert read.recipients[0].polls == 1 and moved.recipients[0].current.status == "sent"
    assert heard == [(stored.id, Change.STATUS)]


def message_id(store: Store) -> str:
    return store.page([], None, 1).messages[0].id


def test_the_due_steps_and_the_next_one(make_store: Callable[..., Store]) -> None:
    store = make_store()
    soon, later, never = message(1, due=10), message(2, due=20), message(3)
    for each in (soon, later, never):
        store.add(each)
    assert store.next_due() == START + timedelta(seconds=10)
    due = store.due(START + timedelta(seconds=15))
    assert [m.id for m in due] == [soon.id]
    store.update(due[0], reach_sent)
    assert store.next_due() == START + timedelta(seconds=20)
    assert store.due(START + timedelta(seconds=15)) == []


def test_a_long_poll_hears_what_changed_since(make_store: Callable[..., Store]) -> None:
    store = make_store()
    store.add(message(0))
    version = store.version
    arrived = message(1)
    later = threading.Timer(0.2, store.add, args=(arrived,))
    later.start()
    changes = store.changes_since(version, timeout=5)
    later.join()
    assert [m.id for m in changes.messages or []] == [arrived.id]
    assert store.changes_since(changes.version, timeout=0).messages == []
    store.touch()
    assert store.wait_for_change(changes.version, timeout=5) != changes.version


def test_changes_from_stale_copies_are_neither_lost_nor_doubled(redis_url: str) -> None:
    """Many threads (each its own connection: as many processes would) count polls on
    copies of one message read at the same time: every count is kept, once."""
    first = RedisStore(connect(redis_url), redis_url, f"alike-{next(_prefixes)}")
    first.add(message(1, due=3600))
    message_id = first.page([], None, 1).messages[0].id
    threads, polls_each = 8, 25

    def poll() -> None:
        store = RedisStore(connect(redis_url), redis_url, first.key.prefix.rstrip(":"))
        for _ in range(polls_each):
            copy = store.find(message_id)
            assert copy is not None

            def count(changed: Message) -> bool:
                changed.recipients[0].polls += 1
                return True

            store.update(copy, count)

    workers = [threading.Thread(target=poll) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    read = first.find(message_id)
    assert read is not None and read.recipients[0].polls == threads * polls_each
