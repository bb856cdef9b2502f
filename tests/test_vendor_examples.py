"""Every example that the two vendor documents print is answered as printed.

Over real HTTP: DQE's response page (dqe-emaillookup-response.txt), its two JSON
examples and its error table; the Efidem document (efidem-webservice-multicanal.txt),
its examples (TRANSFORMER_NUEMRO, "par ex : -1", "336XXXXXXXX") and its "Codes
ESMTP" table, row by row.

The vendor texts are copied here, so that a change of the mock shows up as a
failure. Where the documents sit beside the clone (``../shared/specs``), the copies
are checked against them too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import requests

from mock_efidem.server import MockServer

SPECS = Path(__file__).parents[1] / ".." / "shared" / "specs"
EFIDEM_DOCUMENT = SPECS / "efidem-webservice-multicanal.txt"
DQE_PAGE = SPECS / "dqe-emaillookup-response.txt"

L1, L2 = "DQE-DEMO-L1", "DQE-DEMO-L2"
MESSAGE_ID = re.compile(r"[0-9a-f]{32}")


def vendor_text(path: Path) -> str:
    if not path.is_file():
        pytest.skip(f"{path} is not beside the clone")
    return path.read_text(encoding="utf-8")


# --- DQE: /DQEEMAILLOOKUP/ response page ---------------------------------------------

EXAMPLE_ADDRESS = "test@tesdedet.com"

LEVEL_1_EXAMPLE = {
    "1": {
        "Redressement": 0,
        "eMailOrigine": "test@tesdedet.com",
        "IdError": "92",
        "eMail": "test@tesdedet.com",
    }
}

LEVEL_2_EXAMPLE = {
    "1": {
        "Redressement": 0,
        "eMailOrigine": "test@tesdedet.com",
        "IdError": "92",
        "eMail": "test@tesdedet.com",
        "CodeActivite": "200",
    }
}

# The page's error table names the IdError only; research notes §4 give the whole answer.
EMPTY_EMAIL_ANSWER = {"1": {"Redressement": 0, "eMailOrigine": "", "IdError": "04", "eMail": ""}}


def licence_ko_answer(origin: str) -> dict[str, Any]:
    return {
        "1": {"Redressement": 0, "eMailOrigine": origin, "IdError": "** LICENCE KO **", "eMail": ""}
    }


def lookup(server: MockServer, method: str = "GET", **params: str) -> requests.Response:
    url = f"{server.base_url}/DQEEMAILLOOKUP/"
    if method == "POST":
        return requests.post(url, data=params, timeout=10)
    return requests.get(url, params=params, timeout=10)


def assert_json_as_printed(response: requests.Response, expected: dict[str, Any]) -> None:
    assert response.status_code == 200
    document = response.json()
    assert document == expected
    assert list(document["1"].items()) == list(expected["1"].items())  # key order too


def test_dqe_copies_are_the_pages_examples() -> None:
    text = vendor_text(DQE_PAGE)
    decoder = json.JSONDecoder()
    starts = [match.end() for match in re.finditer(r"^Example:\n", text, re.M)]
    printed = [decoder.raw_decode(text, start)[0] for start in starts]
    assert [list(p["1"].items()) for p in printed] == [
        list(LEVEL_1_EXAMPLE["1"].items()),
        list(LEVEL_2_EXAMPLE["1"].items()),
    ]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_dqe_level_1_example(server: MockServer, method: str) -> None:
    response = lookup(server, method, Email=EXAMPLE_ADDRESS, Licence=L1)
    assert_json_as_printed(response, LEVEL_1_EXAMPLE)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_dqe_level_2_example(server: MockServer, method: str) -> None:
    response = lookup(server, method, Email=EXAMPLE_ADDRESS, Licence=L2)
    assert_json_as_printed(response, LEVEL_2_EXAMPLE)


def test_dqe_error_missing_licence(server: MockServer) -> None:
    response = lookup(server, Email=EXAMPLE_ADDRESS)
    assert_json_as_printed(response, licence_ko_answer(EXAMPLE_ADDRESS))


def test_dqe_error_empty_licence(server: MockServer) -> None:
    response = lookup(server, Email=EXAMPLE_ADDRESS, Licence="")
    assert_json_as_printed(response, licence_ko_answer(EXAMPLE_ADDRESS))


def test_dqe_error_incorrect_licence(server: MockServer) -> None:
    response = lookup(server, Email=EXAMPLE_ADDRESS, Licence="DQE-NOT-A-LICENCE")
    assert response.text == "unauthorized_client"


@pytest.mark.parametrize("licence", [L1, L2])
def test_dqe_error_missing_email(server: MockServer, licence: str) -> None:
    assert_json_as_printed(lookup(server, Licence=licence), EMPTY_EMAIL_ANSWER)


@pytest.mark.parametrize("licence", [L1, L2])
def test_dqe_error_empty_email(server: MockServer, licence: str) -> None:
    assert_json_as_printed(lookup(server, Email="", Licence=licence), EMPTY_EMAIL_ANSWER)


@pytest.mark.parametrize("licence", [L1, L2])
def test_dqe_error_parameter_typo(server: MockServer, licence: str) -> None:
    response = lookup(server, Eail=EXAMPLE_ADDRESS, Licence=licence)
    assert_json_as_printed(response, EMPTY_EMAIL_ANSWER)


# --- Efidem: the document's examples -------------------------------------------------


@pytest.mark.parametrize("operation", ["TRANSFORMER_NUEMRO", "TRANSFORMER_NUMERO"])
def test_transformer_numero_example(soap: Any, auth: dict[str, str], operation: str) -> None:
    # "Exemple : La valeur +33(0)6.01.02.03.04 deviendra : 33601020304"
    assert getattr(soap, operation)(**auth, NUMERO="+33(0)6.01.02.03.04") == "33601020304"


def test_transformer_numero_example_is_the_documents() -> None:
    example = "Exemple : La valeur +33(0)6.01.02.03.04 deviendra : 33601020304"
    assert example in vendor_text(EFIDEM_DOCUMENT)


def _file(name: str) -> dict[str, Any]:
    return {"LISTE_FICHIER": [{"NOM": name, "CONTENU": b"%PDF-1.4 mock"}]}


# The four send operations whose section says "un code erreur ... par ex : -1".
SEND_CALLS: dict[str, dict[str, Any]] = {
    "ENVOYER_EMAIL": {
        "DESTINATION": "jean.dupont@example.com",
        "SUJET": "Votre facture",
        "TEXTE": "Bonjour",
        "HTML": "<p>Bonjour</p>",
        "EMETTEUR": "factures@example.com",
    },
    "ENVOYER_SMS": {"DESTINATION": "33601020304", "TEXTE": "Votre code : 1234"},
    "COURRIER_ENVOYER": {
        "Destinataires": {"CIVILITE": "M.", "NOM": "Dupont", "PRENOM": "Jean"},
        "Adresse_postale": {
            "ADRESSE1": "3 rue de Téhéran",
            "CODE_POSTAL": "75008",
            "VILLE": "Paris",
            "PAYS": "France",
        },
        "Liste_Fichier": _file("lettre.pdf"),
        "Couleur": False,
        "Type_lettre": "C5",
    },
    "ENVOYER_FAX": {"DESTINATION": "01 23 45 67 89", "LISTE_FICHIERS": _file("devis.pdf")},
}


@pytest.mark.parametrize("operation", sorted(SEND_CALLS))
def test_send_answers_a_simplified_guid(soap: Any, auth: dict[str, str], operation: str) -> None:
    result = getattr(soap, operation)(**auth, **SEND_CALLS[operation])
    assert MESSAGE_ID.fullmatch(result)


@pytest.mark.parametrize("operation", sorted(SEND_CALLS))
def test_send_answers_the_example_code_minus_1(
    soap: Any, auth: dict[str, str], operation: str
) -> None:
    # -1 is "Nom d'utilisateur vide" in each of these operations' tables.
    result = getattr(soap, operation)(**{**auth, "UTILISATEUR": ""}, **SEND_CALLS[operation])
    assert result == "-1"


def test_sms_to_a_number_written_as_the_example_336xxxxxxxx(
    soap: Any, auth: dict[str, str], server: MockServer
) -> None:
    message_id = soap.ENVOYER_SMS(**auth, DESTINATION="33601020304", TEXTE="Bonjour")
    assert MESSAGE_ID.fullmatch(message_id)
    stored = requests.get(f"{server.base_url}/_mock/messages/{message_id}", timeout=10).json()
    assert [r["address"] for r in stored["recipients"]] == ["33601020304"]


# --- Efidem: the "Codes ESMTP" table ---------------------------------------------------


class VendorRow(NamedTuple):
    code: str
    """As printed."""
    extracted: str
    """The title as the PDF extraction gives it, words glued together."""
    title: str
    """The same title, its spaces between words restored: what the mock answers."""
    served_as: str = ""
    """The code that answers the row, when it is not the printed one."""

    @property
    def served_code(self) -> str:
        return self.served_as or self.code


VENDOR_ESMTP_ROWS: tuple[VendorRow, ...] = (
    VendorRow("X.1.0", "Otheraddressstatus", "Other address status"),
    VendorRow("X.1.1", "Bad destination mailboxaddress", "Bad destination mailbox address"),
    # Printed X.2.0, but it is RFC 3463's X.1.2 (research notes §3 #15).
    VendorRow("X.2.0", "Bad destination system address", "Bad destination system address", "X.1.2"),
    VendorRow(
        "X.1.3", "Bad destination mailboxaddresssyntax", "Bad destination mailbox address syntax"
    ),
    VendorRow(
        "X.1.4", "Destination mailboxaddressambiguous", "Destination mailbox address ambiguous"
    ),
    VendorRow("X.1.5", "Destination mailboxaddressvalid", "Destination mailbox address valid"),
    VendorRow("X.1.6", "Mailbox has moved", "Mailbox has moved"),
    VendorRow("X.1.7", "Bad sender'smailboxaddresssyntax", "Bad sender's mailbox address syntax"),
    VendorRow("X.1.8", "Bad sender's system address", "Bad sender's system address"),
    VendorRow("X.2.0", "Other or undefinedmailboxstatus", "Other or undefined mailbox status"),
    VendorRow(
        "X.2.1",
        "Mailboxdisabled, not accepting messages",
        "Mailbox disabled, not accepting messages",
    ),
    VendorRow("X.2.2", "Mailbox full", "Mailbox full"),
    VendorRow(
        "X.2.3",
        "Message lengthexceeds administrative limit.",
        "Message length exceeds administrative limit.",
    ),
    VendorRow("X.2.4", "Mailing list expansion problem", "Mailing list expansion problem"),
    VendorRow(
        "X.3.0", "Other or undefined mail system status", "Other or undefined mail system status"
    ),
    VendorRow("X.3.1", "Mail system full", "Mail system full"),
    VendorRow(
        "X.3.2", "System not accepting network messages", "System not accepting network messages"
    ),
    VendorRow(
        "X.3.3", "System not capable of selectedfeatures", "System not capable of selected features"
    ),
    VendorRow("X.3.4", "Message toobig for system", "Message too big for system"),
    VendorRow(
        "X.4.0",
        "Other or undefined network or routingstatus",
        "Other or undefined network or routing status",
    ),
    VendorRow("X.4.1", "No answerfrom host", "No answer from host"),
    VendorRow("X.4.2", "Bad connection", "Bad connection"),
    VendorRow("X.4.3", "Routing server failure", "Routing server failure"),
    VendorRow("X.4.4", "Unable to route", "Unable to route"),
    VendorRow("X.4.5", "Network congestion", "Network congestion"),
    VendorRow("X.4.6", "Routingloopdetected", "Routing loop detected"),
    VendorRow("X.4.7", "Delivery time expired", "Delivery time expired"),
    VendorRow("X.5.0", "Other or undefinedprotocolstatus", "Other or undefined protocol status"),
    VendorRow("X.5.1", "Invalid command", "Invalid command"),
    VendorRow("X.5.2", "Syntaxerror", "Syntax error"),
    VendorRow("X.5.3", "Toomanyrecipients", "Too many recipients"),
    VendorRow("X.5.4", "Invalid command arguments", "Invalid command arguments"),
    VendorRow("X.5.5", "Wrongprotocol version", "Wrong protocol version"),
    VendorRow("X.6.0", "Other or undefined media error", "Other or undefined media error"),
    VendorRow("X.6.1", "Media not supported", "Media not supported"),
    VendorRow("X.6.2", "Conversion required and prohibited", "Conversion required and prohibited"),
    VendorRow(
        "X.6.3", "Conversion required but not supported", "Conversion required but not supported"
    ),
    VendorRow("X.6.4", "Conversion withlossperformed", "Conversion with loss performed"),
    VendorRow("X.6.5", "Conversion failed", "Conversion failed"),
    VendorRow("X.7.0", "Other or undefinedsecuritystatus", "Other or undefined security status"),
    VendorRow(
        "X.7.1",
        "Delivery not authorized, message refused",
        "Delivery not authorized, message refused",
    ),
    VendorRow("X.7.2", "Mailing list expansion prohibited", "Mailing list expansion prohibited"),
    VendorRow(
        "X.7.3",
        "Security conversion required but not possible",
        "Security conversion required but not possible",
    ),
    VendorRow("X.7.4", "Security features not supported", "Security features not supported"),
    VendorRow("X.7.5", "Cryptographicfailure", "Cryptographic failure"),
    VendorRow(
        "X.7.6", "Cryptographicalgorithm not supported", "Cryptographic algorithm not supported"
    ),
    VendorRow("X.7.7", "Message integrityfailure", "Message integrity failure"),
)

# The codes the vendor's table leaves out, in RFC 3463's words.
RFC_3463_ONLY = {"X.0.0": "Other undefined Status", "X.3.5": "System incorrectly configured"}

# "le X peut représenter soit : 4 [...] 5"; X itself is accepted too.
CLASSES = ("4", "5", "X")

_ROW = re.compile(r"^(X\.\d\.\d)\t(.*?)\s*$", re.M)


def test_esmtp_copy_is_the_documents_table() -> None:
    text = vendor_text(EFIDEM_DOCUMENT)
    table = text[text.index("Codes ESMTP") :]
    assert _ROW.findall(table) == [(row.code, row.extracted) for row in VENDOR_ESMTP_ROWS]


@pytest.mark.parametrize("row", VENDOR_ESMTP_ROWS, ids=lambda row: row.served_code)
def test_esmtp_titles_differ_from_the_extraction_in_spaces_only(row: VendorRow) -> None:
    assert row.title.replace(" ", "") == row.extracted.replace(" ", "")
    assert row.title == " ".join(row.title.split())


@pytest.mark.parametrize("code_class", CLASSES)
@pytest.mark.parametrize("row", VENDOR_ESMTP_ROWS, ids=lambda row: row.served_code)
def test_esmtp_vendor_row_over_soap(
    soap: Any, auth: dict[str, str], row: VendorRow, code_class: str
) -> None:
    code = code_class + row.served_code[1:]
    assert soap.OBTENIR_CODE_ESMTP(**auth, CODE_ESMTP=code) == row.title


@pytest.mark.parametrize("code_class", CLASSES)
@pytest.mark.parametrize(("code", "title"), sorted(RFC_3463_ONLY.items()))
def test_esmtp_codes_the_vendor_omits_over_soap(
    soap: Any, auth: dict[str, str], code: str, title: str, code_class: str
) -> None:
    assert soap.OBTENIR_CODE_ESMTP(**auth, CODE_ESMTP=code_class + code[1:]) == title


def test_esmtp_vendor_rows_and_rfc_only_codes_do_not_overlap() -> None:
    served = [row.served_code for row in VENDOR_ESMTP_ROWS]
    assert len(served) == len(set(served))
    assert set(served).isdisjoint(RFC_3463_ONLY)
