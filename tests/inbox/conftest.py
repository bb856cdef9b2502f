"""The web inbox over real HTTP: a send of each channel, as an application makes it
through zeep, and the pages the inbox answers about it."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import requests

from mock_efidem.server import MockServer

XSS = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>&amp;"
"""A stored payload: tags, both quotes, an attribute breakout and an entity."""
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SECURITY = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
HTML = "text/html; charset=utf-8"


def directives(policy: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def assert_secured(answer: requests.Response) -> None:
    """The headers every inbox page and asset carries: its policy runs no script but
    the inbox's own, frames nothing and is framed by nothing."""
    for name, value in SECURITY.items():
        assert answer.headers.get(name) == value, (answer.url, name)
    policy = directives(answer.headers["Content-Security-Policy"])
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert "unsafe" not in policy["script-src"] + policy["default-src"]


def pdf_files(name: str = "facture.pdf", content: bytes = PDF) -> dict[str, Any]:
    return {"LISTE_FICHIER": [{"NOM": name, "CONTENU": content}]}


def send_email(soap: Any, auth: dict[str, str], **fields: Any) -> str:
    given = {
        "DESTINATION": "jean.dupont@example.com",
        "NOM_DESTINATAIRE": "Jean Dupont",
        "SUJET": "Votre facture",
        "TEXTE": "Bonjour Jean",
        "HTML": '<p>Bonjour <a href="https://example.com/facture">Jean</a></p>',
        "EMETTEUR": "factures@example.com",
        "REPONDRE_A": "support@example.com",
        "REFCLIENT": "CLIENT-42",
        "CODE_FACTURATION": "FACT-7",
        "VARIABLE1": "Jean",
        "VARIABLE3": "42,00 €",
        **fields,
    }
    message_id: str = soap.ENVOYER_EMAIL(**auth, **given)
    return message_id


def send_relay(soap: Any, auth: dict[str, str], **fields: Any) -> str:
    given = {
        "DESTINATIONS_A": {"string": ["to@example.com"]},
        "DESTINATIONS_CC": {"string": ["cc@example.com"]},
        "SUJET": "Relayed",
        "TEXTE": "Relayed text",
        "HTML": "<p>Relayed</p>",
        "EMETTEUR": "app@example.com",
        "ERREURS_VERS": "bounces@example.com",
        "OUVERTURE": True,
        "CLICS": False,
        **fields,
    }
    message_id: str = soap.ENVOYER_EMAIL_RELAIIS(**auth, **given)
    return message_id


def send_sms(soap: Any, auth: dict[str, str], **fields: Any) -> str:
    given = {"DESTINATION": "0601020304", "TEXTE": "Votre code : 1234", "DA": "MaBoutique"}
    message_id: str = soap.ENVOYER_SMS(**auth, **{**given, **fields})
    return message_id


def send_letter(
    soap: Any, auth: dict[str, str], name: dict[str, str] | None = None, **fields: Any
) -> str:
    given = {
        "Destinataires": {
            "CIVILITE": "M.",
            "PRENOM": "Jean",
            "NOM": "Dupont",
            "RAISON_SOCIALE": "Dupont SARL",
            **(name or {}),
        },
        "Adresse_postale": {
            "ADRESSE1": "3 rue de Téhéran",
            "ADRESSE2": "Bâtiment B",
            "CODE_POSTAL": "75008",
            "VILLE": "Paris",
            "PAYS": "France",
        },
        "Liste_Fichier": pdf_files("lettre.pdf"),
        "Couleur": True,
        "Type_lettre": "C6",
        "Sujet": "Relance",
        "Reference_client": "LETTRE-1",
        **fields,
    }
    message_id: str = soap.COURRIER_ENVOYER(**auth, **given)
    return message_id


def send_fax(soap: Any, auth: dict[str, str], **fields: Any) -> str:
    given = {
        "DESTINATION": "01 23 45 67 89",
        "NOM_DESTINATAIRE": "Cabinet Martin",
        "TEXTE": "Veuillez trouver le devis ci-joint.",
        "PAGE_DE_GARDE": "Devis n° 12\nÀ l'attention de M. Martin",
        "LISTE_FICHIERS": pdf_files("devis.pdf"),
        "REFCLIENT": "FAX-9",
        **fields,
    }
    message_id: str = soap.ENVOYER_FAX(**auth, **given)
    return message_id


def texts(html: str, testid: str) -> list[str]:
    """The text of each element with that data-testid, as a browser's textContent."""
    reader = _TestidReader(testid)
    reader.feed(html)
    return reader.found


class _TestidReader(HTMLParser):
    VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "source", "wbr"})

    def __init__(self, testid: str) -> None:
        super().__init__(convert_charrefs=True)
        self.testid = testid
        self.found: list[str] = []
        self._open: list[int | None] = []  # per open element: its index in found, if any

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        mine = dict(attrs).get("data-testid") == self.testid
        if mine:
            self.found.append("")
        self._open.append(len(self.found) - 1 if mine else None)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for index in self._open:
            if index is not None:
                self.found[index] += data


def get(server: MockServer, path: str, **params: Any) -> requests.Response:
    answer = requests.get(f"{server.base_url}{path}", params=params, timeout=10)
    return answer


def page(server: MockServer, path: str, **params: Any) -> str:
    answer = get(server, path, **params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    return answer.text
