"""The memory store on its own: walking filters, eviction, compaction, the change log
(pages and cursors on both stores: test_stores_alike.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from mock_efidem.domain import store as store_module
from mock_efidem.domain.models import Channel, Message, Recipient, StatusEvent
from mock_efidem.domain.store import ALL, MessageStore


def message(n: int, account: str = "demo", channel: Channel = Channel.EMAIL) -> Message:
    return Message(
        id=f"{n:032x}",
        channel=channel,
        account=account,
        operation="send_email",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        recipients=[Recipient(address=f"user{n}@example.fr")],
    )


def ids(found: list[Message]) -> list[int]:
    return [int(m.id, 16) for m in found]


def test_a_filter_beyond_the_indexes_counts_by_walking() -> None:
    store = MessageStore()
    for n in range(6):
        store.add(message(n, account="a" if n < 3 else "b"))
    page = store.page([("account", "b")], lambda m: int(m.id, 16) != 4, 1)
    assert (ids(page.messages), page.total) == ([5], 2)


def test_eviction_takes_the_oldest_evictable_and_never_another() -> None:
    store = MessageStore(max_messages=3)
    pending = {1}
    for n in range(5):
        store.add(message(n), evictable=lambda m: int(m.id, 16) not in pending)
    assert sorted(ids(store.page([], None, 10).messages)) == [1, 3, 4]
    assert store.find(message(1).id) is not None


def reach_sent(changed: Message) -> bool:
    changed.recipients[0].history.append(StatusEvent(changed.created_at, "sent", 2))
    return True


def test_the_change_log_answers_what_changed_and_says_when_it_was_cut(monkeypatch) -> None:
    store = MessageStore()
    store.add(message(0))
    version = store.version
    store.add(message(1))
    store.update(store.find(message(0).id) or message(0), reach_sent)
    changes = store.changes_since(version, timeout=0)
    assert sorted(ids(changes.messages or [])) == [0, 1]

    monkeypatch.setattr(store_module, "CHANGE_LOG_SIZE", 2)
    small = MessageStore()
    for n in range(5):
        small.add(message(n))
    assert small.changes_since(0, timeout=0).messages is None


def test_a_partial_clear_keeps_the_others_and_compacts_its_lists() -> None:
    store = MessageStore()
    for n in range(3000):
        store.add(message(n, account="a" if n < 2900 else "b"))
    store.clear("a")
    assert len(store) == 100
    assert len(store._lists[ALL]) == 100  # compacted: the dead outnumbered the living
    store.add(message(5000, account="a"))
    assert ids(store.page([], None, 2).messages) == [5000, 2999]


def test_a_seed_names_messages_as_the_shared_store_does() -> None:
    """The Redis store's script computes sha1(SEED:N)[:32] for the Nth message: the same
    seed gives the same ids on both stores."""
    from mock_efidem.domain.ids import IdFactory, seeded_id

    ids_of_seed = IdFactory(7)
    assert [ids_of_seed.new_id() for _ in range(3)] == [seeded_id(7, n) for n in (1, 2, 3)]
    assert seeded_id(7, 1) == "e6ab87bb7f825e46093cf431dd573f12"  # sha1("7:1"), cut
