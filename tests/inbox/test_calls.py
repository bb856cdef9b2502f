"""The calls view: the journal as a developer reads it."""

from __future__ import annotations

from typing import Any

import requests

from mock_efidem.server import MockServer
from tests.inbox.conftest import get, page, send_sms, texts


def test_a_rejected_call_shows_its_code_its_meaning_and_why(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    assert soap.ENVOYER_SMS(**auth, DESTINATION="06010", TEXTE="Code 1234") == "-8"

    html = page(server, "/_mock/inbox/calls")

    row = html.split('data-testid="call-row"')[1]
    assert 'class="call rejected"' in html.split('data-testid="call-row"')[0][-40:]
    assert texts(row, "call-operation") == ["ENVOYER_SMS"]
    assert texts(row, "call-result")[0].startswith("-8")
    assert texts(row, "why-meaning") == ["number too short"]
    assert texts(row, "why-field") == ["DESTINATION"]
    assert texts(row, "why-value") == ['"06010"']


def test_a_call_links_to_its_message_and_back(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    message_id = send_sms(soap, auth)

    calls = page(server, "/_mock/inbox/calls")
    message = page(server, f"/_mock/inbox/{message_id}")

    assert f'href="/_mock/inbox/{message_id}" data-testid="call-message"' in calls
    journal = requests.get(f"{server.base_url}/_mock/journal", timeout=5).json()
    entry_id = journal["entries"][0]["id"]
    assert f'href="/_mock/inbox/calls/{entry_id}" data-testid="call-link"' in message
    assert f'href="/_mock/inbox/calls/{entry_id}" data-testid="source-call"' in message


def test_the_view_shows_the_applications_calls_unless_told(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    send_sms(soap, auth)
    requests.post(f"{server.base_url}/_mock/clock/freeze", json={}, timeout=5)

    application = texts(page(server, "/_mock/inbox/calls"), "call-operation")
    everything = texts(page(server, "/_mock/inbox/calls", protocol="all"), "call-operation")
    control = texts(page(server, "/_mock/inbox/calls", protocol="control"), "call-operation")

    assert application == ["ENVOYER_SMS"]
    assert everything[:2] == ["freeze", "ENVOYER_SMS"]
    assert control == ["freeze"]


def test_the_filters_find_a_call_by_part_of_its_operation_account_and_result(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    message_id = send_sms(soap, auth)
    soap.STATUT_SMS(**auth, MESSAGEID=message_id)
    soap.ENVOYER_SMS(**auth, DESTINATION="06010", TEXTE="x")

    def operations(**filters: str) -> list[str]:
        return texts(page(server, "/_mock/inbox/calls", **filters), "call-operation")

    assert operations(operation="statut") == ["STATUT_SMS"]
    assert operations(result="-8") == ["ENVOYER_SMS"]
    assert operations(account="nobody") == []
    assert operations(message_id=message_id) == ["STATUT_SMS", "ENVOYER_SMS"]
    assert operations(operation="[*?") == []  # its own wildcards are taken literally


def test_one_call_shows_its_whole_exchange(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    soap.ENVOYER_SMS(**auth, DESTINATION="06010", TEXTE="Code 1234")
    entry = requests.get(f"{server.base_url}/_mock/journal", timeout=5).json()["entries"][0]

    html = page(server, f"/_mock/inbox/calls/{entry['id']}")

    assert 'class="call-detail rejected"' in html
    assert texts(html, "call-title") == ["ENVOYER_SMS → -8"]
    assert "number too short" in texts(html, "call-why")[0]
    request = texts(html, "call-request-body")[0]
    assert "<ns0:ENVOYER_SMS" in request and "\n  " in request  # indented
    assert "-8" in texts(html, "call-response-body")[0]
    assert ">DESTINATION<" in html and ">06010<" in html  # the fields table


def test_an_entry_no_longer_in_the_journal_is_a_404(server: MockServer) -> None:
    assert get(server, "/_mock/inbox/calls/999999").status_code == 404


def test_the_rows_are_paged_fifty_at_a_time(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    for _ in range(51):
        soap.ENVOYER_SMS(**auth, DESTINATION="06010", TEXTE="x")

    first = get(server, "/_mock/inbox/calls/rows").json()
    html = page(server, "/_mock/inbox/calls")

    assert len(first["rows"]) == 50 and first["total"] == 51
    assert first["older"] == f"/_mock/inbox/calls?protocol=soap%2Cdqe&before={first['next']}"
    assert html.count('data-testid="call-row"') == 50
    older = page(server, first["older"])
    assert older.count('data-testid="call-row"') == 1
    row = first["rows"][0]
    assert row["rejected"] is True and row["operation"] == "ENVOYER_SMS"
    assert ["meaning", "number too short"] in row["why"]
