"""The event hub on its own: who hears what, bounded queues, closing, and the ticker
that runs only while someone listens; then the stream that renders it."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from mock_efidem.control.stream import KEEP_ALIVE, RETRY, EventStream, encode
from mock_efidem.domain.models import Channel, Message, Recipient, StatusEvent
from mock_efidem.domain.store import Change, MessageStore
from mock_efidem.events import Event, EventHub
from mock_efidem.journal import Body, Journal, JournalEntry, Request, Response


def message(n: int = 1) -> Message:
    return Message(
        id=f"{n:032x}",
        channel=Channel.SMS,
        account="demo",
        operation="send_sms",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        recipients=[Recipient(address="33601020304")],
    )


def entry(journal: Journal) -> JournalEntry:
    return JournalEntry(
        id=journal.next_id(),
        at=datetime(2026, 1, 1, tzinfo=UTC),
        protocol="soap",
        operation="ENVOYER_SMS",
        account="demo",
        result="-9",
        duration_ms=1.0,
        client="127.0.0.1",
        request=Request((), Body(b"", 0)),
        response=Response((), Body(b"", 0), 200),
    )


def test_every_subscriber_hears_each_event_in_order_with_growing_ids() -> None:
    hub = EventHub()
    first, second = hub.subscribe(), hub.subscribe()
    assert first is not None and second is not None

    hub.publish("reset", {"account": None})
    hub.reset("demo")

    for subscription in (first, second):
        heard = subscription.take(1.0)
        assert [(e.id, e.name, dict(e.data)) for e in heard] == [
            (1, "reset", {"account": None}),
            (2, "reset", {"account": "demo"}),
        ]


def test_nothing_is_built_or_kept_while_nobody_listens() -> None:
    hub = EventHub()
    hub.publish("reset", {"account": None})
    hub.message_changed(message(), Change.CREATED)
    late = hub.subscribe()
    assert late is not None
    assert late.take(0.05) == []


def a_status(changed: Message) -> bool:
    first = changed.recipients[0]
    first.history.append(StatusEvent(datetime(2026, 1, 1, tzinfo=UTC), "sent", 2))
    return True


def test_the_sources_seams_say_what_changed() -> None:
    hub = EventHub()
    store = MessageStore(on_change=hub.message_changed)
    journal = Journal(on_record=hub.call_recorded)
    subscription = hub.subscribe()
    assert subscription is not None

    store.add(message(7))
    store.update(message(8), a_status)  # not stored: no event
    store.update(store.find(message(7).id) or message(7), lambda m: True)  # no status: none
    store.update(store.find(message(7).id) or message(7), a_status)
    store.delete(message(7).id)
    journal.record(entry(journal))

    heard = [(e.name, dict(e.data)) for e in subscription.take(1.0)]
    sms = {"id": message(7).id, "channel": "sms", "account": "demo"}
    assert heard == [
        ("message", {**sms, "change": "created"}),
        ("message", {**sms, "change": "status"}),
        ("message", {**sms, "change": "deleted"}),
        (
            "call",
            {
                "id": 1,
                "protocol": "soap",
                "operation": "ENVOYER_SMS",
                "account": "demo",
                "result": "-9",
                "http_status": 200,
            },
        ),
    ]


def test_an_evicted_message_is_heard_as_deleted() -> None:
    hub = EventHub()
    store = MessageStore(max_messages=1, on_change=hub.message_changed)
    subscription = hub.subscribe()
    assert subscription is not None
    store.add(message(1), evictable=lambda m: True)
    store.add(message(2), evictable=lambda m: True)
    heard = [(e.data["id"][-1], e.data["change"]) for e in subscription.take(1.0)]
    assert heard == [("1", "created"), ("1", "deleted"), ("2", "created")]


def test_a_full_queue_ends_its_subscription_and_only_its_own() -> None:
    hub = EventHub(queue_size=3)
    slow, quick = hub.subscribe(), hub.subscribe()
    assert slow is not None and quick is not None
    for n in range(3):
        hub.reset(str(n))
        assert len(quick.take(1.0)) == 1

    hub.reset("one too many")

    assert slow.overflowed and slow.ended and slow.take(0.01) == []
    assert not quick.overflowed and [e.data["account"] for e in quick.take(1.0)] == ["one too many"]
    assert hub.listeners == 1


def test_a_waiting_subscriber_wakes_at_once_when_an_event_comes() -> None:
    hub = EventHub()
    subscription = hub.subscribe()
    assert subscription is not None
    threading.Timer(0.1, hub.reset, args=("demo",)).start()
    started = time.monotonic()
    assert len(subscription.take(5.0)) == 1
    assert time.monotonic() - started < 1.0


def test_closing_ends_every_subscription_and_refuses_new_ones() -> None:
    hub = EventHub()
    subscription = hub.subscribe()
    assert subscription is not None
    waiting = threading.Thread(target=subscription.take, args=(30.0,))
    waiting.start()

    hub.close()

    waiting.join(timeout=1.0)
    assert not waiting.is_alive() and subscription.ended and not subscription.overflowed
    assert hub.subscribe() is None and hub.listeners == 0


def test_the_ticker_runs_while_someone_listens_and_only_then() -> None:
    ticks: list[float] = []

    def tick() -> None:
        ticks.append(time.monotonic())
        time.sleep(0.02)

    hub = EventHub(tick=tick)
    time.sleep(0.1)
    assert ticks == []
    subscription = hub.subscribe()
    assert subscription is not None
    time.sleep(0.2)
    assert len(ticks) >= 3

    hub.unsubscribe(subscription)
    time.sleep(0.1)
    stopped = len(ticks)
    time.sleep(0.1)
    assert len(ticks) == stopped

    again = hub.subscribe()  # a new listener starts it again
    assert again is not None
    time.sleep(0.1)
    assert len(ticks) > stopped
    hub.close()


def test_a_failing_tick_is_logged_and_tried_again(caplog) -> None:
    calls = []

    def tick() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("boom")
        time.sleep(0.05)

    hub = EventHub(tick=tick)
    assert hub.subscribe() is not None
    time.sleep(1.3)
    hub.close()
    assert len(calls) >= 2
    assert "firing the statuses due failed" in caplog.text


def test_a_stream_renders_events_keeps_alive_and_ends_with_its_lifetime(monkeypatch) -> None:
    from mock_efidem.control import stream as stream_module

    monkeypatch.setattr(stream_module, "KEEP_ALIVE_SECONDS", 0.2)
    hub = EventHub()
    subscription = hub.subscribe()
    assert subscription is not None
    released: list[bool] = []
    body = EventStream(subscription, 0.5, lambda: released.append(True), lambda: False)
    threading.Timer(0.05, hub.reset, args=("demo",)).start()

    sent = list(body)
    body.close()
    body.close()

    assert sent[0] == RETRY
    assert sent[1] == b'event: reset\ndata: {"account":"demo"}\nid: 1\n\n'
    assert KEEP_ALIVE in sent[2:]
    assert released == [True]


def test_a_stream_overflowed_says_so_last() -> None:
    hub = EventHub(queue_size=1)
    subscription = hub.subscribe()
    assert subscription is not None
    hub.reset("a")
    hub.reset("b")  # the queue held one: overflow
    body = EventStream(subscription, 5.0, lambda: None, lambda: False)

    sent = list(body)

    assert sent[0] == RETRY and len(sent) == 2
    assert sent[1].startswith(b"event: overflow\ndata: ")


def test_a_stream_whose_client_left_ends() -> None:
    hub = EventHub()
    subscription = hub.subscribe()
    assert subscription is not None
    body = EventStream(subscription, 30.0, lambda: None, lambda: True)
    started = time.monotonic()
    assert list(body) == [RETRY]
    assert time.monotonic() - started < 2.0


def test_an_event_is_one_line_of_json_whatever_its_text() -> None:
    event = Event(3, "call", {"operation": "a\nb", "account": "é"})
    assert (
        encode(event)
        == 'event: call\ndata: {"operation":"a\\nb","account":"é"}\nid: 3\n\n'.encode()
    )
