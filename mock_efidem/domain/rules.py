"""Every operation's error table, as data, in the vendor's order.

Codes marked ``chosen_by_mock`` stand where the vendor document is silent or
contradicts itself; the README's "Contract notes" explain each choice.
"""

from __future__ import annotations

from collections.abc import Mapping

from mock_efidem.domain.models import Channel
from mock_efidem.domain.phones import NumberProblem
from mock_efidem.domain.validation import (
    AllBlank,
    Blank,
    Check,
    ConsoleUserKnown,
    EndBeforeStart,
    FaxDisabled,
    ForbiddenSequence,
    InvalidAddress,
    InvalidSenderName,
    NoDigits,
    NoneOrAnyBlank,
    NotOneOf,
    NumberHas,
    PostcodeLength,
    Rule,
    UnknownEsmtpCode,
    UnknownMessage,
    UnknownRecipient,
    WrongCredentials,
)

ErrorTable = tuple[Rule, ...]

EMAIL_AUTH_CODE = -12
"""ENVOYER_EMAIL's table gives -6 to the subject, so wrong credentials need a code of their own."""


def rule(code: int, check: Check, meaning: str) -> Rule:
    return Rule(code, check, meaning)


def chosen(code: int, check: Check, meaning: str) -> Rule:
    return Rule(code, check, meaning, chosen_by_mock=True)


CREDENTIALS_PRESENT: ErrorTable = (
    rule(-1, Blank("user"), "user name empty"),
    rule(-2, Blank("password"), "password empty"),
    rule(-3, Blank("app_id"), "AppID empty"),
)
AUTHENTICATED = rule(-6, WrongCredentials(), "wrong credentials")
NO_FORBIDDEN_SEQUENCE = rule(-7, ForbiddenSequence(), "forbidden character sequence")

_EMAIL_BODY: ErrorTable = (
    rule(-5, Blank("sender"), "sender address empty"),
    chosen(EMAIL_AUTH_CODE, WrongCredentials(), "wrong credentials"),
    rule(-6, Blank("subject"), "subject empty"),
    NO_FORBIDDEN_SEQUENCE,
    rule(-8, AllBlank(("text", "html")), "both TEXTE and HTML empty"),
)
_EMAIL_ADDRESSES: ErrorTable = (
    rule(-10, InvalidAddress("sender"), "sender address malformed"),
    rule(-11, InvalidAddress("reply_to"), "reply-to address malformed"),
)

SEND_EMAIL: ErrorTable = (
    *CREDENTIALS_PRESENT,
    chosen(-4, Blank("recipient"), "recipient address empty"),
    *_EMAIL_BODY,
    rule(-9, InvalidAddress("recipient"), "recipient address malformed"),
    *_EMAIL_ADDRESSES,
)

SEND_MULTI_EMAIL: ErrorTable = (
    *CREDENTIALS_PRESENT,
    chosen(-4, NoneOrAnyBlank("recipients", "address"), "no recipient, or one address empty"),
    *_EMAIL_BODY,
    rule(-9, InvalidAddress("recipients", "address", many=True), "a recipient address malformed"),
    *_EMAIL_ADDRESSES,
)

SEND_RELAY_EMAIL: ErrorTable = (
    *CREDENTIALS_PRESENT,
    chosen(-4, NoneOrAnyBlank("to"), "no TO recipient, or one empty"),
    *_EMAIL_BODY,
    rule(-9, InvalidAddress("to", many=True), "a TO address malformed"),
    chosen(-9, InvalidAddress("cc", many=True), "a CC address malformed"),
    *_EMAIL_ADDRESSES,
    chosen(-13, InvalidAddress("errors_to"), "ERREURS_VERS address malformed"),
)

_STATUS_HEAD: ErrorTable = (
    *CREDENTIALS_PRESENT,
    rule(-4, Blank("message_id"), "MESSAGEID empty"),
    AUTHENTICATED,
    NO_FORBIDDEN_SEQUENCE,
)

EMAIL_STATUS: ErrorTable = (
    *_STATUS_HEAD,
    rule(-99, UnknownMessage(frozenset({Channel.EMAIL})), "no status: unknown message"),
)

MULTI_EMAIL_STATUS: ErrorTable = (
    *_STATUS_HEAD,
    rule(-8, Blank("recipient_reference"), "recipient REFCLIENT empty"),
    rule(-99, UnknownMessage(frozenset({Channel.EMAIL})), "no status: unknown message"),
    rule(-99, UnknownRecipient("recipient_reference", by="reference"), "no such REFCLIENT"),
)

RELAY_STATUS: ErrorTable = (
    *_STATUS_HEAD,
    chosen(-8, Blank("recipient"), "DESTINATION empty"),
    chosen(-99, UnknownMessage(frozenset({Channel.RELAY})), "no status: unknown message"),
    chosen(-99, UnknownRecipient("recipient", by="address"), "no such recipient"),
)

_SMS_NUMBER: ErrorTable = (
    rule(-8, NumberHas(NumberProblem.TOO_SHORT, "recipient"), "number too short"),
    rule(-9, NumberHas(NumberProblem.TOO_LONG, "recipient"), "number too long"),
    rule(-10, NumberHas(NumberProblem.REPEATED_DIGIT, "recipient"), "test number (one digit)"),
)

SEND_SMS: ErrorTable = (
    *CREDENTIALS_PRESENT,
    rule(-4, Blank("recipient"), "number empty"),
    rule(-5, Blank("text"), "text empty"),
    AUTHENTICATED,
    NO_FORBIDDEN_SEQUENCE,
    *_SMS_NUMBER,
    chosen(-11, NumberHas(NumberProblem.INVALID, "recipient"), "number unusable"),
    chosen(-12, InvalidSenderName("sender_name"), "sender name not 1-11 letters/digits"),
)


def _each_number(problem: NumberProblem) -> NumberHas:
    return NumberHas(problem, "recipients", "address", many=True)


SEND_MULTI_SMS: ErrorTable = (
    *CREDENTIALS_PRESENT,
    rule(-4, NoneOrAnyBlank("recipients", "address"), "a number empty (or no recipient)"),
    rule(-5, Blank("text"), "text empty"),
    AUTHENTICATED,
    NO_FORBIDDEN_SEQUENCE,
    rule(-8, _each_number(NumberProblem.TOO_LONG), "a number too long"),
    rule(-9, _each_number(NumberProblem.TOO_SHORT), "a number too short"),
    rule(-10, _each_number(NumberProblem.REPEATED_DIGIT), "a test number (one digit)"),
    chosen(-11, _each_number(NumberProblem.INVALID), "a number unusable"),
    chosen(-12, InvalidSenderName("sender_name"), "sender name not 1-11 letters/digits"),
)

SMS_STATUS: ErrorTable = (
    *_STATUS_HEAD,
    chosen(-8, UnknownMessage(frozenset({Channel.SMS})), "no status: unknown message"),
)

LETTER_TYPES = frozenset({"C5", "C6"})

SEND_LETTER: ErrorTable = (
    *CREDENTIALS_PRESENT,
    chosen(-6, WrongCredentials(), "wrong credentials"),
    rule(500, Blank("postal_name"), "recipient block missing"),
    rule(501, Blank("postal_name.last_name"), "NOM empty"),
    rule(502, Blank("postal_name.first_name"), "PRENOM empty"),
    rule(503, Blank("postal_address.line1"), "ADRESSE1 empty"),
    rule(504, Blank("postal_address.city"), "VILLE empty"),
    rule(
        505,
        PostcodeLength("postal_address.postcode", "postal_address.country"),
        "CODE_POSTAL of the wrong length",
    ),
    rule(506, Blank("attachments"), "no file to post"),
    chosen(507, NotOneOf("envelope", LETTER_TYPES), "Type_lettre neither C5 nor C6"),
)

LETTER_STATUS: ErrorTable = (
    *CREDENTIALS_PRESENT,
    chosen(-4, Blank("message_id"), "MESSAGEID empty"),
    chosen(-6, WrongCredentials(), "wrong credentials"),
    chosen(-99, UnknownMessage(frozenset({Channel.LETTER})), "no status: unknown message"),
)

SEND_FAX: ErrorTable = (
    *CREDENTIALS_PRESENT,
    chosen(-4, Blank("recipient"), "fax number empty"),
    chosen(-6, WrongCredentials(), "wrong credentials"),
    chosen(-12, FaxDisabled(), "fax switched off for this account"),
    chosen(-7, ForbiddenSequence(), "forbidden character sequence"),
    chosen(-8, NumberHas(NumberProblem.TOO_SHORT, "recipient"), "number too short"),
    chosen(-9, NumberHas(NumberProblem.TOO_LONG, "recipient"), "number too long"),
    chosen(-10, NumberHas(NumberProblem.REPEATED_DIGIT, "recipient"), "test number"),
    chosen(-13, NumberHas(NumberProblem.INVALID, "recipient"), "number unusable"),
    chosen(-11, Blank("attachments"), "no file to fax"),
)

FAX_STATUS: ErrorTable = (
    *CREDENTIALS_PRESENT,
    chosen(-4, Blank("message_id"), "MESSAGEID empty"),
    chosen(-6, WrongCredentials(), "wrong credentials"),
    chosen(-7, ForbiddenSequence(), "forbidden character sequence"),
    chosen(-99, UnknownMessage(frozenset({Channel.FAX})), "no status: unknown message"),
)

REPORT: ErrorTable = (
    *CREDENTIALS_PRESENT,
    chosen(-4, Blank("start"), "DATE_DEBUT missing"),
    chosen(-5, Blank("end"), "DATE_FIN missing"),
    chosen(-6, WrongCredentials(), "wrong credentials"),
    chosen(-8, EndBeforeStart("start", "end"), "DATE_FIN before DATE_DEBUT"),
)

COUNT_BILLING_CODE: ErrorTable = (
    *CREDENTIALS_PRESENT,
    rule(-4, Blank("billing_code"), "billing code empty"),
    AUTHENTICATED,
    NO_FORBIDDEN_SEQUENCE,
)

VERIFY_ADDRESS: ErrorTable = (
    *CREDENTIALS_PRESENT,
    rule(-4, Blank("address"), "address empty"),
    AUTHENTICATED,
    NO_FORBIDDEN_SEQUENCE,
    rule(-99, InvalidAddress("address"), "address malformed"),
)

DESCRIBE_ESMTP: ErrorTable = (
    *CREDENTIALS_PRESENT,
    rule(-4, Blank("esmtp_code"), "ESMTP code empty"),
    AUTHENTICATED,
    NO_FORBIDDEN_SEQUENCE,
    rule(-99, UnknownEsmtpCode("esmtp_code"), "no such ESMTP code"),
)

NORMALISE_NUMBER: ErrorTable = (
    *CREDENTIALS_PRESENT,
    rule(-4, Blank("number"), "number empty"),
    AUTHENTICATED,
    chosen(-4, NoDigits("number"), "no digit in the number"),
)

ADD_CONSOLE_USER: ErrorTable = (
    *CREDENTIALS_PRESENT,
    chosen(-4, Blank("user_name"), "NOM_UTILISATEUR empty"),
    chosen(-5, Blank("user_password"), "MOT_DE_PASSE_UTILISATEUR empty"),
    chosen(-6, WrongCredentials(), "wrong credentials"),
    chosen(-7, ForbiddenSequence(), "forbidden character sequence"),
    chosen(-8, ConsoleUserKnown("user_name", fails_if_known=True), "user already exists"),
)

REMOVE_CONSOLE_USER: ErrorTable = (
    *CREDENTIALS_PRESENT,
    chosen(-4, Blank("user_name"), "NOM_UTILISATEUR empty"),
    chosen(-6, WrongCredentials(), "wrong credentials"),
    chosen(-7, ForbiddenSequence(), "forbidden character sequence"),
    chosen(-8, ConsoleUserKnown("user_name", fails_if_known=False), "no such user"),
)

SCENARIO_ONLY_CODES: Mapping[str, tuple[int, ...]] = {
    "send_multi_sms": (-50,),
    "sms_status": (-5,),
    "sms_full_status": (-5,),
    "email_status": (-5,),
    "multi_email_status": (-5,),
    "verify_address": (-5,),
    "describe_esmtp": (-5,),
}
"""Vendor codes that no input provokes (a failure inside Efidem, or a code the vendor
left without a meaning): a scenario's forced response gives them; the shipped
``scenarios/qa-error-codes.yaml`` has a trigger for each."""

ERROR_TABLES: Mapping[str, ErrorTable] = {
    "send_email": SEND_EMAIL,
    "send_multi_email": SEND_MULTI_EMAIL,
    "email_status": EMAIL_STATUS,
    "multi_email_status": MULTI_EMAIL_STATUS,
    "send_relay_email": SEND_RELAY_EMAIL,
    "relay_status": RELAY_STATUS,
    "send_sms": SEND_SMS,
    "send_multi_sms": SEND_MULTI_SMS,
    "sms_status": SMS_STATUS,
    "sms_full_status": SMS_STATUS,
    "send_letter": SEND_LETTER,
    "letter_status": LETTER_STATUS,
    "send_fax": SEND_FAX,
    "fax_status": FAX_STATUS,
    "report": REPORT,
    "count_billing_code": COUNT_BILLING_CODE,
    "verify_address": VERIFY_ADDRESS,
    "describe_esmtp": DESCRIBE_ESMTP,
    "normalise_number": NORMALISE_NUMBER,
    "add_console_user": ADD_CONSOLE_USER,
    "remove_console_user": REMOVE_CONSOLE_USER,
}
