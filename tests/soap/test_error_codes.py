"""Every error code of every operation's table, provoked through real SOAP calls.

``rules.py`` holds each operation's error table in check order. This file holds the
same tables from the caller's side: for each wire name (aliases included) a valid
baseline call, and for each code of the table the smallest change to that call
that provokes it. From those, check-order cases are built: each code of a table,
provoked together with the inputs that provoke every later code, must still win.

A case whose expectation the mock does not meet yet carries ``bug``: it is marked
``xfail(strict=True)`` with the description, so the suite stays green until the fix.
"""

from __future__ import annotations

import enum
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
import requests
from zeep import xsd

from mock_efidem.domain.accounts import Credentials
from mock_efidem.domain.rules import ERROR_TABLES
from mock_efidem.server import MockServer
from mock_efidem.soap.operations import OPERATIONS as SERVED_OPERATIONS

MISSING = xsd.SkipValue
"""As an argument: the element is not sent at all. Inside an object: the field is left out."""

WRONG_PASSWORD = "not-the-password"
UNKNOWN_MESSAGE_ID = "f" * 32
MESSAGE_ID = re.compile(r"[0-9a-f]{32}")
SCRIPT = "<script>alert(1)</script>"
SHELL = "EXEC XP_CmdShell 'dir'"


class SentId:
    """Stands for the id of the message that the case's setup sent."""

    def __repr__(self) -> str:
        return "<id of the message sent by the setup>"


SENT_ID = SentId()


# --- the wire shapes of the answers ------------------------------------------------


class Answer(enum.Enum):
    """How an operation carries an error code."""

    STRING = "string"  # "-6"
    INT = "int"  # -6
    STATUS_OBJECT = "status object"  # CODE_STATUT == -6
    BYTES = "bytes"  # b"-6"

    def expected(self, code: int) -> Any:
        if self is Answer.STRING:
            return str(code)
        if self is Answer.BYTES:
            return str(code).encode("ascii")
        return code

    def read(self, result: Any) -> Any:
        return result.CODE_STATUT if self is Answer.STATUS_OBJECT else result


# --- what a test case can do before its call ---------------------------------------


@dataclass(frozen=True)
class Env:
    soap: Any
    auth: Mapping[str, str]
    server: MockServer


@dataclass(frozen=True)
class Setup:
    """A step run before the call; a step that ``sends`` returns the id of its message."""

    name: str
    run: Callable[[Env], str | None]
    sends: bool = False

    def __repr__(self) -> str:
        return self.name


def _sender(wire: str, baseline: Callable[[], dict[str, Any]]) -> Setup:
    def run(env: Env) -> str:
        message_id = getattr(env.soap, wire)(**env.auth, **baseline())
        assert MESSAGE_ID.fullmatch(message_id), f"setup {wire} failed: {message_id!r}"
        return str(message_id)

    return Setup(f"send with {wire}", run, sends=True)


def _switch_fax_off(env: Env) -> None:
    # No scenario switch turns fax off yet: flip the account in the server's domain
    # state directly. The state is reset before each test, so this cannot leak.
    account = env.server.world.backend.accounts.authenticate(Credentials("demo", "demo", "demo"))
    assert account is not None
    account.fax_enabled = False


CONSOLE_USER = "agent.dupont"


def _add_console_user(env: Env) -> None:
    answer = env.soap.AJOUTER_UTILISATEUR(
        **env.auth, NOM_UTILISATEUR=CONSOLE_USER, MOT_DE_PASSE_UTILISATEUR="Secret-1"
    )
    assert answer == 0, f"setup AJOUTER_UTILISATEUR failed: {answer!r}"


FAX_OFF = Setup("fax switched off for the account", _switch_fax_off)
CONSOLE_USER_EXISTS = Setup(f"console user {CONSOLE_USER} exists", _add_console_user)


# --- valid baseline calls (arguments after the credentials) ---------------------------


def _file(name: str = "facture.pdf") -> dict[str, Any]:
    return {"LISTE_FICHIER": [{"NOM": name, "CONTENU": b"%PDF-1.4 mock"}]}


def send_email_args() -> dict[str, Any]:
    return {
        "DESTINATION": "jean.dupont@example.com",
        "NOM_DESTINATAIRE": "Jean Dupont",
        "SUJET": "Votre facture",
        "TEXTE": "Bonjour, voici votre facture.",
        "HTML": "<p>Bonjour, voici votre facture.</p>",
        "EMETTEUR": "factures@example.com",
        "REPONDRE_A": "support@example.com",
        "REFCLIENT": "client-1",
        "LISTE_FICHIERS": _file(),
        "CODE_FACTURATION": "BU-42",
        "VARIABLE1": "Jean",
        "VARIABLE3": "42,00 EUR",
    }


def send_multi_email_args() -> dict[str, Any]:
    args = send_email_args()
    for single in ("DESTINATION", "NOM_DESTINATAIRE", "VARIABLE1", "VARIABLE3"):
        del args[single]
    args["DESTINATION"] = {
        "DESTINATAIRE": [
            {
                "DESTINATION": "jean.dupont@example.com",
                "NOM_DESTINATAIRE": "Jean",
                "REFCLIENT": "r1",
            },
            {
                "DESTINATION": "anne.martin@example.com",
                "NOM_DESTINATAIRE": "Anne",
                "REFCLIENT": "r2",
            },
        ]
    }
    return args


def send_relay_email_args() -> dict[str, Any]:
    args = send_email_args()
    for single in ("DESTINATION", "NOM_DESTINATAIRE", "VARIABLE1", "VARIABLE3", "LISTE_FICHIERS"):
        del args[single]
    return {
        **args,
        "DESTINATIONS_A": {"string": ["jean.dupont@example.com", "anne.martin@example.com"]},
        "DESTINATIONS_CC": {"string": ["compta@example.com"]},
        "ERREURS_VERS": "bounces@example.com",
        "OUVERTURE": True,
        "CLICS": False,
        "LISTE_FICHIERS_RELAY": _file(),
    }


def send_sms_args() -> dict[str, Any]:
    return {
        "DESTINATION": "06 01 02 03 04",
        "TEXTE": "Votre code : 1234",
        "DA": "EfidemAlert",  # 11 letters: the longest sender name allowed
        "CODE_FACTURATION": "BU-42",
    }


def send_multi_sms_args() -> dict[str, Any]:
    numbers = ("06 01 02 03 04", "07 01 02 03 04", "+44 20 7946 0958", "+1 650 253 0000")
    return {
        "DESTINATAIRE": {"DESTINATAIRE": [{"DESTINATION": n} for n in numbers]},
        "TEXTE": "Votre code : 1234",
        "EMETTEUR": "EfidemAlert",
        "CODE_FACTURATION": "BU-42",
    }


def send_letter_args() -> dict[str, Any]:
    return {
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
        "Reference_client": "client-1",
        "Sujet": "Relance",
        "Facturation": "BU-42",
    }


def send_fax_args() -> dict[str, Any]:
    return {
        "DESTINATION": "01 23 45 67 89",
        "NOM_DESTINATAIRE": "Cabinet Dupont",
        "TEXTE": "Veuillez trouver ci-joint notre devis.",
        "PAGE_DE_GARDE": "standard",
        "LISTE_FICHIERS": _file("devis.pdf"),
        "REFCLIENT": "client-1",
        "CODE_FACTURATION": "BU-42",
    }


SEND_EMAIL = _sender("ENVOYER_EMAIL", send_email_args)
SEND_MULTI_EMAIL = _sender("MULTI_ENVOYER_EMAIL", send_multi_email_args)
SEND_RELAY_EMAIL = _sender("ENVOYER_EMAIL_RELAIIS", send_relay_email_args)
SEND_SMS = _sender("ENVOYER_SMS", send_sms_args)
SEND_LETTER = _sender("COURRIER_ENVOYER", send_letter_args)
SEND_FAX = _sender("ENVOYER_FAX", send_fax_args)


# --- one error code, provoked ---------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """One code of a table and the change to the baseline call that provokes it.

    ``changes`` maps argument paths to values: ``"Destinataires.NOM"`` reaches into an
    object, ``"DESTINATAIRE.DESTINATAIRE.2.DESTINATION"`` into an array item.
    ``reads`` names baseline arguments the provocation relies on without changing them.
    A ``variant`` is a second way to provoke a code; it is left out of check-order cases.
    """

    code: int
    what: str
    changes: Mapping[str, Any] = field(default_factory=dict)
    setup: tuple[Setup, ...] | None = None
    reads: tuple[str, ...] = ()
    variant: bool = False
    bug: str | None = None

    @property
    def touches(self) -> set[str]:
        return {*self.changes, *self.reads}


def spec(code: int, what: str, changes: Mapping[str, Any] | None = None, **options: Any) -> Spec:
    return Spec(code, what, dict(changes or {}), **options)


def credentials(auth_code: int) -> list[Spec]:
    return [
        spec(-1, "UTILISATEUR empty", {"UTILISATEUR": ""}),
        spec(-2, "MOT_DE_PASSE empty", {"MOT_DE_PASSE": ""}),
        spec(-3, "AppID empty", {"AppID": ""}),
        spec(auth_code, "wrong MOT_DE_PASSE", {"MOT_DE_PASSE": WRONG_PASSWORD}),
    ]


def forbidden(*fields: str) -> list[Spec]:
    """-7 with "<script" in the first field and mixed-case "xp_cmdshell" in the second."""
    first, second = fields
    return [
        spec(-7, f"'<script' in {first}", {first: SCRIPT}),
        spec(-7, f"'XP_CmdShell' in {second}", {second: SHELL}, variant=True),
    ]


# Each table below lists its specs in the order of the operation's table in rules.py.


def send_email_table() -> list[Spec]:
    return [
        *credentials(-12)[:3],
        spec(-4, "DESTINATION empty", {"DESTINATION": ""}),
        spec(-4, "DESTINATION not sent", {"DESTINATION": MISSING}, variant=True),
        spec(-5, "EMETTEUR empty", {"EMETTEUR": ""}),
        spec(-12, "wrong MOT_DE_PASSE", {"MOT_DE_PASSE": WRONG_PASSWORD}),
        spec(-12, "wrong AppID", {"AppID": "other-app"}, variant=True),
        spec(-6, "SUJET empty", {"SUJET": ""}),
        *forbidden("NOM_DESTINATAIRE", "VARIABLE3"),
        spec(
            -7,
            "'</SCRIPT' in an attachment's NOM",
            {"LISTE_FICHIERS.LISTE_FICHIER.0.NOM": "</SCRIPT>.pdf"},
            variant=True,
        ),
        spec(-8, "TEXTE and HTML both empty", {"TEXTE": "", "HTML": ""}),
        spec(-9, "DESTINATION malformed", {"DESTINATION": "jean.dupont.example.com"}),
        spec(-10, "EMETTEUR malformed", {"EMETTEUR": "factures@"}),
        spec(-11, "REPONDRE_A malformed", {"REPONDRE_A": "support at example.com"}),
    ]


def send_multi_email_table() -> list[Spec]:
    item = "DESTINATION.DESTINATAIRE"
    return [
        *credentials(-12)[:3],
        spec(-4, "no DESTINATION at all", {"DESTINATION": MISSING}),
        spec(-4, "one DESTINATAIRE's address empty", {f"{item}.1.DESTINATION": ""}, variant=True),
        spec(-5, "EMETTEUR empty", {"EMETTEUR": ""}),
        spec(-12, "wrong MOT_DE_PASSE", {"MOT_DE_PASSE": WRONG_PASSWORD}),
        spec(-6, "SUJET empty", {"SUJET": ""}),
        *forbidden(f"{item}.0.NOM_DESTINATAIRE", "TEXTE"),
        spec(-8, "TEXTE and HTML both empty", {"TEXTE": "", "HTML": ""}),
        spec(-9, "one DESTINATAIRE malformed", {f"{item}.1.DESTINATION": "anne.martin@"}),
        spec(-10, "EMETTEUR malformed", {"EMETTEUR": "factures@"}),
        spec(-11, "REPONDRE_A malformed", {"REPONDRE_A": "support at example.com"}),
    ]


def send_relay_email_table() -> list[Spec]:
    return [
        *credentials(-12)[:3],
        spec(-4, "no DESTINATIONS_A at all", {"DESTINATIONS_A": MISSING}),
        spec(-4, "one TO address empty", {"DESTINATIONS_A.string.1": ""}, variant=True),
        spec(-5, "EMETTEUR empty", {"EMETTEUR": ""}),
        spec(-12, "wrong MOT_DE_PASSE", {"MOT_DE_PASSE": WRONG_PASSWORD}),
        spec(-6, "SUJET empty", {"SUJET": ""}),
        *forbidden("REFCLIENT", "HTML"),
        spec(-8, "TEXTE and HTML both empty", {"TEXTE": "", "HTML": ""}),
        spec(-9, "a TO address malformed", {"DESTINATIONS_A.string.0": "jean.dupont@"}),
        spec(-9, "a CC address malformed", {"DESTINATIONS_CC.string.0": "compta@@example.com"}),
        spec(-10, "EMETTEUR malformed", {"EMETTEUR": "factures@"}),
        spec(-11, "REPONDRE_A malformed", {"REPONDRE_A": "support at example.com"}),
        spec(-13, "ERREURS_VERS malformed", {"ERREURS_VERS": "bounces"}),
    ]


def _status_head(auth_code: int = -6) -> list[Spec]:
    return [
        *credentials(auth_code)[:3],
        spec(-4, "MESSAGEID empty", {"MESSAGEID": ""}),
        spec(-4, "MESSAGEID not sent", {"MESSAGEID": MISSING}, variant=True),
        credentials(auth_code)[3],
    ]


def unknown_message(code: int, other: Setup) -> list[Spec]:
    return [
        spec(code, "unknown MESSAGEID", {"MESSAGEID": UNKNOWN_MESSAGE_ID}),
        spec(code, f"MESSAGEID of another channel ({other.name})", setup=(other,), variant=True),
    ]


def email_status_table() -> list[Spec]:
    return [*_status_head(), *forbidden("MESSAGEID", "MESSAGEID"), *unknown_message(-99, SEND_SMS)]


def multi_email_status_table() -> list[Spec]:
    return [
        *_status_head(),
        *forbidden("MESSAGEID", "REFCLIENT"),
        spec(-8, "REFCLIENT empty", {"REFCLIENT": ""}),
        *unknown_message(-99, SEND_SMS),
        spec(-99, "no recipient with this REFCLIENT", {"REFCLIENT": "r9"}, reads=("MESSAGEID",)),
    ]


def relay_status_table() -> list[Spec]:
    return [
        *_status_head(),
        *forbidden("MESSAGEID", "DESTINATION"),
        spec(-8, "DESTINATION empty", {"DESTINATION": ""}),
        *unknown_message(-99, SEND_EMAIL),
        spec(
            -99,
            "DESTINATION not a recipient of the message",
            {"DESTINATION": "inconnu@example.com"},
            reads=("MESSAGEID",),
        ),
    ]


def send_sms_table() -> list[Spec]:
    return [
        *credentials(-6)[:3],
        spec(-4, "DESTINATION empty", {"DESTINATION": ""}),
        spec(-5, "TEXTE empty", {"TEXTE": ""}),
        credentials(-6)[3],
        *forbidden("CODE_FACTURATION", "TEXTE"),
        spec(-8, "number too short", {"DESTINATION": "06 01"}),
        spec(-9, "number too long", {"DESTINATION": "06 01 02 03 04 05"}),
        spec(-10, "test number (one repeated digit)", {"DESTINATION": "06 11 11 11 11"}),
        spec(-11, "number unusable (letters)", {"DESTINATION": "06 AB 02 03 04"}),
        spec(-12, "DA longer than 11 characters", {"DA": "EfidemAlerts"}),
        spec(-12, "DA not alphanumeric", {"DA": "Efidem-SMS"}, variant=True),
    ]


def send_multi_sms_table() -> list[Spec]:
    item = "DESTINATAIRE.DESTINATAIRE"
    return [
        *credentials(-6)[:3],
        spec(-4, "no DESTINATAIRE at all", {"DESTINATAIRE": MISSING}),
        spec(-4, "one number empty", {f"{item}.0.DESTINATION": ""}, variant=True),
        spec(-5, "TEXTE empty", {"TEXTE": ""}),
        credentials(-6)[3],
        *forbidden("CODE_FACTURATION", "TEXTE"),
        spec(-8, "a number too long", {f"{item}.0.DESTINATION": "06 01 02 03 04 05"}),
        spec(-9, "a number too short", {f"{item}.1.DESTINATION": "07 01"}),
        spec(-10, "a test number (one repeated digit)", {f"{item}.2.DESTINATION": "0666666666"}),
        spec(-11, "a number unusable (letters)", {f"{item}.3.DESTINATION": "06 AB 02 03 04"}),
        spec(-12, "EMETTEUR longer than 11 characters", {"EMETTEUR": "EfidemAlerts"}),
    ]


def sms_status_table() -> list[Spec]:
    return [*_status_head(), *forbidden("MESSAGEID", "MESSAGEID"), *unknown_message(-8, SEND_EMAIL)]


def send_letter_table() -> list[Spec]:
    return [
        *credentials(-6),
        spec(500, "no Destinataires block", {"Destinataires": MISSING}),
        spec(501, "NOM empty", {"Destinataires.NOM": ""}),
        spec(501, "NOM not sent", {"Destinataires.NOM": MISSING}, variant=True),
        spec(502, "PRENOM empty", {"Destinataires.PRENOM": ""}),
        spec(503, "ADRESSE1 empty", {"Adresse_postale.ADRESSE1": ""}),
        spec(504, "VILLE empty", {"Adresse_postale.VILLE": ""}),
        spec(505, "French CODE_POSTAL of 4 digits", {"Adresse_postale.CODE_POSTAL": "7500"}),
        spec(
            505,
            "foreign CODE_POSTAL of 1 character",
            {"Adresse_postale.CODE_POSTAL": "1", "Adresse_postale.PAYS": "Belgique"},
            variant=True,
        ),
        spec(506, "no Liste_Fichier", {"Liste_Fichier": MISSING}),
        spec(506, "empty Liste_Fichier", {"Liste_Fichier": {"LISTE_FICHIER": []}}, variant=True),
        spec(507, "Type_lettre neither C5 nor C6", {"Type_lettre": "C4"}),
    ]


def letter_status_table() -> list[Spec]:
    return [*_status_head(), *unknown_message(-99, SEND_FAX)]


def send_fax_table() -> list[Spec]:
    return [
        *credentials(-6)[:3],
        spec(-4, "DESTINATION empty", {"DESTINATION": ""}),
        credentials(-6)[3],
        spec(-12, "fax switched off for the account", setup=(FAX_OFF,)),
        *forbidden("TEXTE", "NOM_DESTINATAIRE"),
        spec(-8, "number too short", {"DESTINATION": "01 23"}),
        spec(-9, "number too long", {"DESTINATION": "01 23 45 67 89 10"}),
        spec(-10, "test number (one repeated digit)", {"DESTINATION": "01 11 11 11 11"}),
        spec(-13, "number unusable (letters)", {"DESTINATION": "01 AB 02 03 04"}),
        spec(-11, "no LISTE_FICHIERS", {"LISTE_FICHIERS": MISSING}),
        spec(-11, "empty LISTE_FICHIERS", {"LISTE_FICHIERS": {"LISTE_FICHIER": []}}, variant=True),
        spec(
            -11,
            "a LISTE_FICHIER item with neither NOM nor CONTENU",
            {"LISTE_FICHIERS": {"LISTE_FICHIER": [{}]}},
            variant=True,
        ),
    ]


def fax_status_table() -> list[Spec]:
    return [*_status_head(), *forbidden("MESSAGEID", "MESSAGEID"), *unknown_message(-99, SEND_SMS)]


def report_table() -> list[Spec]:
    return [
        *credentials(-6)[:3],
        spec(-4, "DATE_DEBUT not sent", {"DATE_DEBUT": MISSING}),
        spec(-5, "DATE_FIN not sent", {"DATE_FIN": MISSING}),
        credentials(-6)[3],
        spec(-8, "DATE_FIN before DATE_DEBUT", {"DATE_FIN": datetime(1999, 12, 31)}),
    ]


def count_billing_code_table() -> list[Spec]:
    return [
        spec(-1, "UTILISATEUR empty", {"UTILISATEUR": ""}),
        spec(-1, "UTILISATEUR only spaces", {"UTILISATEUR": "   "}, variant=True),
        spec(-1, "UTILISATEUR not sent", {"UTILISATEUR": MISSING}, variant=True),
        spec(-2, "MOT_DE_PASSE empty", {"MOT_DE_PASSE": ""}),
        spec(-2, "MOT_DE_PASSE not sent", {"MOT_DE_PASSE": MISSING}, variant=True),
        spec(-3, "AppID empty", {"AppID": ""}),
        spec(-3, "AppID not sent", {"AppID": MISSING}, variant=True),
        spec(-4, "CODE_FACTURATION empty", {"CODE_FACTURATION": ""}),
        spec(-6, "wrong MOT_DE_PASSE", {"MOT_DE_PASSE": WRONG_PASSWORD}),
        spec(-6, "unknown UTILISATEUR", {"UTILISATEUR": "nobody"}, variant=True),
        spec(-6, "wrong AppID", {"AppID": "other-app"}, variant=True),
        spec(-6, "MOT_DE_PASSE of another case", {"MOT_DE_PASSE": "DEMO"}, variant=True),
        *forbidden("CODE_FACTURATION", "CODE_FACTURATION"),
    ]


def verify_address_table() -> list[Spec]:
    return [
        *credentials(-6)[:3],
        spec(-4, "DESTINATAIRE empty", {"DESTINATAIRE": ""}),
        credentials(-6)[3],
        *forbidden("DESTINATAIRE", "DESTINATAIRE"),
        spec(-99, "address without domain", {"DESTINATAIRE": "jean.dupont@"}),
        spec(
            -99, "address with a space", {"DESTINATAIRE": "jean dupont@example.com"}, variant=True
        ),
    ]


def describe_esmtp_table() -> list[Spec]:
    return [
        *credentials(-6)[:3],
        spec(-4, "CODE_ESMTP empty", {"CODE_ESMTP": ""}),
        credentials(-6)[3],
        *forbidden("CODE_ESMTP", "CODE_ESMTP"),
        spec(-99, "code not in RFC 3463", {"CODE_ESMTP": "5.9.9"}),
        spec(-99, "not a code at all", {"CODE_ESMTP": "hello"}, variant=True),
    ]


def normalise_number_table() -> list[Spec]:
    return [
        *credentials(-6)[:3],
        spec(-4, "NUMERO empty", {"NUMERO": ""}),
        credentials(-6)[3],
        spec(-4, "NUMERO without any digit", {"NUMERO": "abc"}),
    ]


def add_console_user_table() -> list[Spec]:
    return [
        *credentials(-6)[:3],
        spec(-4, "NOM_UTILISATEUR empty", {"NOM_UTILISATEUR": ""}),
        spec(-5, "MOT_DE_PASSE_UTILISATEUR empty", {"MOT_DE_PASSE_UTILISATEUR": ""}),
        credentials(-6)[3],
        *forbidden("MOT_DE_PASSE_UTILISATEUR", "NOM_UTILISATEUR"),
        spec(
            -8,
            "NOM_UTILISATEUR already exists",
            setup=(CONSOLE_USER_EXISTS,),
            reads=("NOM_UTILISATEUR",),
        ),
    ]


def remove_console_user_table() -> list[Spec]:
    return [
        *credentials(-6)[:3],
        spec(-4, "NOM_UTILISATEUR empty", {"NOM_UTILISATEUR": ""}),
        credentials(-6)[3],
        *forbidden("NOM_UTILISATEUR", "NOM_UTILISATEUR"),
        spec(-8, "no such NOM_UTILISATEUR", {"NOM_UTILISATEUR": "agent.inconnu"}),
        spec(-8, "NOM_UTILISATEUR never added", setup=(), variant=True),
    ]


# --- the operations, by wire name ---------------------------------------------------


def _is_message_id(result: Any) -> bool:
    return isinstance(result, str) and MESSAGE_ID.fullmatch(result) is not None


def _is_status(result: Any) -> bool:
    return isinstance(result, int) and result > 0


def _is_status_object(result: Any) -> bool:
    return _is_status(result.CODE_STATUT) and bool(result.DESCRIPTION_STATUT)


def _is_csv_report(result: Any) -> bool:
    return isinstance(result, bytes) and result.startswith(b"MESSAGEID;")


def _equals(expected: Any) -> Callable[[Any], bool]:
    def check(result: Any) -> bool:
        return bool(result == expected)

    return check


@dataclass(frozen=True)
class Operation:
    wire: str
    baseline: Callable[[], dict[str, Any]]
    answer: Answer
    table: Callable[[], list[Spec]]
    accepted: Callable[[Any], bool]
    setup: tuple[Setup, ...] = ()

    def arguments(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        arguments = self.baseline()
        for path, value in changes.items():
            _put(arguments, path.split("."), value, top=True)
        return arguments


def _put(container: Any, path: Sequence[str], value: Any, *, top: bool = False) -> None:
    head, *rest = path
    key: Any = int(head) if isinstance(container, list) else head
    if rest:
        _put(container[key], rest, value)
    elif value is MISSING and not top:
        del container[key]  # left out of its object; a top-level argument stays SkipValue
    else:
        container[key] = value


def _operations() -> list[Operation]:
    status = (Answer.INT, _is_status)
    statuses = (Answer.STATUS_OBJECT, _is_status_object)

    def status_args(**extra: Any) -> Callable[[], dict[str, Any]]:
        return lambda: {"MESSAGEID": SENT_ID, **extra}

    def op(
        wire: str,
        baseline: Callable[[], dict[str, Any]],
        table: Callable[[], list[Spec]],
        answer: tuple[Answer, Callable[[Any], bool]] = (Answer.STRING, _is_message_id),
        setup: tuple[Setup, ...] = (),
    ) -> Operation:
        return Operation(wire, baseline, answer[0], table, answer[1], setup)

    return [
        op("ENVOYER_EMAIL", send_email_args, send_email_table),
        op("MULTI_ENVOYER_EMAIL", send_multi_email_args, send_multi_email_table),
        op("STATUT_EMAIL", status_args(), email_status_table, status, (SEND_EMAIL,)),
        op(
            "STATUT_MULTI_EMAIL",
            status_args(REFCLIENT="r2"),
            multi_email_status_table,
            status,
            (SEND_MULTI_EMAIL,),
        ),
        op("ENVOYER_EMAIL_RELAIIS", send_relay_email_args, send_relay_email_table),
        *(
            op(
                wire,
                status_args(DESTINATION="anne.martin@example.com"),
                relay_status_table,
                status,
                (SEND_RELAY_EMAIL,),
            )
            for wire in ("SUIVRE_EMAIL_RELAIIS", "STATUT_EMAIL_RELAIIS")
        ),
        op("ENVOYER_SMS", send_sms_args, send_sms_table),
        op("MULTI_ENVOYER_SMS", send_multi_sms_args, send_multi_sms_table),
        op("STATUT_SMS", status_args(), sms_status_table, status, (SEND_SMS,)),
        op("STATUT_COMPLET_SMS", status_args(), sms_status_table, statuses, (SEND_SMS,)),
        *(
            op(wire, send_letter_args, send_letter_table)
            for wire in ("COURRIER_ENVOYER", "ENVOYER_COURRIER")
        ),
        *(
            op(wire, status_args(), letter_status_table, statuses, (SEND_LETTER,))
            for wire in ("COURRIER_STATUT", "COURRIER_SUIVRE")
        ),
        op("ENVOYER_FAX", send_fax_args, send_fax_table),
        op("STATUT_FAX", status_args(), fax_status_table, status, (SEND_FAX,)),
        op(
            "RAPPORT",
            lambda: {"DATE_DEBUT": datetime(2000, 1, 1), "DATE_FIN": datetime(2100, 1, 1)},
            report_table,
            (Answer.BYTES, _is_csv_report),
        ),
        op(
            "COMPTE_SOUMIS_CODE_FACTURATION",
            lambda: {"CODE_FACTURATION": "BU-42"},
            count_billing_code_table,
            (Answer.INT, _equals(1)),
            (SEND_SMS,),  # one message with CODE_FACTURATION BU-42
        ),
        op(
            "VERIFIER_ADRESSE_EMAIL",
            lambda: {"DESTINATAIRE": "jean.dupont@example.com"},
            verify_address_table,
            (Answer.INT, _equals(0)),
        ),
        op(
            "OBTENIR_CODE_ESMTP",
            lambda: {"CODE_ESMTP": "5.1.1"},
            describe_esmtp_table,
            (Answer.STRING, _equals("Bad destination mailbox address")),
        ),
        *(
            op(
                wire,
                lambda: {"NUMERO": "+33(0)6.01.02.03.04"},
                normalise_number_table,
                (Answer.STRING, _equals("33601020304")),
            )
            for wire in ("TRANSFORMER_NUMERO", "TRANSFORMER_NUEMRO")
        ),
        op(
            "AJOUTER_UTILISATEUR",
            lambda: {"NOM_UTILISATEUR": CONSOLE_USER, "MOT_DE_PASSE_UTILISATEUR": "Secret-1"},
            add_console_user_table,
            (Answer.INT, _equals(0)),
        ),
        op(
            "ENLEVER_UTILISATEUR",
            lambda: {"NOM_UTILISATEUR": CONSOLE_USER},
            remove_console_user_table,
            (Answer.INT, _equals(0)),
            (CONSOLE_USER_EXISTS,),
        ),
    ]


OPERATIONS = _operations()
SERVED_BY_WIRE = {o.wire_name: o for o in SERVED_OPERATIONS}


# --- the table of cases -------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    wire: str
    arguments: Mapping[str, Any]
    answer: Answer
    expected: Any
    setup: tuple[Setup, ...]
    bug: str | None = None


def _effective_setup(operation: Operation, provoked: Spec) -> tuple[Setup, ...]:
    return operation.setup if provoked.setup is None else provoked.setup


def _case(
    operation: Operation,
    label: str,
    code: int,
    changes: Mapping[str, Any],
    setup: tuple[Setup, ...],
    bug: str | None,
) -> Case:
    return Case(
        id=f"{operation.wire} {label}",
        wire=operation.wire,
        arguments=operation.arguments(changes),
        answer=operation.answer,
        expected=operation.answer.expected(code),
        setup=setup,
        bug=bug,
    )


def _overlap(paths: set[str], others: set[str]) -> bool:
    """True when a path of one set equals, contains or lies inside a path of the other."""
    return any(
        a == b or a.startswith(f"{b}.") or b.startswith(f"{a}.") for a in paths for b in others
    )


def _check_order_case(operation: Operation, table: list[Spec], index: int) -> Case | None:
    """Code ``index`` provoked together with the inputs of every later code it can join.

    A later code joins unless its inputs touch the same argument, it needs a second
    message sent, or it is a known bug (its own case pins that).
    """
    first = table[index]
    changes = dict(first.changes)
    touched = first.touches
    setup = list(_effective_setup(operation, first))
    joined: list[int] = []
    for later in table[index + 1 :]:
        later_setup = [s for s in _effective_setup(operation, later) if s not in setup]
        senders = [s for s in (*setup, *later_setup) if s.sends]
        if later.bug or _overlap(later.touches, touched) or len(senders) > 1:
            continue
        changes.update(later.changes)
        touched |= later.touches
        setup += later_setup
        joined.append(later.code)
    if not joined:
        return None
    label = f"order: {first.code} {first.what} wins over {' '.join(map(str, joined))}"
    return _case(operation, label, first.code, changes, tuple(setup), first.bug)


def _cases(operation: Operation) -> list[Case]:
    table = operation.table()
    singles = [
        _case(
            operation,
            f"{p.code} {p.what}",
            p.code,
            p.changes,
            _effective_setup(operation, p),
            p.bug,
        )
        for p in table
    ]
    primaries = [p for p in table if not p.variant]
    ordered = [_check_order_case(operation, primaries, i) for i in range(len(primaries))]
    return singles + [c for c in ordered if c is not None]


CASES = [case for operation in OPERATIONS for case in _cases(operation)]
assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"


def _param(case: Case) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=case.bug)] if case.bug else []
    return pytest.param(case, id=case.id, marks=marks)


# --- running a call ------------------------------------------------------------------


def _run_setup(setup: Sequence[Setup], env: Env) -> str | None:
    sent = None
    for step in setup:
        result = step.run(env)
        if step.sends:
            sent = result
    return sent


def _resolve(value: Any, sent: str | None) -> Any:
    """The arguments with SENT_ID replaced by the id of the message the setup sent."""
    if value is SENT_ID:
        assert sent is not None, "the case refers to a sent message but its setup sends none"
        return sent
    if isinstance(value, dict):
        return {key: _resolve(item, sent) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, sent) for item in value]
    return value


def _call(env: Env, wire: str, arguments: Mapping[str, Any], setup: Sequence[Setup]) -> Any:
    sent = _run_setup(setup, env)
    return getattr(env.soap, wire)(**{**env.auth, **_resolve(dict(arguments), sent)})


# --- the tests ----------------------------------------------------------------------


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_error_code(case: Case, soap: Any, auth: dict[str, str], server: MockServer) -> None:
    result = _call(Env(soap, auth, server), case.wire, case.arguments, case.setup)
    assert case.answer.read(result) == case.expected


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: f"{o.wire} valid baseline")
def test_valid_baseline_is_not_an_error(
    operation: Operation, soap: Any, auth: dict[str, str], server: MockServer
) -> None:
    result = _call(Env(soap, auth, server), operation.wire, operation.baseline(), operation.setup)
    assert operation.accepted(result), f"{operation.wire} refused its baseline call: {result!r}"


def test_every_served_operation_has_its_table_here() -> None:
    served = {o.wire_name for o in SERVED_OPERATIONS}
    assert {o.wire for o in OPERATIONS} == served


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: f"{o.wire} codes in rules order")
def test_every_rule_of_the_table_is_provoked_in_order(operation: Operation) -> None:
    domain_operation = SERVED_BY_WIRE[operation.wire].operation
    rules_codes = [rule.code for rule in ERROR_TABLES[domain_operation]]
    provoked = [p.code for p in operation.table() if not p.variant]
    assert provoked == rules_codes


# --- ApplID, the annex tables' spelling of AppID ---------------------------------------


def _envelope(
    namespace: str, operation: str, fields: Sequence[tuple[str, str]], prefix: str
) -> bytes:
    tag = f"{prefix}:" if prefix else ""
    declaration = f'xmlns:{prefix}="{namespace}"' if prefix else f'xmlns="{namespace}"'
    inner = "".join(f"<{tag}{name}>{value}</{tag}{name}>" for name, value in fields)
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        f"<{tag}{operation} {declaration}>{inner}</{tag}{operation}>"
        "</soap:Body></soap:Envelope>"
    ).encode()


def _raw_call(
    server: MockServer, operation: str, fields: Sequence[tuple[str, str]], prefix: str
) -> str:
    namespace = server.settings.namespace
    response = requests.post(
        server.soap_url,
        data=_envelope(namespace, operation, fields, prefix),
        headers={"Content-Type": "text/xml; charset=utf-8"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    result = ElementTree.fromstring(response.content).find(f".//{{{namespace}}}{operation}Result")
    assert result is not None, response.text
    return result.text or ""


TRIO_WITH_APPLID = [("UTILISATEUR", "demo"), ("MOT_DE_PASSE", "demo"), ("ApplID", "demo")]


@pytest.mark.parametrize("prefix", ["", "tns"], ids=["unprefixed", "prefixed"])
def test_applid_spelling_authenticates(server: MockServer, prefix: str) -> None:
    verified = _raw_call(
        server,
        "VERIFIER_ADRESSE_EMAIL",
        [*TRIO_WITH_APPLID, ("DESTINATAIRE", "jean.dupont@example.com")],
        prefix,
    )
    sent = _raw_call(
        server,
        "ENVOYER_SMS",
        [*TRIO_WITH_APPLID, ("DESTINATION", "06 01 02 03 04"), ("TEXTE", "Bonjour")],
        prefix,
    )
    assert verified == "0"
    assert MESSAGE_ID.fullmatch(sent), sent


@pytest.mark.parametrize(
    ("trio", "expected"),
    [
        pytest.param(
            [*TRIO_WITH_APPLID[:2], ("ApplID", "other-app")], "-6", id="wrong ApplID gives -6"
        ),
        pytest.param(TRIO_WITH_APPLID[:2], "-3", id="neither AppID nor ApplID gives -3"),
    ],
)
def test_applid_value_is_read(
    server: MockServer, trio: list[tuple[str, str]], expected: str
) -> None:
    fields = [*trio, ("DESTINATAIRE", "jean.dupont@example.com")]
    assert _raw_call(server, "VERIFIER_ADRESSE_EMAIL", fields, "") == expected
