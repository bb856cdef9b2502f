"""Each channel's page shows it as its user thinks of it."""

from __future__ import annotations

import re
from html import escape
from typing import Any

import requests

from mock_efidem.server import MockServer
from tests.inbox.conftest import (
    PDF,
    get,
    page,
    pdf_files,
    send_email,
    send_fax,
    send_letter,
    send_relay,
    send_sms,
    texts,
)


def test_an_email_shows_its_headers_bodies_source_attachments_and_variables(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    message_id = send_email(soap, auth, LISTE_FICHIERS=pdf_files())

    html = page(server, f"/_mock/inbox/{message_id}")

    assert texts(html, "message-operation") == ["ENVOYER_EMAIL"]
    assert texts(html, "email-from") == ["factures@example.com"]
    assert texts(html, "email-reply-to") == ["support@example.com"]
    assert texts(html, "email-subject") == ["Votre facture"]
    assert texts(html, "email-billing-code") == ["FACT-7"]
    for tab in ("html", "text", "source"):
        assert f'data-testid="tab-{tab}"' in html and f'data-testid="panel-{tab}"' in html
    frame = re.search(r"<iframe [^>]*>", html)
    assert frame is not None
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in frame.group()
    assert "allow-scripts" not in frame.group() and "allow-same-origin" not in frame.group()
    srcdoc = escape('<base target="_blank"><p>Bonjour <a href="https://example.com/facture">')
    assert f'srcdoc="{srcdoc}' in frame.group()
    assert texts(html, "text-body") == ["Bonjour Jean"]
    source = texts(html, "source-xml")[0]
    assert "ENVOYER_EMAIL" in source and "jean.dupont@example.com" in source
    assert texts(html, "recipient-refclient") == ["CLIENT-42"]
    assert texts(html, "recipient-variable1") == ["Jean"]
    assert texts(html, "recipient-variable3") == ["42,00 €"]
    assert "recipient-variable2" not in html  # empty: not shown
    assert texts(html, "attachment-download") == ["facture.pdf"]
    assert f'href="/_mock/messages/{message_id}/attachments/0"' in html
    assert texts(html, "attachment-size") == [f"{len(PDF)} B"]
    assert texts(html, "attachment-type") == ["application/pdf"]


def test_statuses_are_the_catalogues_labels_with_codes_and_the_timeline_is_on_the_clock(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    requests.post(f"{server.base_url}/_mock/clock/freeze", json={}, timeout=5)
    message_id = send_sms(soap, auth)
    requests.post(f"{server.base_url}/_mock/clock/advance", json={"seconds": 10}, timeout=5)

    html = page(server, f"/_mock/inbox/{message_id}")

    assert texts(html, "recipient-status") == ["SMS délivré (3)"]
    assert '<span class="status final">SMS délivré (3)</span>' in html
    events = texts(html, "timeline-event")
    assert [e.split(" ", 2)[2].split(" (")[0] for e in events] == [
        "SMS accepté",
        "SMS transmis à l'opérateur",
        "SMS délivré",
    ]
    clock = requests.get(f"{server.base_url}/_mock/clock", timeout=5).json()["now"]
    assert events[-1].startswith(clock[:10])  # the mock's time, not the wall clock's
    assert "force-none" in html and 'data-testid="force-status"><option' not in html
    assert "delivered" not in texts(html, "recipient-status")[0]  # never the internal name


def test_an_email_offers_to_force_only_the_statuses_it_can_reach(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    requests.post(f"{server.base_url}/_mock/clock/freeze", json={}, timeout=5)
    message_id = send_email(soap, auth)

    html = page(server, f"/_mock/inbox/{message_id}")

    choices = re.findall(r'<option value="(\w+)">', html.split('data-testid="force-status"')[1])
    assert choices == [
        "sent",
        "delivered",
        "opened",
        "clicked",
        "soft_bounce",
        "hard_bounce",
        "complaint",
        "unsubscribed",
    ]
    assert "Message ouvert (4)" in html


def test_an_sms_is_a_bubble_with_its_sender_length_and_segments(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    short = send_sms(soap, auth)
    long = send_sms(soap, auth, TEXTE="Votre colis arrive demain. " * 7)  # 189: GSM-7
    wide = send_sms(soap, auth, TEXTE="Merci 😀")

    html = page(server, f"/_mock/inbox/{short}")
    assert texts(html, "sms-sender") == ["MaBoutique"]
    assert "Sender (DA)" in html
    assert texts(html, "sms-bubble") == ["Votre code : 1234"]
    assert texts(html, "sms-characters") == ["17"]
    assert texts(html, "sms-encoding") == ["GSM-7"]
    assert texts(html, "sms-segments") == ["1"]

    html = page(server, f"/_mock/inbox/{long}")
    assert texts(html, "sms-segments") == ["2"]  # 189 septets: 153 per part
    html = page(server, f"/_mock/inbox/{wide}")
    assert texts(html, "sms-encoding") == ["UCS-2"]


def test_a_letter_is_its_envelopes_window_as_la_poste_reads_it(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    message_id = send_letter(soap, auth)

    html = page(server, f"/_mock/inbox/{message_id}")

    assert texts(html, "address-line") == [
        "Dupont SARL",
        "M. Jean Dupont",
        "3 rue de Téhéran",
        "Bâtiment B",
        "75008 PARIS",
    ]  # France: no country line
    assert texts(html, "letter-format") == ["C6"]
    assert "envelope-c6" in html
    assert texts(html, "letter-colour") == ["yes"]
    tracking = texts(html, "letter-tracking")[0]
    assert re.fullmatch(r"1A\d{11}", tracking)
    assert texts(html, "letter-carrier") == ["La Poste"]
    assert "True" not in html and "False" not in html
    assert "PostalName(" not in html and "{'" not in html
    view = f'href="/_mock/inbox/{message_id}/attachments/0" target="_blank" rel="noopener"'
    assert view in html
    assert texts(html, "message-operation") == ["COURRIER_ENVOYER"]


def test_a_letter_abroad_ends_with_its_country_and_a_long_line_is_flagged(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    address = {
        "ADRESSE1": "Rue de la Loi 16, boîte postale 1000, étage 3",
        "CODE_POSTAL": "1000",
        "VILLE": "Bruxelles",
        "PAYS": "Belgique",
    }
    message_id = send_letter(
        soap, auth, name={"RAISON_SOCIALE": ""}, Adresse_postale=address, Couleur=False
    )

    html = page(server, f"/_mock/inbox/{message_id}")

    lines = texts(html, "address-line")
    assert lines[-2:] == ["1000 BRUXELLES", "BELGIQUE"]
    assert lines[0] == "M. Jean Dupont"
    assert 'class="line too-long"' in html
    assert texts(html, "letter-colour") == ["no"]


def test_a_viewable_attachment_opens_inline_and_anything_else_does_not(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    files = {
        "LISTE_FICHIER": [
            {"NOM": "lettre.pdf", "CONTENU": PDF},
            {"NOM": "page.html", "CONTENU": b"<h1>hi</h1>"},
        ]
    }
    message_id = send_letter(soap, auth, Liste_Fichier=files)

    shown = get(server, f"/_mock/inbox/{message_id}/attachments/0")
    refused = get(server, f"/_mock/inbox/{message_id}/attachments/1")

    assert shown.status_code == 200 and shown.content == PDF
    assert shown.headers["Content-Type"] == "application/pdf"
    assert shown.headers["Content-Disposition"].startswith('inline; filename="lettre.pdf"')
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert refused.status_code == 404
    html = page(server, f"/_mock/inbox/{message_id}")
    assert html.count('data-testid="attachment-view"') == 1


def test_a_fax_shows_its_cover_page(server: MockServer, soap: Any, auth: dict[str, str]) -> None:
    message_id = send_fax(soap, auth)

    html = page(server, f"/_mock/inbox/{message_id}")

    assert 'data-testid="fax-cover"' in html
    assert texts(html, "fax-to") == ["Cabinet Martin"]
    assert texts(html, "fax-number") == ["33123456789"]
    assert texts(html, "fax-cover-text") == ["Devis n° 12\nÀ l'attention de M. Martin"]
    assert texts(html, "fax-text") == ["Veuillez trouver le devis ci-joint."]
    assert texts(html, "fax-pages") == ["1"]
    assert texts(html, "attachment-download") == ["devis.pdf"]
    assert texts(html, "message-operation") == ["ENVOYER_FAX"]


def test_a_relay_email_shows_to_cc_and_what_it_tracks(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    message_id = send_relay(soap, auth)

    html = page(server, f"/_mock/inbox/{message_id}")

    assert texts(html, "relay-to") == ["to@example.com"]
    assert texts(html, "relay-cc") == ["cc@example.com"]
    assert texts(html, "relay-opens") == ["yes"]
    assert texts(html, "relay-clicks") == ["no"]
    assert texts(html, "relay-errors-to") == ["bounces@example.com"]
    assert texts(html, "recipient-kind") == ["TO", "CC"]
    assert texts(html, "message-operation") == ["ENVOYER_EMAIL_RELAIIS"]
    assert 'data-testid="tab-html"' in html


def test_the_list_names_operations_and_statuses_as_the_vendor_does(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    requests.post(f"{server.base_url}/_mock/clock/freeze", json={}, timeout=5)
    send_sms(soap, auth)
    send_letter(soap, auth)

    html = page(server, "/_mock/inbox")

    assert texts(html, "message-status") == ["Courrier reçu (1)", "SMS accepté (1)"]
    assert texts(html, "message-recipients") == ["M. Jean Dupont", "33601020304"]
    assert "send_" not in html


def test_a_message_links_to_its_calls(server: MockServer, soap: Any, auth: dict[str, str]) -> None:
    message_id = send_sms(soap, auth)
    soap.STATUT_SMS(**auth, MESSAGEID=message_id)

    html = page(server, f"/_mock/inbox/{message_id}")

    calls = html.split('data-testid="message-calls"')[1]
    assert re.findall(r'data-testid="call-link">(\w+)<', calls) == ["ENVOYER_SMS", "STATUT_SMS"]
    assert f"/_mock/inbox/calls?message_id={message_id}&amp;protocol=all" in html
