"""Search and filters on GET /_mock/messages: q, final, since and until (issue 13).

One mock for the module, filled once: four messages an hour apart on a frozen clock,
in polls mode so that only the statuses forced here move."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from mock_efidem.api import MockApiError, MockEfidem
from mock_efidem.scenario.loader import load_text
from mock_efidem.server import MockServer
from mock_efidem.settings import Settings
from tests.inbox_api.conftest import control, send_email, send_sms, sent_id, soap

SCENARIO = """\
name: search
accounts:
  - {user: demo, password: demo, app_id: demo}
  - {user: shop, password: shop, app_id: shop}
clock: {start: "2026-03-01T09:00:00Z", frozen: true, mode: polls}
"""
HOUR = 3600


@pytest.fixture(scope="module")
def filled() -> Iterator[tuple[MockServer, dict[str, str]]]:
    """The mock, and its messages by name: ``invoice`` (an email sent at 09:00),
    ``newsletter`` (to two recipients, 10:00), ``code`` (an SMS, 11:00) and
    ``shop`` (an SMS of the other account, 12:00)."""
    with MockServer(Settings(port=0), load_text(SCENARIO)) as server:
        sent = {"invoice": _invoice(server)}
        _advance(server, HOUR)
        sent["newsletter"] = _newsletter(server)
        _advance(server, HOUR)
        sent["code"] = send_sms(server, "06 01 02 03 04", "Code 5678")
        _advance(server, HOUR)
        sent["shop"] = send_sms(server, "0611223344", "Bonjour", account="shop")
        _force(server, sent["invoice"], {"status": "clicked"})
        _force(server, sent["newsletter"], {"status": "hard_bounce", "recipient": 0})
        _force(server, sent["code"], {"status": "delivered"})
        yield server, sent


def _invoice(server: MockServer) -> str:
    return send_email(
        server,
        "Jean.Dupont@Example.fr",
        SUJET="Facture de mars",
        TEXTE="Votre facture est prête",
        HTML="<p>Merci <b>Zoé</b></p>",
        EMETTEUR="billing@boutique.example",
        REFCLIENT="CMD-42",
    )


def _newsletter(server: MockServer) -> str:
    recipients = (
        "<DESTINATAIRE><DESTINATION>a@example.fr</DESTINATION><REFCLIENT>r-77</REFCLIENT>"
        "</DESTINATAIRE><DESTINATAIRE><DESTINATION>b@example.fr</DESTINATION></DESTINATAIRE>"
    )
    body = f"<DESTINATION>{recipients}</DESTINATION><SUJET>Newsletter</SUJET>"
    body += "<TEXTE>Nouveautés</TEXTE><EMETTEUR>news@example.com</EMETTEUR>"
    return sent_id(soap(server, "MULTI_ENVOYER_EMAIL", body))


def _advance(server: MockServer, seconds: int) -> None:
    assert control(server, "POST", "/clock/advance", json={"seconds": seconds}).ok


def _force(server: MockServer, message_id: str, body: dict[str, Any]) -> None:
    forced = control(server, "POST", f"/messages/{message_id}/status", json=body)
    assert forced.status_code == 200, forced.text


def found(server: MockServer, **params: Any) -> list[str]:
    """The ids a listing answers, newest first; its total must count them."""
    answer = control(server, "GET", "/messages", params=params)
    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert page["total"] == page["count"] == len(page["messages"])
    return [m["id"] for m in page["messages"]]


def names(sent: dict[str, str], ids: list[str]) -> list[str]:
    by_id = {value: key for key, value in sent.items()}
    return [by_id[i] for i in ids]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("jean.dupont@example.fr", ["invoice"]),  # a recipient, whatever its case
        ("DUPONT", ["invoice"]),
        ("+33 6 01 02 03 04", ["code"]),  # a number, however written
        ("0601020304", ["code"]),
        ("06.01.02.03.04", ["code"]),
        ("boutique", ["invoice"]),  # the sender
        ("NEWSLETTER", ["newsletter"]),  # the subject
        ("PRÊTE", ["invoice"]),  # the text
        ("code 5678", ["code"]),
        ("<b>zoé</b>", ["invoice"]),  # the HTML
        ("cmd-42", ["invoice"]),  # the message's REFCLIENT
        ("R-77", ["newsletter"]),  # a recipient's
        ("shop", ["shop"]),  # the account
        ("example.fr", ["newsletter", "invoice"]),
        ("nowhere at all", []),
    ],
)
def test_q_finds_a_text_in_any_field(
    filled: tuple[MockServer, dict[str, str]], q: str, expected: list[str]
) -> None:
    server, sent = filled
    assert names(sent, found(server, q=q)) == expected


def test_q_finds_a_message_by_its_id_or_part_of_it(
    filled: tuple[MockServer, dict[str, str]],
) -> None:
    server, sent = filled
    assert names(sent, found(server, q=sent["code"])) == ["code"]
    assert names(sent, found(server, q=sent["shop"][:12].upper())) == ["shop"]


def test_q_combines_with_the_indexed_filters(filled: tuple[MockServer, dict[str, str]]) -> None:
    server, sent = filled
    assert names(sent, found(server, q="example", channel="email")) == ["newsletter", "invoice"]
    assert names(sent, found(server, q="bonjour", account="shop")) == ["shop"]
    assert names(sent, found(server, q="bonjour", account="demo")) == []
    assert names(sent, found(server, q="0601020304", status="delivered")) == ["code"]


def test_q_pages_like_any_listing(filled: tuple[MockServer, dict[str, str]]) -> None:
    server, sent = filled
    # "o" is in every message's text and in no id (hex): "e" was in some ids only.
    first = control(server, "GET", "/messages", params={"q": "o", "limit": 3}).json()
    rest = control(
        server, "GET", "/messages", params={"q": "o", "limit": 3, "before": first["next"]}
    ).json()
    assert (first["count"], first["total"], rest["count"], rest["next"]) == (3, 4, 1, None)
    listed = [m["id"] for m in first["messages"] + rest["messages"]]
    assert names(sent, listed) == ["shop", "code", "newsletter", "invoice"]


def test_final_says_whether_every_recipient_is_in_a_final_status(
    filled: tuple[MockServer, dict[str, str]],
) -> None:
    server, sent = filled
    assert names(sent, found(server, final="true")) == ["code", "invoice"]
    assert names(sent, found(server, final="false")) == ["shop", "newsletter"]
    assert names(sent, found(server, final="TRUE", channel="sms")) == ["code"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"since": "2026-03-01T10:00:00Z"}, ["shop", "code", "newsletter"]),
        ({"until": "2026-03-01T10:00:00Z"}, ["newsletter", "invoice"]),  # both included
        ({"since": "2026-03-01T10:30:00Z", "until": "2026-03-01T11:30:00Z"}, ["code"]),
        ({"since": "2026-03-01T12:00:00+02:00"}, ["shop", "code", "newsletter"]),
        ({"since": "2026-03-01T10:00:00"}, ["shop", "code", "newsletter"]),  # UTC when naive
        ({"since": "2026-03-01"}, ["shop", "code", "newsletter", "invoice"]),
        ({"until": "2026-03-01T08:00:00Z"}, []),
        ({"since": "2026-03-01T12:00:00Z", "until": "2026-03-01T09:00:00Z"}, []),
        ({"since": "2026-03-01T10:00:00Z", "channel": "sms", "q": "bonjour"}, ["shop"]),
    ],
)
def test_since_and_until_bound_the_creation_time(
    filled: tuple[MockServer, dict[str, str]], params: dict[str, str], expected: list[str]
) -> None:
    server, sent = filled
    assert names(sent, found(server, **params)) == expected


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"final": "yes"}, "\"final\" must be true or false, not 'yes'"),
        ({"since": "yesterday"}, "\"since\" must be an ISO 8601 date and time, not 'yesterday'"),
        ({"until": "2026-13-01"}, '"until" must be an ISO 8601 date and time'),
        ({"qq": "x"}, "unknown parameter qq (did you mean q?)"),
    ],
)
def test_a_malformed_filter_is_a_400_saying_what_is_expected(
    filled: tuple[MockServer, dict[str, str]], params: dict[str, str], says: str
) -> None:
    server, _ = filled
    answer = control(server, "GET", "/messages", params=params)
    assert answer.status_code == 400
    assert says in answer.json()["error"]


def test_the_python_api_passes_the_filters_through(
    filled: tuple[MockServer, dict[str, str]],
) -> None:
    server, sent = filled
    mock = MockEfidem.connect(server.base_url)
    since = datetime.fromisoformat("2026-03-01T10:00:00+00:00")
    assert [m["id"] for m in mock.messages(q="example", final=False)] == [sent["newsletter"]]
    assert [m["id"] for m in mock.messages(since=since, channel="email")] == [sent["newsletter"]]
    with pytest.raises(MockApiError, match='"final" must be true or false'):
        mock.messages(final="maybe")
