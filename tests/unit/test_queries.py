"""Message queries on their own: the text search, final, the creation span, and the
store's pages under them (one walk: the total and the page)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mock_efidem.domain.models import Channel, Message, Recipient, StatusEvent
from mock_efidem.domain.queries import MessageQuery, searched_text
from mock_efidem.domain.store import MessageStore

START = datetime(2026, 3, 1, 9, tzinfo=UTC)


def message(n: int, channel: Channel = Channel.EMAIL, **fields: object) -> Message:
    recipients = fields.pop("recipients", None) or [Recipient(address=f"user{n}@example.fr")]
    found = Message(
        id=f"{n:032x}",
        channel=channel,
        account=str(fields.pop("account", "demo")),
        operation="send",
        created_at=START + timedelta(hours=n),
        recipients=recipients,  # type: ignore[arg-type]
        **fields,  # type: ignore[arg-type]
    )
    for recipient in found.recipients:
        recipient.history.append(StatusEvent(found.created_at, "accepted", 1))
    return found


def contains(text: str, found: Message) -> bool:
    return MessageQuery(contains=text).matches(found)


@pytest.mark.parametrize(
    "text", ["jean", "JEAN@EXAMPLE", "Facture", "prête", "<b>Zoé", "cmd-42", "r-9", "billing@"]
)
def test_contains_looks_in_every_field_a_person_would(text: str) -> None:
    invoice = message(
        1,
        recipients=[Recipient(address="Jean@Example.fr", reference="R-9")],
        subject="Facture",
        text="Votre facture est prête",
        html="<p><b>Zoé</b></p>",
        sender="billing@shop.example",
        reference="CMD-42",
    )
    assert contains(text, invoice)


def test_contains_finds_the_id_and_the_account_but_no_text_across_two_fields() -> None:
    found = message(5, account="shop", sender="a@b.fr", subject="Hello")
    assert contains(found.id[-6:], found) and contains("SHOP", found)
    assert not contains("frhello", found) and not contains("b.fr\x00hello", found)


def test_a_whole_number_is_found_however_it_is_written() -> None:
    sms = message(1, Channel.SMS, recipients=[Recipient(address="33601020304")])
    fax = message(2, Channel.FAX, recipients=[Recipient(address="01 40 00 00 01")])
    for written in ("06 01 02 03 04", "+33 6 01 02 03 04", "0033601020304", "06.01.02.03.04"):
        assert contains(written, sms), written
    assert contains("+33140000001", fax) and contains("01 40 00", fax)
    assert not contains("0601020305", sms)
    assert contains("3360102030", sms)  # part of the number as stored


def test_the_searched_text_is_made_once() -> None:
    found = message(1, subject="Bonjour")
    assert found.search_text is None
    made = searched_text(found)
    assert searched_text(found) is made and found.search_text is made


def test_final_needs_every_recipient_in_a_final_status() -> None:
    both = [Recipient(address="a@x.fr"), Recipient(address="b@x.fr")]
    found = message(1, recipients=both)
    final, not_final = MessageQuery(final=True), MessageQuery(final=False)
    assert not final.matches(found) and not_final.matches(found)
    found.recipients[0].history.append(StatusEvent(START, "clicked", 5))
    assert not final.matches(found)
    found.recipients[1].history.append(StatusEvent(START, "hard_bounce", 7))
    assert final.matches(found) and not not_final.matches(found)


def test_matches_holds_the_span_and_the_indexes_as_the_store_does() -> None:
    found = message(2, Channel.SMS)
    assert MessageQuery(since=found.created_at, until=found.created_at).matches(found)
    assert not MessageQuery(since=found.created_at + timedelta(seconds=1)).matches(found)
    assert not MessageQuery(channel="email", contains="user2").matches(found)
    assert MessageQuery(channel="SMS", account="demo", contains="user2").matches(found)


def query_page(store: MessageStore, query: MessageQuery, limit: int, before: int | None = None):
    return store.page(query.index_keys(), query.scan, limit, before, query.since, query.until)


def test_a_page_between_two_dates_walks_only_them_and_counts_them() -> None:
    store = MessageStore()
    for n in range(10):
        store.add(message(n, Channel.SMS if n % 2 else Channel.EMAIL))
    span = MessageQuery(since=START + timedelta(hours=2), until=START + timedelta(hours=7))

    first = query_page(store, span, 4)
    rest = query_page(store, span, 4, first.next_cursor)
    sms = query_page(store, MessageQuery(channel="sms", since=span.since, until=span.until), 10)

    assert [m.seq for m in first.messages] == [8, 7, 6, 5] and first.total == 6
    assert [m.seq for m in rest.messages] == [4, 3] and rest.next_cursor is None
    assert [m.seq for m in sms.messages] == [8, 6, 4] and sms.total == 3


def test_a_search_skips_removed_messages_and_counts_what_is_left() -> None:
    store = MessageStore()
    for n in range(6):
        store.add(message(n, subject="Facture" if n % 2 else "Relance"))
    store.delete(message(3).id)
    page = query_page(store, MessageQuery(contains="facture", account="demo"), 1)
    assert ([m.id for m in page.messages], page.total) == ([message(5).id], 2)
    rest = query_page(store, MessageQuery(contains="facture"), 5, page.next_cursor)
    assert [m.id for m in rest.messages] == [message(1).id]


def test_delete_forgets_a_message_and_answers_none_for_an_unknown_one() -> None:
    store = MessageStore()
    store.add(message(1))
    assert store.delete(message(1).id.upper()) is not None
    assert store.find(message(1).id) is None and len(store) == 0
    assert store.delete(message(1).id) is None
    assert store.changes_since(0, 0).messages == []  # the log does not bring it back
