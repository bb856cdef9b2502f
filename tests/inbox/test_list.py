"""The list of messages: its filters as a GET form (what search as you type sends
too), its pages of 50, and the rows inbox.js draws from the same query."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from mock_efidem.server import MockServer
from tests.inbox.conftest import get, page, send_email, send_letter, send_sms, texts


def listed(server: MockServer, **filters: str) -> list[str]:
    """The ids the page lists, newest first; the rows' ids agree."""
    html = page(server, "/_mock/inbox", **filters)
    ids = [part.split('"', 1)[0] for part in html.split('data-testid="message-row" data-id="')[1:]]
    rows = get(server, "/_mock/inbox/rows", **filters).json()
    assert [row["id"] for row in rows["rows"]] == ids
    assert texts(html, "list-total") == [str(rows["total"])]
    return ids


def test_the_list_finds_by_text_channel_status_finality_and_account(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    requests.post(f"{server.base_url}/_mock/clock/freeze", json={}, timeout=5)
    email = send_email(soap, auth)
    sms = send_sms(soap, auth)
    letter = send_letter(soap, auth)
    requests.post(
        f"{server.base_url}/_mock/messages/{sms}/status", json={"status": "expired"}, timeout=5
    )

    assert listed(server) == [letter, sms, email]
    assert listed(server, q="facture") == [email]
    assert listed(server, q="CLIENT-42") == [email]
    assert listed(server, q="06 01 02 03 04") == [sms]
    assert listed(server, channel="letter") == [letter]
    assert listed(server, status="expired") == [sms]
    assert listed(server, final="true") == [sms]
    assert listed(server, final="false") == [letter, email]
    assert listed(server, account="demo") == [letter, sms, email]
    assert listed(server, account="someone") == []


def test_the_list_finds_by_date_on_the_mocks_clock(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    base = server.base_url
    requests.post(f"{base}/_mock/clock/freeze", json={}, timeout=5)
    early = send_sms(soap, auth)
    requests.post(f"{base}/_mock/clock/advance", json={"seconds": 2 * 86_400}, timeout=5)
    late = send_sms(soap, auth)
    now = datetime.fromisoformat(requests.get(f"{base}/_mock/clock", timeout=5).json()["now"])
    yesterday = now - timedelta(days=1)

    assert listed(server, since=f"{yesterday:%Y-%m-%dT%H:%M}") == [late]
    assert listed(server, until=f"{yesterday:%Y-%m-%dT%H:%M:%S}") == [early]
    assert listed(server, until=f"{now - timedelta(days=2):%Y-%m-%d}") == [early]  # the whole day


def test_the_list_pages_fifty_at_a_time(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    sent = [send_sms(soap, auth, TEXTE=f"n°{n}") for n in range(51)]

    html = page(server, "/_mock/inbox", channel="sms")
    assert html.count('data-testid="message-row"') == 50
    older = [a for a in html.split('href="') if 'data-testid="older"' in a]
    assert len(older) == 1
    second = page(server, older[0].split('"', 1)[0].replace("&amp;", "&"))
    assert second.count('data-testid="message-row"') == 1
    assert f'data-id="{sent[0]}"' in second
    assert 'data-testid="newest"' in second and 'data-testid="older"' not in second


@pytest.mark.parametrize(
    "filters",
    [
        {"channel": "pigeon"},
        {"status": "lost"},
        {"final": "maybe"},
        {"since": "2026-13-45T99:99"},
        {"before": "-1"},
        {"before": "x"},
        {"limit": "100"},
        {"q": "x" * 5000},
    ],
)
def test_a_filter_the_list_cannot_use_is_left_out_not_refused(
    server: MockServer, soap: Any, auth: dict[str, str], filters: dict[str, str]
) -> None:
    send_sms(soap, auth)
    answer = get(server, "/_mock/inbox", **filters)
    assert answer.status_code == 200
    expected = 0 if "q" in filters else 1
    assert answer.text.count('data-testid="message-row"') == expected


def test_an_empty_list_says_so(server: MockServer) -> None:
    assert texts(page(server, "/_mock/inbox"), "no-messages") == ["Nothing sent yet."]
    nothing = texts(page(server, "/_mock/inbox", q="nothing like it"), "no-messages")
    assert nothing == ["No message matches these filters."]


def test_the_form_keeps_what_was_asked(server: MockServer) -> None:
    html = page(server, "/_mock/inbox", q="jean", channel="sms", status="expired", final="true")

    assert 'name="q" value="jean"' in html
    assert '<option value="sms" selected>' in html
    assert html.count('<option value="expired" selected>') == 1
    assert '<option value="true" selected>final</option>' in html


def test_the_bar_shows_the_clock_and_offers_the_shipped_scenarios(server: MockServer) -> None:
    requests.post(f"{server.base_url}/_mock/clock/freeze", json={}, timeout=5)
    now = requests.get(f"{server.base_url}/_mock/clock", timeout=5).json()["now"]

    html = page(server, "/_mock/inbox")

    assert texts(html, "clock-time") == [f"{datetime.fromisoformat(now):%Y-%m-%d %H:%M:%S}"]
    assert texts(html, "clock-state") == ["frozen"]
    for name in ("chaos", "default", "parallel-ci"):
        assert f'<option value="{name}"' in html
    assert texts(html, "scenario-current") == ["default"]
    for testid in ("advance-minute", "advance-hour", "advance-day", "freeze", "reset"):
        assert f'data-testid="{testid}"' in html
