"""Every operation and alias answers a valid call, and the store keeps what was sent.

Each test runs with four clients (conftest.py): built from the served WSDL or from a
copy in another namespace, calling the SOAP 1.1 or the SOAP 1.2 port."""

from __future__ import annotations

import base64
import csv
import io
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from mock_efidem.server import MockServer

MESSAGE_ID = re.compile(r"^[0-9a-f]{32}$")
PDF = {"LISTE_FICHIER": [{"NOM": "lettre.pdf", "CONTENU": b"%PDF-1.4 test"}]}


@pytest.fixture
def soap(any_client: Any, server: MockServer) -> Any:
    return any_client


def stored(server: MockServer, message_id: str) -> dict[str, Any]:
    response = requests.get(f"{server.base_url}/_mock/messages/{message_id}", timeout=5)
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    return document


def send_email(soap: Any, auth: dict[str, str], **overrides: Any) -> str:
    arguments = {
        "DESTINATION": "jean.dupont@example.fr",
        "NOM_DESTINATAIRE": "Jean Dupont",
        "SUJET": "Votre commande",
        "TEXTE": "Bonjour [VARIABLE1]",
        "HTML": "<p>Bonjour [VARIABLE1]</p>",
        "EMETTEUR": "shop@example.com",
        "REPONDRE_A": "support@example.com",
        "REFCLIENT": "order-42",
        "LISTE_FICHIERS": {"LISTE_FICHIER": [{"NOM": "facture.pdf", "CONTENU": b"%PDF-1.4"}]},
        "CODE_FACTURATION": "BU-SALES",
        "VARIABLE1": "Jean",
        "VARIABLE10": "dix",
        **overrides,
    }
    result: str = soap.ENVOYER_EMAIL(**auth, **arguments)
    return result


def test_envoyer_email_returns_an_id_and_keeps_everything(soap, auth, server) -> None:
    message_id = send_email(soap, auth)

    assert MESSAGE_ID.match(message_id)
    message = stored(server, message_id)
    assert message["channel"] == "email"
    assert message["account"] == "demo"
    assert (message["subject"], message["text"], message["html"]) == (
        "Votre commande",
        "Bonjour [VARIABLE1]",
        "<p>Bonjour [VARIABLE1]</p>",
    )
    assert (message["sender"], message["reply_to"], message["reference"]) == (
        "shop@example.com",
        "support@example.com",
        "order-42",
    )
    assert message["billing_code"] == "BU-SALES"
    assert message["attachments"][0]["name"] == "facture.pdf"
    assert message["attachments"][0]["size"] == len(b"%PDF-1.4")
    assert base64.b64decode(message["attachments"][0]["content_base64"]) == b"%PDF-1.4"
    recipient = message["recipients"][0]
    assert (recipient["address"], recipient["name"]) == ("jean.dupont@example.fr", "Jean Dupont")
    assert recipient["variables"][0] == "Jean"
    assert recipient["variables"][9] == "dix"
    assert recipient["status"] == "accepted"


def test_ids_are_unique(soap, auth) -> None:
    ids = {send_email(soap, auth) for _ in range(20)}
    assert len(ids) == 20


def test_statut_email_answers_the_accepted_code(soap, auth) -> None:
    message_id = send_email(soap, auth)
    assert soap.STATUT_EMAIL(**auth, MESSAGEID=message_id) == 1


def test_multi_envoyer_email_and_statut_multi_email(soap, auth, server) -> None:
    recipients = [
        {
            "DESTINATION": "a@example.fr",
            "NOM_DESTINATAIRE": "A",
            "REFCLIENT": "r-a",
            "VARIABLE1": "Alice",
        },
        {
            "DESTINATION": "b@example.fr",
            "NOM_DESTINATAIRE": "B",
            "REFCLIENT": "r-b",
            "VARIABLE2": "Bob",
        },
    ]
    message_id = soap.MULTI_ENVOYER_EMAIL(
        **auth,
        DESTINATION={"DESTINATAIRE": recipients},
        SUJET="Newsletter",
        HTML="<p>Hello</p>",
        EMETTEUR="news@example.com",
        CODE_FACTURATION="MKT",
    )

    assert MESSAGE_ID.match(message_id)
    assert soap.STATUT_MULTI_EMAIL(**auth, MESSAGEID=message_id, REFCLIENT="r-b") == 1
    message = stored(server, message_id)
    assert [r["reference"] for r in message["recipients"]] == ["r-a", "r-b"]
    assert message["recipients"][0]["variables"][0] == "Alice"
    assert message["recipients"][1]["variables"][1] == "Bob"


@pytest.mark.parametrize("status_operation", ["SUIVRE_EMAIL_RELAIIS", "STATUT_EMAIL_RELAIIS"])
def test_relay_send_and_both_status_names(soap, auth, server, status_operation) -> None:
    message_id = soap.ENVOYER_EMAIL_RELAIIS(
        **auth,
        DESTINATIONS_A={"string": ["to1@example.fr", "to2@example.fr"]},
        DESTINATIONS_CC={"string": ["cc@example.fr"]},
        SUJET="Relais",
        TEXTE="texte",
        EMETTEUR="app@example.com",
        ERREURS_VERS="bounces@example.com",
        OUVERTURE=True,
        CLICS=False,
        LISTE_FICHIERS_RELAY={"LISTE_FICHIER": [{"NOM": "a.txt", "CONTENU": b"abc"}]},
    )

    status = getattr(soap, status_operation)(
        **auth, MESSAGEID=message_id, DESTINATION="cc@example.fr"
    )
    assert status == 1
    message = stored(server, message_id)
    assert [(r["address"], r["kind"]) for r in message["recipients"]] == [
        ("to1@example.fr", "to"),
        ("to2@example.fr", "to"),
        ("cc@example.fr", "cc"),
    ]
    assert message["options"] == {
        "errors_to": "bounces@example.com",
        "track_opens": True,
        "track_clicks": False,
    }


def test_envoyer_sms_stores_the_normalised_number(soap, auth, server) -> None:
    message_id = soap.ENVOYER_SMS(
        **auth,
        DESTINATION="+33(0)6.01.02.03.04",
        TEXTE="Code: 1234",
        DA="MyShop",
        CODE_FACTURATION="OTP",
    )

    assert soap.STATUT_SMS(**auth, MESSAGEID=message_id) == 1
    message = stored(server, message_id)
    assert message["recipients"][0]["address"] == "33601020304"
    assert (message["text"], message["sender"]) == ("Code: 1234", "MyShop")


def test_multi_envoyer_sms(soap, auth, server) -> None:
    message_id = soap.MULTI_ENVOYER_SMS(
        **auth,
        DESTINATAIRE={
            "DESTINATAIRE": [
                {"DESTINATION": "06 01 02 03 04"},
                {"DESTINATION": "0033 7 01 02 03 04"},
            ]
        },
        TEXTE="Promo",
        EMETTEUR="Shop",
    )

    addresses = [r["address"] for r in stored(server, message_id)["recipients"]]
    assert addresses == ["33601020304", "33701020304"]


def test_statut_complet_sms_describes_the_last_status(soap, auth) -> None:
    message_id = soap.ENVOYER_SMS(**auth, DESTINATION="0601020304", TEXTE="hi")

    status = soap.STATUT_COMPLET_SMS(**auth, MESSAGEID=message_id)

    assert status.CODE_STATUT == 1
    assert status.MESSAGEID == message_id
    assert status.DESCRIPTION_STATUT == "SMS accepté"
    assert abs(status.DATE_STATUT - datetime.now(status.DATE_STATUT.tzinfo)) < timedelta(minutes=1)


LETTER = {
    "Destinataires": {
        "CIVILITE": "M.",
        "NOM": "Dupont",
        "PRENOM": "Jean",
        "RAISON_SOCIALE": "ACME",
    },
    "Adresse_postale": {
        "ADRESSE1": "3 rue de Téhéran",
        "CODE_POSTAL": "75008",
        "VILLE": "Paris",
        "PAYS": "FRANCE",
    },
    "Liste_Fichier": PDF,
    "Couleur": True,
    "Type_lettre": "C6",
    "Reference_client": "dossier-7",
    "Sujet": "Mise en demeure",
    "Facturation": "LEGAL",
}


@pytest.mark.parametrize("send", ["COURRIER_ENVOYER", "ENVOYER_COURRIER"])
@pytest.mark.parametrize("status_operation", ["COURRIER_STATUT", "COURRIER_SUIVRE"])
def test_letter_send_and_status_names(soap, auth, server, send, status_operation) -> None:
    message_id = getattr(soap, send)(**auth, **LETTER)

    status = getattr(soap, status_operation)(**auth, MESSAGEID=message_id)
    assert (status.CODE_STATUT, status.DESCRIPTION_STATUT) == (1, "Courrier reçu")
    message = stored(server, message_id)
    assert message["options"]["colour"] is True
    assert message["options"]["envelope"] == "C6"
    assert message["options"]["postal_address"]["postcode"] == "75008"
    assert message["options"]["postal_name"]["company"] == "ACME"
    assert (message["subject"], message["reference"], message["billing_code"]) == (
        "Mise en demeure",
        "dossier-7",
        "LEGAL",
    )


def test_envoyer_fax_and_statut_fax(soap, auth, server) -> None:
    message_id = soap.ENVOYER_FAX(
        **auth,
        DESTINATION="01 40 00 00 01",
        NOM_DESTINATAIRE="Compta",
        TEXTE="Voir pièce jointe",
        PAGE_DE_GARDE="STD",
        LISTE_FICHIERS=PDF,
        REFCLIENT="fx-1",
    )

    assert soap.STATUT_FAX(**auth, MESSAGEID=message_id) == 1
    message = stored(server, message_id)
    assert message["recipients"][0]["address"] == "33140000001"
    assert message["options"]["cover_page"] == "STD"


def test_rapport_lists_the_accounts_sends_in_the_range(soap, auth) -> None:
    first = send_email(soap, auth, REFCLIENT="first")
    sms = soap.ENVOYER_SMS(**auth, DESTINATION="0601020304", TEXTE="hi", CODE_FACTURATION="X")
    now = datetime.now()

    report = soap.RAPPORT(
        **auth, DATE_DEBUT=now - timedelta(hours=1), DATE_FIN=now + timedelta(hours=1)
    )
    rows = list(csv.DictReader(io.StringIO(report.decode("utf-8")), delimiter=";"))
    assert {row["MESSAGEID"] for row in rows} == {first, sms}
    email_row = next(row for row in rows if row["MESSAGEID"] == first)
    assert email_row["CANAL"] == "email"
    assert email_row["REFCLIENT"] == "first"
    assert email_row["STATUT"] == "Message accepté"

    empty = soap.RAPPORT(
        **auth, DATE_DEBUT=now - timedelta(days=3), DATE_FIN=now - timedelta(days=2)
    )
    assert empty.decode("utf-8").strip().count("\n") == 0


def test_compte_soumis_code_facturation_counts_recipients(soap, auth) -> None:
    send_email(soap, auth, CODE_FACTURATION="BU-1")
    soap.MULTI_ENVOYER_SMS(
        **auth,
        DESTINATAIRE={
            "DESTINATAIRE": [{"DESTINATION": "0601020304"}, {"DESTINATION": "0601020305"}]
        },
        TEXTE="x",
        CODE_FACTURATION="BU-1",
    )
    send_email(soap, auth, CODE_FACTURATION="BU-2")

    assert soap.COMPTE_SOUMIS_CODE_FACTURATION(**auth, CODE_FACTURATION="BU-1") == 3
    assert soap.COMPTE_SOUMIS_CODE_FACTURATION(**auth, CODE_FACTURATION="BU-3") == 0


def test_verifier_adresse_email(soap, auth) -> None:
    assert soap.VERIFIER_ADRESSE_EMAIL(**auth, DESTINATAIRE="jean@example.fr") == 0


@pytest.mark.parametrize(
    ("code", "description"),
    [
        ("5.1.1", "Bad destination mailbox address"),
        ("X.1.1", "Bad destination mailbox address"),
        ("4.2.2", "Mailbox full"),
        ("X.1.2", "Bad destination system address"),
        ("x.2.0", "Other or undefined mailbox status"),
    ],
)
def test_obtenir_code_esmtp(soap, auth, code, description) -> None:
    assert soap.OBTENIR_CODE_ESMTP(**auth, CODE_ESMTP=code) == description


@pytest.mark.parametrize("operation", ["TRANSFORMER_NUMERO", "TRANSFORMER_NUEMRO"])
@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("+33(0)6.01.02.03.04", "33601020304"),
        ("06 01 02 03 04", "33601020304"),
        ("0033 7 01 02 03 04", "33701020304"),
    ],
)
def test_transformer_numero(soap, auth, operation, raw, normalised) -> None:
    assert getattr(soap, operation)(**auth, NUMERO=raw) == normalised


def test_console_users_are_added_then_removed(soap, auth, server) -> None:
    assert (
        soap.AJOUTER_UTILISATEUR(**auth, NOM_UTILISATEUR="marie", MOT_DE_PASSE_UTILISATEUR="s3cret")
        == 0
    )
    account = server.world.backend.accounts.named("demo")
    assert account is not None and account.console_users == {"marie": "s3cret"}

    assert soap.ENLEVER_UTILISATEUR(**auth, NOM_UTILISATEUR="marie") == 0
    assert account.console_users == {}


def test_messages_are_kept_per_account_and_answered_only_to_their_owner(soap, auth) -> None:
    message_id = send_email(soap, auth)
    assert soap.STATUT_EMAIL(**auth, MESSAGEID=message_id.upper()) == 1
    assert soap.STATUT_SMS(**auth, MESSAGEID=message_id) == -8  # an email id is no SMS
