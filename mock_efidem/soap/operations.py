"""The SOAP operations as data: wire names, their parameters and the domain operation.

Wire names (ENVOYER_EMAIL, MOT_DE_PASSE) stop here; the domain speaks plain English.
"""

from __future__ import annotations

from dataclasses import dataclass

from mock_efidem.soap.types import VARIABLE_NAMES


@dataclass(frozen=True)
class Param:
    wire: str
    field: str
    wire_type: str = "string"


@dataclass(frozen=True)
class SoapOperation:
    wire_name: str
    operation: str
    params: tuple[Param, ...]
    returns: str


AUTH = (Param("UTILISATEUR", "user"), Param("MOT_DE_PASSE", "password"), Param("AppID", "app_id"))
VARIABLES = tuple(Param(name, f"variable{n}") for n, name in enumerate(VARIABLE_NAMES, 1))
MESSAGE_ID = Param("MESSAGEID", "message_id")
BILLING = Param("CODE_FACTURATION", "billing_code")
FILES = Param("LISTE_FICHIERS", "attachments", "ArrayOfLISTE_FICHIER")
EMAIL_CONTENT = (
    Param("SUJET", "subject"),
    Param("TEXTE", "text"),
    Param("HTML", "html"),
    Param("EMETTEUR", "sender"),
    Param("REPONDRE_A", "reply_to"),
    Param("REFCLIENT", "reference"),
)


def op(wire_name: str, operation: str, returns: str, *params: Param) -> SoapOperation:
    return SoapOperation(wire_name, operation, (*AUTH, *params), returns)


def aliases(
    names: tuple[str, ...], operation: str, returns: str, *params: Param
) -> list[SoapOperation]:
    return [op(name, operation, returns, *params) for name in names]


SEND_LETTER_PARAMS = (
    Param("Destinataires", "postal_name", "COURRIER_DESTINATAIRE_NOM"),
    Param("Adresse_postale", "postal_address", "COURRIER_DESTINATAIRE_ADRESSE"),
    Param("Liste_Fichier", "attachments", "ArrayOfLISTE_FICHIER"),
    Param("Couleur", "colour", "boolean"),
    Param("Type_lettre", "envelope"),
    Param("Reference_client", "reference"),
    Param("Sujet", "subject"),
    Param("Facturation", "billing_code"),
)

OPERATIONS: tuple[SoapOperation, ...] = (
    op(
        "ENVOYER_EMAIL",
        "send_email",
        "string",
        Param("DESTINATION", "recipient"),
        Param("NOM_DESTINATAIRE", "recipient_name"),
        *EMAIL_CONTENT,
        FILES,
        BILLING,
        *VARIABLES,
    ),
    op(
        "MULTI_ENVOYER_EMAIL",
        "send_multi_email",
        "string",
        Param("DESTINATION", "recipients", "ArrayOfDESTINATAIRE"),
        *EMAIL_CONTENT,
        FILES,
        BILLING,
    ),
    op("STATUT_EMAIL", "email_status", "int", MESSAGE_ID),
    op(
        "STATUT_MULTI_EMAIL",
        "multi_email_status",
        "int",
        MESSAGE_ID,
        Param("REFCLIENT", "recipient_reference"),
    ),
    op(
        "ENVOYER_EMAIL_RELAIIS",
        "send_relay_email",
        "string",
        Param("DESTINATIONS_A", "to", "ArrayOfString"),
        Param("DESTINATIONS_CC", "cc", "ArrayOfString"),
        *EMAIL_CONTENT,
        Param("ERREURS_VERS", "errors_to"),
        Param("OUVERTURE", "track_opens", "boolean"),
        Param("CLICS", "track_clicks", "boolean"),
        Param("LISTE_FICHIERS_RELAY", "attachments", "ArrayOfLISTE_FICHIER"),
        BILLING,
    ),
    *aliases(
        ("SUIVRE_EMAIL_RELAIIS", "STATUT_EMAIL_RELAIIS"),
        "relay_status",
        "int",
        MESSAGE_ID,
        Param("DESTINATION", "recipient"),
    ),
    op(
        "ENVOYER_SMS",
        "send_sms",
        "string",
        Param("DESTINATION", "recipient"),
        Param("TEXTE", "text"),
        Param("DA", "sender_name"),
        BILLING,
    ),
    op(
        "MULTI_ENVOYER_SMS",
        "send_multi_sms",
        "string",
        Param("DESTINATAIRE", "recipients", "ArrayOfDESTINATAIRE"),
        Param("TEXTE", "text"),
        Param("EMETTEUR", "sender_name"),
        BILLING,
    ),
    op("STATUT_SMS", "sms_status", "int", MESSAGE_ID),
    op("STATUT_COMPLET_SMS", "sms_full_status", "STATUT_SMS", MESSAGE_ID),
    *aliases(
        ("COURRIER_ENVOYER", "ENVOYER_COURRIER"), "send_letter", "string", *SEND_LETTER_PARAMS
    ),
    *aliases(("COURRIER_STATUT", "COURRIER_SUIVRE"), "letter_status", "STATUTS", MESSAGE_ID),
    op(
        "ENVOYER_FAX",
        "send_fax",
        "string",
        Param("DESTINATION", "recipient"),
        Param("NOM_DESTINATAIRE", "recipient_name"),
        Param("TEXTE", "text"),
        Param("PAGE_DE_GARDE", "cover_page"),
        FILES,
        Param("REFCLIENT", "reference"),
        BILLING,
    ),
    op("STATUT_FAX", "fax_status", "int", MESSAGE_ID),
    op(
        "RAPPORT",
        "report",
        "base64Binary",
        Param("DATE_DEBUT", "start", "dateTime"),
        Param("DATE_FIN", "end", "dateTime"),
    ),
    op("COMPTE_SOUMIS_CODE_FACTURATION", "count_billing_code", "int", BILLING),
    op("VERIFIER_ADRESSE_EMAIL", "verify_address", "int", Param("DESTINATAIRE", "address")),
    op("OBTENIR_CODE_ESMTP", "describe_esmtp", "string", Param("CODE_ESMTP", "esmtp_code")),
    *aliases(
        ("TRANSFORMER_NUMERO", "TRANSFORMER_NUEMRO"),
        "normalise_number",
        "string",
        Param("NUMERO", "number"),
    ),
    op(
        "AJOUTER_UTILISATEUR",
        "add_console_user",
        "int",
        Param("NOM_UTILISATEUR", "user_name"),
        Param("MOT_DE_PASSE_UTILISATEUR", "user_password"),
    ),
    op("ENLEVER_UTILISATEUR", "remove_console_user", "int", Param("NOM_UTILISATEUR", "user_name")),
)

_CHANNEL_OF_OPERATION = {
    "send_email": "email",
    "send_multi_email": "email",
    "email_status": "email",
    "multi_email_status": "email",
    "send_relay_email": "relay",
    "relay_status": "relay",
    "send_sms": "sms",
    "send_multi_sms": "sms",
    "sms_status": "sms",
    "sms_full_status": "sms",
    "send_letter": "letter",
    "letter_status": "letter",
    "send_fax": "fax",
    "fax_status": "fax",
}
WIRE_CHANNELS: dict[str, str] = {
    op.wire_name: _CHANNEL_OF_OPERATION[op.operation]
    for op in OPERATIONS
    if op.operation in _CHANNEL_OF_OPERATION
}
"""The channel each wire operation concerns (annex operations concern none)."""
