"""The error tables of ``rules.py``, without HTTP: their shape, and the backend's answers.

``VENDOR_TABLES`` transcribes the vendor document's section "Liste des codes erreurs"
as the reference; ``NOT_IN_RULES`` lists the vendor codes the research notes (§3)
decided the mock does not answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pytest

from mock_efidem.domain.accounts import Account
from mock_efidem.domain.backend import HANDLERS, EfidemBackend, Outcome
from mock_efidem.domain.models import Attachment, PostalAddress, PostalName, RecipientInput
from mock_efidem.domain.rules import ERROR_TABLES, SCENARIO_ONLY_CODES
from mock_efidem.domain.validation import (
    DEFAULT_FORBIDDEN_SEQUENCES,
    Blank,
    ConsoleUserKnown,
    FaxDisabled,
    Rule,
    UnknownMessage,
    UnknownRecipient,
    WrongCredentials,
)

# --- the vendor's tables, as written -------------------------------------------------

VENDOR_TABLES: dict[str, tuple[tuple[int, str], ...]] = {
    "COMPTE_SOUMIS_CODE_FACTURATION": (
        (-1, "Nom d'utilisateur vide"),
        (-2, "Mot de passe vide"),
        (-3, "AppID vide"),
        (-4, "Code de facturation vide"),
        (-6, "Informations d'authentification incorrectes"),
        (-7, "Séquence de caractères non autorisée"),
    ),
    "ENVOYER_EMAIL": (
        (-1, "Nom d'utilisateur vide"),
        (-2, "Mot de passe vide"),
        (-3, "ApplID vide"),
        (-4, ""),  # research notes §3 #6: destination empty
        (-5, "Adresse émettrice vide"),
        (-6, "Le champ sujet n'est pas renseigné"),
        (-7, "Séquence de caractères non autorisée"),
        (-8, "Les champs TEXTE et/ou HTML ne sont pas renseignés"),
        (-9, "Format de l'adresse de destination incorrect"),
        (-10, "Format de l'adresse émettrice incorrect"),
        (-11, "Format de l'adresse de réponse (REPLY-TO) incorrect"),
    ),
    "STATUT_EMAIL": (
        (-1, "Nom d'utilisateur vide"),
        (-2, "Mot de passe vide"),
        (-3, "ApplID vide"),
        (-4, "MESSAGEID vide"),
        (-5, ""),
        (-6, "Informations d'authentification incorrectes"),
        (-7, "Séquence de caractères non autorisée"),
        (-99, "Aucun statut"),
    ),
    "STATUT_MULTI_EMAIL": (
        (-1, "Nom d'utilisateur vide"),
        (-2, "Mot de passe vide"),
        (-3, "ApplID vide"),
        (-4, "MESSAGEID vide"),
        (-5, ""),
        (-6, "Informations d'authentification incorrectes"),
        (-7, "Séquence de caractères non autorisée"),
        (-8, "Identifiant de destinataire vide"),
        (-99, "Aucun statut"),
    ),
    "VERIFIER_ADRESSE_EMAIL": (
        (-1, "Nom d'utilisateur vide"),
        (-2, "Mot de passe vide"),
        (-3, "AppID vide"),
        (-4, "Adresse email vide"),
        (-5, ""),
        (-6, "Informations d'authentification incorrectes"),
        (-7, "Séquence de caractères non autorisée"),
        (-99, "Format de l'adresse email invalide"),
    ),
    "OBTENIR_CODE_ESMTP": (
        (-1, "Nom d'utilisateur vide"),
        (-2, "Mot de passe vide"),
        (-3, "AppID vide"),
        (-4, "Code de facturation vide"),  # research notes §3 #11: the ESMTP code
        (-5, ""),
        (-6, "Informations d'authentifications incorrectes"),
        (-7, "Séquence de caractères non autorisée"),
        (-99, "Aucune donnée pour ce code de facturation"),  # §3 #11: unknown ESMTP code
    ),
    "ENVOYER_SMS": (
        (-1, "Nom d'utilisateur vide"),
        (-2, "Mot de passe vide"),
        (-3, "AppID vide"),
        (-4, "Numéro de destinataire vide"),
        (-5, "Texte du SMS vide"),
        (-6, "Informations d'authentification incorrectes"),
        (-7, "Séquence de caractères non autorisée"),
        (-8, "Numéro de destination trop court"),
        (-9, "Numéro de destination trop long"),
        (-10, "Numéro de destination de test (suite d'un même chiffre)"),
    ),
    "MULTI_ENVOYER_SMS": (
        (-1, "Nom d'utilisateur vide"),
        (-2, "Mot de passe vide"),
        (-3, "AppID vide"),
        (-4, "Numéro de destinataire vide (parmi la liste)"),
        (-5, "Texte du SMS vide"),
        (-6, "Informations d'authentification incorrectes"),
        (-7, "Séquence de caractères non autorisée"),
        (-8, "Numéro de destination trop long"),  # §3 #9: reversed from ENVOYER_SMS, as written
        (-9, "Numéro de destination trop court"),
        (-10, "Numéro de destination de test (suite d'un même chiffre)"),
        (-50, "Impossible d'enregistrer la campagne"),
    ),
    "STATUT_SMS": (
        (-1, "Nom d'utilisateur vide"),
        (-2, "Mot de passe vide"),
        (-3, "AppID vide"),
        (-4, "MESSAGEID vide"),
        (-5, "Aucun statut"),
        (-6, "Informations d'authentification incorrectes"),
        (-7, "Séquence de caractères non autorisée"),
        (-8, "Aucun statut"),
    ),
    "TRANSFORMER_NUMERO": (
        (-1, "Nom d'utilisateur vide"),
        (-2, "Mot de passe vide"),
        (-3, "AppID vide"),
        (-4, "Numéro vide"),
        (-6, "Informations d'authentification incorrectes"),
    ),
    "Courrier postal": (
        (-1, "Nom d'utilisateur vide"),
        (-2, "Mot de passe vide"),
        (-3, "AppID vide"),
        (500, "Numéro de destinataire vide"),  # §3 #12: reproduced as written
        (501, "Le champ « Nom » est vide"),
        (502, "Le champ « Prénom » est vide"),
        (503, "Le champ « Adresse 1 » est vide"),
        (504, "Le champ « Ville » est vide"),
        (505, "Le champ « Code postal » n'a pas la bonne longueur"),
        (506, "La liste des fichiers à joindre est vide"),
    ),
    "Fax": (),  # §3 #16: empty in the document; the mock's codes are all chosen
}

NOT_IN_RULES: dict[tuple[str, int], str] = {
    ("STATUT_SMS", -5): "§3 #10: two 'Aucun statut' codes; the mock answers -8",
}
"""Vendor codes with a description that the mock, by a research-notes decision, never answers."""

VENDOR_TABLE_OF: dict[str, str] = {
    "count_billing_code": "COMPTE_SOUMIS_CODE_FACTURATION",
    "send_email": "ENVOYER_EMAIL",
    "send_multi_email": "ENVOYER_EMAIL",  # "suit le même principe" as ENVOYER_EMAIL
    "send_relay_email": "ENVOYER_EMAIL",  # README contract note 21
    "email_status": "STATUT_EMAIL",
    "multi_email_status": "STATUT_MULTI_EMAIL",
    "relay_status": "STATUT_MULTI_EMAIL",  # README contract note 21
    "verify_address": "VERIFIER_ADRESSE_EMAIL",
    "describe_esmtp": "OBTENIR_CODE_ESMTP",
    "send_sms": "ENVOYER_SMS",
    "send_multi_sms": "MULTI_ENVOYER_SMS",
    "sms_status": "STATUT_SMS",
    "sms_full_status": "STATUT_SMS",  # "reprend la même structure"
    "normalise_number": "TRANSFORMER_NUMERO",
    "send_letter": "Courrier postal",
    "send_fax": "Fax",
}


def vendor_codes(table: str) -> list[int]:
    """The codes the mock must answer, in the vendor's order."""
    return [
        code
        for code, description in VENDOR_TABLES[table]
        if (description or (table, code) == ("ENVOYER_EMAIL", -4))
        and (table, code) not in NOT_IN_RULES
    ]


def is_subsequence(wanted: Sequence[int], sequence: Sequence[int]) -> bool:
    remaining = iter(sequence)
    return all(any(code == item for item in remaining) for code in wanted)


def codes(table: Sequence[Rule]) -> list[int]:
    return [rule.code for rule in table]


# --- the shape of every table ---------------------------------------------------------

ALL_OPERATIONS = sorted(ERROR_TABLES)
NEEDS_AN_ACCOUNT = (UnknownMessage, UnknownRecipient, FaxDisabled, ConsoleUserKnown)


def test_every_operation_has_a_table_and_a_handler() -> None:
    assert set(ERROR_TABLES) == set(HANDLERS)


@pytest.mark.parametrize("operation", ALL_OPERATIONS)
def test_table_starts_with_user_password_appid_empty(operation: str) -> None:
    first = ERROR_TABLES[operation][:3]
    assert [(r.code, r.check) for r in first] == [
        (-1, Blank("user")),
        (-2, Blank("password")),
        (-3, Blank("app_id")),
    ]


@pytest.mark.parametrize("operation", ALL_OPERATIONS)
def test_table_checks_the_credentials_once(operation: str) -> None:
    table = ERROR_TABLES[operation]
    checks = [i for i, rule in enumerate(table) if isinstance(rule.check, WrongCredentials)]
    assert len(checks) == 1
    expected = -12 if operation.startswith(("send_email", "send_multi_email", "send_relay")) else -6
    assert table[checks[0]].code == expected


@pytest.mark.parametrize("operation", ALL_OPERATIONS)
def test_checks_that_need_the_account_come_after_the_credentials(operation: str) -> None:
    table = ERROR_TABLES[operation]
    credentials = next(i for i, r in enumerate(table) if isinstance(r.check, WrongCredentials))
    too_early = [r.meaning for r in table[:credentials] if isinstance(r.check, NEEDS_AN_ACCOUNT)]
    assert too_early == []


def _vendor_order_param(operation: str) -> Any:
    return pytest.param(operation, id=f"{operation} ({VENDOR_TABLE_OF[operation]})")


@pytest.mark.parametrize("operation", [_vendor_order_param(op) for op in VENDOR_TABLE_OF])
def test_vendor_codes_appear_in_the_vendors_order(operation: str) -> None:
    # Codes no input can provoke are given by scenarios (README contract note 28).
    scenario_only = set(SCENARIO_ONLY_CODES.get(operation, ()))
    wanted = [c for c in vendor_codes(VENDOR_TABLE_OF[operation]) if c not in scenario_only]
    assert is_subsequence(wanted, codes(ERROR_TABLES[operation])), (
        f"vendor order {wanted}, rules.py order {codes(ERROR_TABLES[operation])}"
    )


@pytest.mark.parametrize("operation", list(VENDOR_TABLE_OF))
def test_codes_the_vendor_does_not_give_are_marked_chosen(operation: str) -> None:
    # -1..-3 are in every vendor table: the trio is "obligatoire" for every request.
    vendor = {-1, -2, -3} | {code for code, _ in VENDOR_TABLES[VENDOR_TABLE_OF[operation]]}
    unmarked = [
        (rule.code, rule.meaning)
        for rule in ERROR_TABLES[operation]
        if rule.code not in vendor and not rule.chosen_by_mock
    ]
    assert unmarked == []


def test_is_subsequence_sees_a_wrong_order() -> None:
    assert is_subsequence([-1, -4, -6], [-1, -2, -4, -5, -6])
    assert not is_subsequence([-1, -6, -4], [-1, -2, -4, -5, -6])
    assert not is_subsequence([-9, -9], [-8, -9])


# --- the backend's answers ------------------------------------------------------------

DEMO = {"user": "demo", "password": "demo", "app_id": "demo"}
PDF = (Attachment("a.pdf", b"%PDF-1.4"),)


def valid_fields(operation: str, message_id: str = "") -> dict[str, Any]:
    """A call of ``operation`` that passes its whole table (status calls need an id)."""
    by_operation: dict[str, dict[str, Any]] = {
        "send_email": {
            "recipient": "jean@example.com",
            "sender": "shop@example.com",
            "subject": "Commande",
            "text": "Bonjour",
        },
        "send_multi_email": {
            "recipients": (
                RecipientInput("jean@example.com", reference="r1"),
                RecipientInput("anne@example.com", reference="r2"),
            ),
            "sender": "shop@example.com",
            "subject": "Commande",
            "html": "<p>Bonjour</p>",
        },
        "send_relay_email": {
            "to": ("jean@example.com",),
            "cc": ("anne@example.com",),
            "sender": "shop@example.com",
            "subject": "Commande",
            "text": "Bonjour",
        },
        "send_sms": {"recipient": "06 01 02 03 04", "text": "Code 1234", "sender_name": "Shop"},
        "send_multi_sms": {
            "recipients": (RecipientInput("06 01 02 03 04"), RecipientInput("+44 20 7946 0958")),
            "text": "Code 1234",
        },
        "send_letter": {
            "postal_name": PostalName(last_name="Dupont", first_name="Jean"),
            "postal_address": PostalAddress(
                line1="3 rue de Téhéran", postcode="75008", city="Paris"
            ),
            "attachments": PDF,
            "envelope": "C5",
        },
        "send_fax": {"recipient": "01 23 45 67 89", "attachments": PDF},
        "email_status": {"message_id": message_id},
        "multi_email_status": {"message_id": message_id, "recipient_reference": "r2"},
        "relay_status": {"message_id": message_id, "recipient": "ANNE@example.com"},
        "sms_status": {"message_id": message_id},
        "sms_full_status": {"message_id": message_id},
        "letter_status": {"message_id": message_id},
        "fax_status": {"message_id": message_id},
        "report": {"start": datetime(2000, 1, 1), "end": datetime(2100, 1, 1)},
        "count_billing_code": {"billing_code": "BU-42"},
        "verify_address": {"address": "jean@example.com"},
        "describe_esmtp": {"esmtp_code": "X.1.1"},
        "normalise_number": {"number": "+33(0)6.01.02.03.04"},
        "add_console_user": {"user_name": "agent", "user_password": "secret"},
        "remove_console_user": {"user_name": "agent"},
    }
    return {**DEMO, **by_operation[operation]}


SENT_BY = {
    "email_status": "send_email",
    "multi_email_status": "send_multi_email",
    "relay_status": "send_relay_email",
    "sms_status": "send_sms",
    "sms_full_status": "send_sms",
    "letter_status": "send_letter",
    "fax_status": "send_fax",
}


def send(backend: EfidemBackend, operation: str) -> str:
    outcome = backend.call(operation, valid_fields(operation))
    assert outcome.ok, outcome
    return str(outcome.value)


def prepared(backend: EfidemBackend, operation: str) -> dict[str, Any]:
    """Valid fields for ``operation``, after whatever its baseline needs in the backend."""
    message_id = send(backend, SENT_BY[operation]) if operation in SENT_BY else ""
    if operation == "remove_console_user":
        assert backend.call("add_console_user", valid_fields("add_console_user")).ok
    return valid_fields(operation, message_id)


def answer(backend: EfidemBackend, operation: str, **changes: Any) -> Outcome:
    return backend.call(operation, {**prepared(backend, operation), **changes})


@pytest.fixture
def backend() -> EfidemBackend:
    return EfidemBackend(seed=1)


@pytest.mark.parametrize("operation", ALL_OPERATIONS)
def test_valid_fields_pass_the_whole_table(backend: EfidemBackend, operation: str) -> None:
    outcome = answer(backend, operation)
    assert outcome.ok, outcome


@pytest.mark.parametrize("operation", ALL_OPERATIONS)
def test_no_fields_at_all_is_user_empty(backend: EfidemBackend, operation: str) -> None:
    assert backend.call(operation, {}).error == -1


@pytest.mark.parametrize(
    ("credentials", "expected"),
    [
        pytest.param({"user": " ", "password": "", "app_id": ""}, -1, id="-1 blank user first"),
        pytest.param({"user": "demo", "password": "", "app_id": ""}, -2, id="-2 before -3"),
        pytest.param({"user": "demo", "password": "demo", "app_id": ""}, -3, id="-3 AppID"),
        pytest.param({"user": "demo", "password": "x", "app_id": "demo"}, -6, id="-6 password"),
        pytest.param({"user": "demo", "password": "demo", "app_id": "x"}, -6, id="-6 AppID"),
        pytest.param({"user": "nobody", "password": "demo", "app_id": "demo"}, -6, id="-6 user"),
    ],
)
def test_credentials(backend: EfidemBackend, credentials: dict[str, str], expected: int) -> None:
    assert answer(backend, "verify_address", **credentials).error == expected


# A representative subset of the tables, one row per decision worth pinning.
ANSWERS = [
    ("send_email", {"recipient": ""}, -4, "§3 #6: -4 is the destination empty"),
    ("send_email", {"password": "x"}, -12, "§3 #7: wrong credentials on email sends"),
    ("send_email", {"sender": "", "password": "x"}, -5, "-5 sender before -12 credentials"),
    ("send_email", {"password": "x", "subject": ""}, -12, "-12 credentials before -6 subject"),
    ("send_email", {"subject": ""}, -6, "§3 #5: -6 is the subject empty"),
    ("send_email", {"text": "", "html": ""}, -8, "§3 #8: -8 only when both are empty"),
    ("send_email", {"text": "", "html": "<p>Bonjour</p>"}, None, "§3 #8: HTML alone is enough"),
    ("send_email", {"reply_to": "x@"}, -11, "-11 reply-to malformed"),
    ("send_multi_email", {"recipients": ()}, -4, "no recipient at all"),
    ("send_relay_email", {"cc": ("anne@",)}, -9, "a CC address malformed is -9 too"),
    ("send_relay_email", {"errors_to": "bounces"}, -13, "ERREURS_VERS malformed"),
    ("send_sms", {"recipient": "06 01"}, -8, "§3 #9: ENVOYER_SMS -8 too short"),
    ("send_sms", {"recipient": "06 01 02 03 04 05"}, -9, "§3 #9: ENVOYER_SMS -9 too long"),
    ("send_sms", {"recipient": "0666666666"}, -10, "test number"),
    ("send_sms", {"sender_name": "ABCDEFGHIJKL"}, -12, "§3 #17: sender name of 12"),
    ("send_sms", {"sender_name": "ABCDEFGHIJK"}, None, "§3 #17: sender name of 11 is fine"),
    (
        "send_multi_sms",
        {"recipients": (RecipientInput("06 01 02 03 04 05"),)},
        -8,
        "§3 #9: MULTI_ENVOYER_SMS -8 too long",
    ),
    (
        "send_multi_sms",
        {"recipients": (RecipientInput("06 01"),)},
        -9,
        "§3 #9: MULTI_ENVOYER_SMS -9 too short",
    ),
    ("sms_status", {"message_id": "f" * 32}, -8, "§3 #10: unknown SMS is -8, not -5"),
    ("email_status", {"message_id": " " + "f" * 32}, -99, "unknown message"),
    ("multi_email_status", {"recipient_reference": ""}, -8, "REFCLIENT empty"),
    ("multi_email_status", {"recipient_reference": "r9"}, -99, "no such REFCLIENT"),
    ("relay_status", {"recipient": "nobody@example.com"}, -99, "no such recipient"),
    ("describe_esmtp", {"esmtp_code": ""}, -4, "§3 #11: -4 is the ESMTP code empty"),
    ("describe_esmtp", {"esmtp_code": "5.9.9"}, -99, "§3 #11: -99 is an unknown ESMTP code"),
    ("normalise_number", {"number": "abc"}, -4, "no digit at all is -4"),
    ("send_letter", {"postal_name": None}, 500, "§3 #12: no recipient block"),
    ("send_letter", {"postal_name": PostalName(first_name="Jean")}, 501, "NOM empty"),
    ("send_letter", {"postal_address": PostalAddress(line1="1 rue", postcode="75008")}, 504, ""),
    ("send_letter", {"envelope": "c6"}, None, "Type_lettre in any case"),
    ("send_letter", {"envelope": ""}, None, "empty Type_lettre means C5"),
    ("send_letter", {"envelope": "C4"}, 507, "Type_lettre neither C5 nor C6"),
    ("send_letter", {"attachments": ()}, 506, "no file to post"),
    ("send_fax", {"attachments": ()}, -11, "no file to fax"),
    ("report", {"start": None}, -4, "DATE_DEBUT missing"),
    ("report", {"end": None}, -5, "DATE_FIN missing"),
    ("report", {"end": datetime(1999, 1, 1)}, -8, "DATE_FIN before DATE_DEBUT"),
    ("verify_address", {"address": "jean@"}, -99, "address malformed"),
    ("add_console_user", {"user_password": ""}, -5, "new user's password empty"),
    ("remove_console_user", {"user_name": "stranger"}, -8, "no such console user"),
]


@pytest.mark.parametrize(
    ("operation", "changes", "expected"),
    [
        pytest.param(op, changes, code, id=f"{op} {code} {why}".strip())
        for op, changes, code, why in ANSWERS
    ],
)
def test_answer(
    backend: EfidemBackend, operation: str, changes: dict[str, Any], expected: int | None
) -> None:
    assert answer(backend, operation, **changes).error == expected


POSTCODES = [
    ("75008", "", None),
    ("75008", "fr", None),
    ("75008", "FRA", None),
    ("7500", "France", 505),
    ("750080", "FR", 505),
    ("7500A", "FR", 505),
    ("1000", "Belgique", None),
    ("SW1A 1AA", "GB", None),
    ("1", "BE", 505),
    ("12345678901", "BE", 505),
]


@pytest.mark.parametrize(
    ("postcode", "country", "expected"),
    [pytest.param(*row, id=f"{row[0]!r} in {row[1]!r}") for row in POSTCODES],
)
def test_postcode_length(
    backend: EfidemBackend, postcode: str, country: str, expected: int | None
) -> None:
    address = PostalAddress(line1="1 rue", postcode=postcode, city="Ville", country=country)
    assert answer(backend, "send_letter", postal_address=address).error == expected


@pytest.mark.parametrize("sequence", DEFAULT_FORBIDDEN_SEQUENCES)
def test_every_forbidden_sequence_in_any_case_in_a_nested_field_is_minus_7(
    backend: EfidemBackend, sequence: str
) -> None:
    recipients = (RecipientInput("jean@example.com", name=f"Jean {sequence.upper()} Dupont"),)
    assert answer(backend, "send_multi_email", recipients=recipients).error == -7


def test_forbidden_sequences_are_configurable() -> None:
    backend = EfidemBackend(forbidden_sequences=("interdit",))
    assert answer(backend, "send_sms", text="Mot INTERDIT").error == -7
    assert answer(backend, "send_sms", text="<script>").ok


def test_no_minus_7_where_the_table_has_none(backend: EfidemBackend) -> None:
    assert -7 not in codes(ERROR_TABLES["send_letter"])
    assert answer(backend, "send_letter", subject="<script>").ok


def test_fax_switched_off_is_minus_12_after_the_credentials() -> None:
    backend = EfidemBackend(accounts=[Account("demo", "demo", "demo", fax_enabled=False)])
    assert answer(backend, "send_fax").error == -12
    assert answer(backend, "send_fax", password="x").error == -6
    assert answer(backend, "send_fax", recipient="").error == -4


def test_status_of_a_message_of_another_channel_is_unknown(backend: EfidemBackend) -> None:
    sms_id = send(backend, "send_sms")
    assert backend.call("email_status", valid_fields("email_status", sms_id)).error == -99
    assert backend.call("fax_status", valid_fields("fax_status", sms_id)).error == -99
    assert backend.call("sms_status", valid_fields("sms_status", sms_id)).ok


def test_messages_of_another_account_are_unknown() -> None:
    backend = EfidemBackend(accounts=[Account("demo", "demo", "demo"), Account("b", "b", "b")])
    message_id = send(backend, "send_email")
    other = {"user": "b", "password": "b", "app_id": "b"}
    fields = {**valid_fields("email_status", message_id), **other}
    assert backend.call("email_status", fields).error == -99


def test_console_users_are_added_once_and_removed_once(backend: EfidemBackend) -> None:
    add, remove = valid_fields("add_console_user"), valid_fields("remove_console_user")
    assert backend.call("remove_console_user", remove).error == -8
    assert backend.call("add_console_user", add).value == 0
    assert backend.call("add_console_user", add).error == -8
    assert backend.call("remove_console_user", remove).value == 0
    assert backend.call("remove_console_user", remove).error == -8


def test_an_error_outcome_carries_the_rules_meaning(backend: EfidemBackend) -> None:
    outcome = answer(backend, "send_sms", text="")
    assert (outcome.error, outcome.value, outcome.reason) == (-5, None, "text empty")
