"""The web inbox shows what the application sent, safely escaped."""

from __future__ import annotations

from typing import Any

import requests

from mock_efidem.server import MockServer


def send(soap: Any, auth: dict[str, str], **fields: Any) -> str:
    message_id: str = soap.ENVOYER_EMAIL(
        **auth,
        **{
            "DESTINATION": "jean@example.fr",
            "SUJET": "Bienvenue",
            "TEXTE": "Bonjour",
            "EMETTEUR": "app@example.com",
            **fields,
        },
    )
    return message_id


def test_the_inbox_lists_what_was_sent(server: MockServer, soap: Any, auth: dict[str, str]) -> None:
    message_id = send(soap, auth)

    page = requests.get(f"{server.base_url}/_mock/inbox", timeout=5)

    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Bienvenue" in page.text
    assert "jean@example.fr" in page.text
    assert f"/_mock/inbox/{message_id}" in page.text


def test_the_inbox_filters_by_channel(server: MockServer, soap: Any, auth: dict[str, str]) -> None:
    send(soap, auth, SUJET="Un email")
    soap.ENVOYER_SMS(**auth, DESTINATION="0601020304", TEXTE="Un SMS")

    page = requests.get(f"{server.base_url}/_mock/inbox", params={"channel": "sms"}, timeout=5)

    assert "Un SMS" in page.text
    assert "Un email" not in page.text


def test_a_message_page_escapes_everything(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    message_id = send(
        soap,
        auth,
        SUJET="<b>bold</b> & co",
        HTML='<p onclick="x()">Hello</p>',
        LISTE_FICHIERS={"LISTE_FICHIER": [{"NOM": "facture.pdf", "CONTENU": b"%PDF-1.4"}]},
    )

    page = requests.get(f"{server.base_url}/_mock/inbox/{message_id}", timeout=5).text

    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in page
    assert "<b>bold</b>" not in page
    # Shown in a frame that runs no script; its links open in a new tab.
    frame = (
        '<iframe class="html-body" sandbox="allow-popups allow-popups-to-escape-sandbox" '
        'title="HTML body" data-testid="html-frame" srcdoc="&lt;base target=&quot;_blank&quot;&gt;'
        '&lt;p onclick=&quot;x()&quot;&gt;Hello&lt;/p&gt;">'
    )
    assert frame in page
    assert "facture.pdf" in page


def test_an_attachment_downloads_as_sent(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    message_id = send(
        soap,
        auth,
        LISTE_FICHIERS={"LISTE_FICHIER": [{"NOM": "facture.pdf", "CONTENU": b"%PDF-1.4 x"}]},
    )

    download = requests.get(
        f"{server.base_url}/_mock/messages/{message_id}/attachments/0", timeout=5
    )

    assert download.content == b"%PDF-1.4 x"
    assert download.headers["Content-Type"] == "application/pdf"
    assert 'filename="facture.pdf"' in download.headers["Content-Disposition"]
    missing = requests.get(
        f"{server.base_url}/_mock/messages/{message_id}/attachments/3", timeout=5
    )
    assert missing.status_code == 404


def test_an_unknown_message_page_is_a_404(server: MockServer) -> None:
    assert requests.get(f"{server.base_url}/_mock/inbox/nope", timeout=5).status_code == 404
