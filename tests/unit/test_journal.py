"""The journal's bounds and queries, and the recorder when a downstream fails."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mock_efidem.journal import (
    Body,
    Journal,
    JournalEntry,
    JournalLike,
    JournalQuery,
    Request,
    Response,
)
from mock_efidem.recording import Recorder

START = datetime(2026, 12, 2, 9, 30, 15, 123456, tzinfo=UTC)
"""Microseconds included: a shared journal must keep them."""


def made(journal: JournalLike, size: int = 0, **facts: Any) -> JournalEntry:
    """A call's entry, not recorded yet (for either journal: tests/unit/test_redis_journal)."""
    return JournalEntry(
        id=facts.pop("id", None) or journal.next_id(),
        at=facts.pop("at", START),
        protocol=facts.pop("protocol", "soap"),
        operation=facts.pop("operation", "ENVOYER_SMS"),
        account=facts.pop("account", "demo"),
        result=facts.pop("result", "ok"),
        duration_ms=1.25,
        client="127.0.0.1",
        request=Request((), Body.kept(b"x" * size, journal.body_limit)),
        response=Response((), Body(b"", 0), facts.pop("status", 200)),
        **facts,
    )


def entry(journal: JournalLike, size: int = 0, **facts: Any) -> JournalEntry:
    recorded = made(journal, size, **facts)
    assert journal.record(recorded)
    return recorded


def test_the_oldest_entries_go_beyond_the_count() -> None:
    journal = Journal(max_entries=3)
    made = [entry(journal) for _ in range(5)]
    assert [e.id for e in journal.entries()] == [e.id for e in made[2:]]


def test_the_oldest_entries_go_beyond_the_bytes() -> None:
    journal = Journal(max_bytes=50_000)
    for _ in range(20):
        entry(journal, size=10_000)
    assert journal.size_in_bytes <= 50_000
    assert len(journal) == 50_000 // entry(Journal(), size=10_000).weight


def test_a_body_beyond_the_limit_is_cut_and_its_size_kept() -> None:
    journal = Journal(body_limit=100)
    body = entry(journal, size=1000).request.body
    assert (len(body.data), body.size, body.truncated) == (100, 1000, True)


def test_calls_that_end_out_of_order_are_kept_in_id_order() -> None:
    journal = Journal()
    first, second = journal.next_id(), journal.next_id()
    entry(journal, id=second)
    entry(journal, id=first)
    assert [e.id for e in journal.entries()] == [first, second]
    assert journal.get(first) is not None and journal.get(second + 1) is None


def test_a_full_clear_drops_calls_still_in_flight() -> None:
    journal = Journal()
    generation = journal.generation
    in_flight = JournalEntry(
        journal.next_id(), START, "soap", "X", "", "ok", 1.0, "", Request((), Body(b"", 0)),
        Response((), Body(b"", 0)),
    )  # fmt: skip
    journal.clear()
    assert not journal.record(in_flight, generation)
    assert len(journal) == 0


def test_clearing_an_account_keeps_the_others() -> None:
    journal = Journal()
    entry(journal, account="a")
    kept = entry(journal, account="b")
    journal.clear("a")
    assert journal.entries() == [kept]
    assert journal.size_in_bytes == kept.weight


def test_queries_filter_and_page_newest_first() -> None:
    journal = Journal()
    for n in range(5):
        entry(journal, at=START + timedelta(seconds=n), fields={"N": (str(n),)}, status=200 + n)
    page = journal.find_page(JournalQuery(operation="ENVOYER_*"), limit=2)
    assert ([e.id for e in page.entries], page.total, page.next_cursor) == ([5, 4], 5, 4)
    after = journal.find_page(JournalQuery(), limit=2, before=page.next_cursor)
    assert [e.id for e in after.entries] == [3, 2]
    assert journal.count(JournalQuery(since=START + timedelta(seconds=3))) == 2
    assert journal.count(JournalQuery(fields=(("N", "1"),))) == 1
    assert journal.count(JournalQuery(http_status=204, protocol="dqe,soap")) == 1
    assert journal.count(JournalQuery(protocol="dqe")) == 0


def test_a_failing_downstream_is_journalled_then_raised() -> None:
    journal = Journal()

    def broken(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise RuntimeError("a bug")

    recorder = Recorder(lambda: journal, broken, lambda path: "soap")
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/soap", "wsgi.input": io.BytesIO(b"")}
    with pytest.raises(RuntimeError):
        recorder(environ, lambda *args: None)
    (failed,) = journal.entries()
    assert (failed.http_status, failed.result) == (500, "500")
    assert "failed" in failed.response.note
