"""A stored XSS payload, in every field a page shows, comes back as text.

The server here allows every character sequence (the default scenario refuses
``<script`` with a -7) and has an account whose name is a tag, so that the payload
reaches the store, the journal and every page the inbox draws from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from html import escape
from pathlib import Path
from typing import Any

import pytest
import requests
import zeep
from zeep.transports import Transport

from mock_efidem.server import MockServer
from mock_efidem.settings import Settings
from tests.inbox.conftest import (
    XSS,
    page,
    pdf_files,
    send_email,
    send_fax,
    send_letter,
    send_relay,
    send_sms,
)

PERMISSIVE = """
name: "<i>permissive</i>"
forbidden_sequences: []
accounts:
  - {user: demo, password: demo, app_id: demo, fax: true}
  - {user: "<b>acct</b>", password: demo, app_id: demo, fax: true}
"""
AUTH = {"UTILISATEUR": "demo", "MOT_DE_PASSE": "demo", "AppID": "demo"}
Sender = Callable[..., str]


@pytest.fixture(scope="module")
def permissive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    scenario = tmp_path_factory.mktemp("scenario") / "permissive.yaml"
    scenario.write_text(PERMISSIVE, encoding="utf-8")
    with MockServer(Settings(port=0, scenario=Path(scenario))) as running:
        yield running


@pytest.fixture(scope="module")
def service(permissive: MockServer) -> Any:
    client = zeep.Client(f"{permissive.soap_url}?wsdl", transport=Transport(timeout=10))
    return client.service


def assert_shown_as_text(html: str, times: int = 1) -> None:
    """The payload is nowhere as markup, and at least ``times`` times as text."""
    lowered = html.lower()
    assert "<script>alert" not in lowered
    assert "<img src=x" not in lowered
    assert "\"'>" not in html
    assert "<b>acct" not in html and "<i>permissive" not in html
    assert lowered.count(escape("<script>alert(1)</script>").lower()) >= times
    assert "&amp;amp;" in html  # the entity in the payload stayed text too


EMAIL_FIELDS = [
    "SUJET",
    "TEXTE",
    "HTML",
    "NOM_DESTINATAIRE",
    "REFCLIENT",
    "CODE_FACTURATION",
    "VARIABLE1",
    "VARIABLE10",
]
CASES: list[tuple[str, Sender, dict[str, Any]]] = [
    *((f"email {f}", send_email, {f: XSS}) for f in EMAIL_FIELDS),
    ("email attachment name", send_email, {"LISTE_FICHIERS": pdf_files(XSS)}),
    *(
        (f"relay {f}", send_relay, {f: XSS})
        for f in ("SUJET", "TEXTE", "HTML", "REFCLIENT", "CODE_FACTURATION")
    ),
    ("sms TEXTE", send_sms, {"TEXTE": XSS}),
    *(
        (f"fax {f}", send_fax, {f: XSS})
        for f in ("NOM_DESTINATAIRE", "TEXTE", "PAGE_DE_GARDE", "REFCLIENT", "CODE_FACTURATION")
    ),
    *(
        (f"letter {p}", send_letter, {"name": {p: XSS}})
        for p in ("CIVILITE", "PRENOM", "NOM", "RAISON_SOCIALE")
    ),
    *(
        (
            f"letter {p}",
            send_letter,
            {
                "Adresse_postale": {
                    "ADRESSE1": "1 rue",
                    "CODE_POSTAL": "75008",
                    "VILLE": "X",
                    p: XSS,
                }
            },
        )
        for p in ("ADRESSE1", "ADRESSE2", "ADRESSE3", "VILLE", "PAYS")
    ),
    *((f"letter {f}", send_letter, {f: XSS}) for f in ("Sujet", "Reference_client", "Facturation")),
    ("letter document name", send_letter, {"Liste_Fichier": pdf_files(XSS)}),
]


@pytest.mark.parametrize(("sender", "fields"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_field_is_text_on_the_message_page_and_in_the_list(
    permissive: MockServer, service: Any, sender: Sender, fields: dict[str, Any]
) -> None:
    message_id = sender(service, AUTH, **fields)
    assert len(message_id) == 32, message_id

    assert_shown_as_text(page(permissive, f"/_mock/inbox/{message_id}"))
    listed = page(permissive, "/_mock/inbox", q=message_id)
    assert f'data-id="{message_id}"' in listed
    assert "<script>alert" not in listed.lower() and "<img src=x" not in listed.lower()


def test_an_account_named_as_a_tag_is_text_everywhere(permissive: MockServer, service: Any) -> None:
    message_id = send_sms(service, {**AUTH, "UTILISATEUR": "<b>acct</b>"})

    for path in (f"/_mock/inbox/{message_id}", "/_mock/inbox", "/_mock/inbox/calls"):
        html = page(permissive, path)
        assert "<b>acct" not in html
        assert "&lt;b&gt;acct&lt;/b&gt;" in html
        assert "&lt;i&gt;permissive&lt;/i&gt;" in html  # the scenario's name, in the bar


def test_a_rejected_value_is_text_in_the_calls_view_and_on_the_call_page(
    permissive: MockServer, service: Any
) -> None:
    assert send_email(service, AUTH, EMETTEUR=XSS) == "-10"

    calls = page(permissive, "/_mock/inbox/calls", result="-10")
    assert_shown_as_text(calls)
    journal = requests.get(f"{permissive.base_url}/_mock/journal", timeout=5).json()
    entry_id = journal["entries"][0]["id"]
    assert_shown_as_text(page(permissive, f"/_mock/inbox/calls/{entry_id}"), times=2)


def test_what_the_filters_echo_is_text(permissive: MockServer) -> None:
    for path, names in (
        ("/_mock/inbox", ("q", "account")),
        ("/_mock/inbox/calls", ("operation", "account", "result", "message_id")),
    ):
        html = page(permissive, path, **dict.fromkeys(names, XSS))
        assert "<script>alert" not in html and "\"'>" not in html
        assert html.count(f'value="{escape(XSS)}"') == len(names)
