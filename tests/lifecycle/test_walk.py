"""Every channel walks its delivery paths over real HTTP, step by step on a frozen clock,
and each step reads the same through SOAP's status operations, the /_mock/ API and
RAPPORT's CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import pytest
import requests

from mock_efidem.domain.models import Channel
from mock_efidem.domain.outcomes import DEFAULT_OUTCOME_RULES
from mock_efidem.domain.statuses import STEP_DELAYS, initial_status, status_named
from mock_efidem.server import MockServer

MESSAGE_ID = re.compile(r"[0-9a-f]{32}")
REFERENCE = "walk-ref"
REPORT_COLUMNS = [
    "MESSAGEID",
    "CANAL",
    "DATE_ENVOI",
    "DESTINATAIRE",
    "NOM_DESTINATAIRE",
    "REFCLIENT",
    "SUJET",
    "CODE_FACTURATION",
    "CODE_STATUT",
    "STATUT",
    "DATE_STATUT",
]
REPORT_DATE = "%Y-%m-%d %H:%M:%S"
JUST_BEFORE = 0.5
"""Seconds before a step's due time at which the previous status must still show."""
LONG_AFTER = 30 * 86_400.0
"""Seconds after the last step when nothing may have moved any more."""
Auth = dict[str, str]


# --- the /_mock/ API ----------------------------------------------------------------


class MockApi:
    def __init__(self, server: MockServer) -> None:
        self.base = f"{server.base_url}/_mock"
        self.http = requests.Session()

    def get(self, path: str) -> Any:
        response = self.http.get(self.base + path, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.post(self.base + path, json=body or {}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def advance(self, seconds: float) -> None:
        self.post("/clock/advance", {"seconds": seconds})

    def only_recipient(self, message_id: str) -> dict[str, Any]:
        recipients: list[dict[str, Any]] = self.get(f"/messages/{message_id}")["recipients"]
        assert len(recipients) == 1
        return recipients[0]


@pytest.fixture
def mock(server: MockServer) -> MockApi:
    """The /_mock/ API, with the clock frozen so that only advances move messages."""
    api = MockApi(server)
    assert api.post("/clock/freeze")["frozen"] is True
    return api


# --- sends and SOAP status reads, per channel ------------------------------------------


def sent_id(result: str) -> str:
    assert MESSAGE_ID.fullmatch(result), f"the send answered {result!r}, not an id"
    return result


def send_email(soap: Any, auth: Auth, address: str) -> str:
    return sent_id(
        soap.ENVOYER_EMAIL(
            **auth,
            DESTINATION=address,
            NOM_DESTINATAIRE="Jean Dupont",
            SUJET="Walk",
            TEXTE="Bonjour",
            EMETTEUR="shop@example.com",
            REFCLIENT=REFERENCE,
            CODE_FACTURATION="WALK",
        )
    )


def send_multi_email(soap: Any, auth: Auth, address: str) -> str:
    return sent_id(
        soap.MULTI_ENVOYER_EMAIL(
            **auth,
            DESTINATION={"DESTINATAIRE": [{"DESTINATION": address, "REFCLIENT": REFERENCE}]},
            SUJET="Walk",
            HTML="<p>Bonjour</p>",
            EMETTEUR="news@example.com",
        )
    )


def send_relay(
    soap: Any, auth: Auth, address: str, *, opens: bool = True, clicks: bool = True
) -> str:
    return sent_id(
        soap.ENVOYER_EMAIL_RELAIIS(
            **auth,
            DESTINATIONS_A={"string": [address]},
            SUJET="Walk",
            TEXTE="Bonjour",
            EMETTEUR="app@example.com",
            OUVERTURE=opens,
            CLICS=clicks,
        )
    )


def send_sms(soap: Any, auth: Auth, number: str) -> str:
    return sent_id(soap.ENVOYER_SMS(**auth, DESTINATION=number, TEXTE="Walk"))


def send_letter(soap: Any, auth: Auth, postcode: str) -> str:
    return sent_id(
        soap.COURRIER_ENVOYER(
            **auth,
            Destinataires={"CIVILITE": "M.", "NOM": "Dupont", "PRENOM": "Jean"},
            Adresse_postale={
                "ADRESSE1": "3 rue de Téhéran",
                "CODE_POSTAL": postcode,
                "VILLE": "Paris",
                "PAYS": "FRANCE",
            },
            Liste_Fichier={"LISTE_FICHIER": [{"NOM": "lettre.pdf", "CONTENU": b"%PDF-1.4"}]},
            Couleur=False,
            Reference_client=REFERENCE,
            Sujet="Walk",
        )
    )


def send_fax(soap: Any, auth: Auth, number: str) -> str:
    return sent_id(
        soap.ENVOYER_FAX(
            **auth,
            DESTINATION=number,
            NOM_DESTINATAIRE="Compta",
            TEXTE="Walk",
            LISTE_FICHIERS={"LISTE_FICHIER": [{"NOM": "fax.pdf", "CONTENU": b"%PDF-1.4"}]},
            REFCLIENT=REFERENCE,
        )
    )


SoapViews = dict[str, dict[str, Any]]
"""Operation name -> what it shows: always "code", for some also "label" and "at"."""


def read_email(soap: Any, auth: Auth, message_id: str, address: str) -> SoapViews:
    return {"STATUT_EMAIL": {"code": soap.STATUT_EMAIL(**auth, MESSAGEID=message_id)}}


def read_multi_email(soap: Any, auth: Auth, message_id: str, address: str) -> SoapViews:
    code = soap.STATUT_MULTI_EMAIL(**auth, MESSAGEID=message_id, REFCLIENT=REFERENCE)
    return {"STATUT_MULTI_EMAIL": {"code": code}}


def read_relay(soap: Any, auth: Auth, message_id: str, address: str) -> SoapViews:
    code = soap.SUIVRE_EMAIL_RELAIIS(**auth, MESSAGEID=message_id, DESTINATION=address)
    return {"SUIVRE_EMAIL_RELAIIS": {"code": code}}


def read_sms(soap: Any, auth: Auth, message_id: str, number: str) -> SoapViews:
    full = soap.STATUT_COMPLET_SMS(**auth, MESSAGEID=message_id)
    assert full.MESSAGEID == message_id
    return {
        "STATUT_SMS": {"code": soap.STATUT_SMS(**auth, MESSAGEID=message_id)},
        "STATUT_COMPLET_SMS": {
            "code": full.CODE_STATUT,
            "label": full.DESCRIPTION_STATUT,
            "at": full.DATE_STATUT,
        },
    }


def read_letter(soap: Any, auth: Auth, message_id: str, postcode: str) -> SoapViews:
    status = soap.COURRIER_STATUT(**auth, MESSAGEID=message_id)
    return {
        "COURRIER_STATUT": {
            "code": status.CODE_STATUT,
            "label": status.DESCRIPTION_STATUT,
            "at": status.DATE_STATUT,
        }
    }


def read_fax(soap: Any, auth: Auth, message_id: str, number: str) -> SoapViews:
    return {"STATUT_FAX": {"code": soap.STATUT_FAX(**auth, MESSAGEID=message_id)}}


@dataclass(frozen=True)
class Route:
    """How one kind of send is made and read back through SOAP. ``target`` is what the
    outcome rules look at: the address, the number, or the letter's postcode."""

    name: str
    channel: Channel
    plain_target: str
    send: Callable[[Any, Auth, str], str]
    read: Callable[[Any, Auth, str, str], SoapViews]


EMAIL = Route("email", Channel.EMAIL, "jean.dupont@example.fr", send_email, read_email)
MULTI_EMAIL = Route(
    "multi_email", Channel.EMAIL, "jean.dupont@example.fr", send_multi_email, read_multi_email
)
RELAY = Route("relay", Channel.RELAY, "jean.dupont@example.fr", send_relay, read_relay)
SMS = Route("sms", Channel.SMS, "0601020304", send_sms, read_sms)
LETTER = Route("letter", Channel.LETTER, "75008", send_letter, read_letter)
FAX = Route("fax", Channel.FAX, "01 40 12 34 56", send_fax, read_fax)
ROUTES = (EMAIL, MULTI_EMAIL, RELAY, SMS, LETTER, FAX)


# --- the three views of one step ----------------------------------------------------


def report_row(soap: Any, auth: Auth, message_id: str, created: datetime) -> dict[str, str]:
    report = soap.RAPPORT(
        **auth, DATE_DEBUT=created - timedelta(minutes=1), DATE_FIN=created + timedelta(minutes=1)
    )
    reader = csv.DictReader(io.StringIO(report.decode("utf-8")), delimiter=";")
    assert reader.fieldnames == REPORT_COLUMNS
    rows = [row for row in reader if row["MESSAGEID"] == message_id]
    assert len(rows) == 1, rows
    return rows[0]


def assert_seen_everywhere(
    soap: Any,
    auth: Auth,
    mock: MockApi,
    route: Route,
    message_id: str,
    target: str,
    status: str,
    at: datetime,
    created: datetime,
) -> None:
    """The recipient is in ``status`` since ``at`` for SOAP, /_mock/ and RAPPORT alike."""
    definition = status_named(route.channel, status)
    assert definition is not None
    wanted = {
        "status": status,
        "code": definition.code,
        "label": definition.label,
        "at": at,
        "date": at.strftime(REPORT_DATE),
        "channel": route.channel.value,
    }
    recipient = mock.only_recipient(message_id)
    row = report_row(soap, auth, message_id, created)
    seen: SoapViews = {
        "/_mock/": {
            "status": recipient["status"],
            "code": recipient["status_code"],
            "label": recipient["status_label"],
            "at": datetime.fromisoformat(recipient["history"][-1]["at"]),
        },
        "RAPPORT": {
            "code": int(row["CODE_STATUT"]),
            "label": row["STATUT"],
            "date": row["DATE_STATUT"],
            "channel": row["CANAL"],
        },
        **route.read(soap, auth, message_id, target),
    }

    assert seen == {view: {key: wanted[key] for key in shown} for view, shown in seen.items()}


def walk(
    soap: Any, auth: Auth, mock: MockApi, route: Route, target: str, path: tuple[str, ...]
) -> dict[str, Any]:
    """Send, then advance the frozen clock to each step's due time in turn: just before
    it the previous status still shows, at it the step shows on every path. Returns the
    recipient as /_mock/ shows it at the end."""
    message_id = route.send(soap, auth, target)
    created = datetime.fromisoformat(mock.get(f"/messages/{message_id}")["created_at"])
    current, at = initial_status(route.channel).name, created
    assert_seen_everywhere(soap, auth, mock, route, message_id, target, current, at, created)

    for status in path:
        delay = STEP_DELAYS[route.channel][status]
        mock.advance(delay - JUST_BEFORE)
        assert mock.only_recipient(message_id)["status"] == current, f"{status} came early"
        mock.advance(JUST_BEFORE)
        current, at = status, at + timedelta(seconds=delay)
        assert_seen_everywhere(soap, auth, mock, route, message_id, target, current, at, created)

    mock.advance(LONG_AFTER)
    recipient = mock.only_recipient(message_id)
    assert recipient["status"] == current
    assert recipient["pending"] == []
    assert [event["status"] for event in recipient["history"]] == [
        initial_status(route.channel).name,
        *path,
    ]
    return recipient


# --- default paths ----------------------------------------------------------------


DEFAULT_WALKS = {
    "email": ("sent", "delivered"),
    "multi_email": ("sent", "delivered"),
    "relay": ("sent", "delivered"),
    "sms": ("sent_to_operator", "delivered"),
    "letter": ("printed", "posted", "delivered"),
    "fax": ("sending", "sent"),
}


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_the_default_path_reads_the_same_everywhere_at_every_step(
    soap: Any, auth: Auth, mock: MockApi, route: Route
) -> None:
    recipient = walk(soap, auth, mock, route, route.plain_target, DEFAULT_WALKS[route.name])

    assert [event["detail"] for event in recipient["history"]][1:] == [""] * len(
        DEFAULT_WALKS[route.name]
    )


# --- the default outcome rules ----------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    route: Route
    target: str
    path: tuple[str, ...]
    detail: str = ""
    """What /_mock/ shows as the last status's detail."""

    @property
    def name(self) -> str:
        return f"{self.route.name}:{self.target}->{self.path[-1]}"


def email_outcomes(route: Route) -> list[Outcome]:
    return [
        Outcome(
            route,
            "bounce.jean@example.fr",
            ("sent", "hard_bounce"),
            "5.1.1 Bad destination mailbox address",
        ),
        Outcome(route, "softbounce@example.fr", ("sent", "soft_bounce"), "4.2.2 Mailbox full"),
        Outcome(route, "complaint@example.fr", ("sent", "delivered", "complaint")),
        Outcome(route, "unsubscribe@example.fr", ("sent", "delivered", "unsubscribed")),
        Outcome(route, "open.me@example.fr", ("sent", "delivered", "opened")),
        Outcome(route, "click.me@example.fr", ("sent", "delivered", "opened", "clicked")),
    ]


OUTCOMES = [
    *email_outcomes(EMAIL),
    *email_outcomes(RELAY),
    Outcome(SMS, "06 01 02 00 00", ("sent_to_operator", "not_delivered")),
    Outcome(SMS, "06 01 02 99 99", ("sent_to_operator", "expired")),
    Outcome(LETTER, "99999", ("printed", "posted", "returned")),
    Outcome(FAX, "01 40 12 00 00", ("sending", "busy")),
    Outcome(FAX, "01 40 12 11 11", ("sending", "no_answer")),
    Outcome(FAX, "01 40 12 99 99", ("sending", "failed")),
]


@pytest.mark.parametrize("outcome", OUTCOMES, ids=lambda outcome: outcome.name)
def test_an_outcome_rules_path_reads_the_same_everywhere_at_every_step(
    soap: Any, auth: Auth, mock: MockApi, outcome: Outcome
) -> None:
    recipient = walk(soap, auth, mock, outcome.route, outcome.target, outcome.path)

    assert recipient["history"][-1]["detail"] == outcome.detail


def test_every_default_outcome_rule_has_a_walk() -> None:
    walked = {(outcome.route.channel, outcome.path) for outcome in OUTCOMES}
    ruled = {(channel, rule.path) for rule in DEFAULT_OUTCOME_RULES for channel in rule.channels}

    assert ruled - walked == set()


# --- relay tracking -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opens", "clicks", "path"),
    [
        (False, False, ("sent", "delivered")),
        (True, False, ("sent", "delivered", "opened")),
        (False, True, ("sent", "delivered")),
        (True, True, ("sent", "delivered", "opened", "clicked")),
    ],
    ids=["untracked", "opens-only", "clicks-only", "both-tracked"],
)
def test_a_relay_click_recipient_goes_only_as_far_as_what_is_tracked(
    soap: Any, auth: Auth, mock: MockApi, opens: bool, clicks: bool, path: tuple[str, ...]
) -> None:
    send = partial(send_relay, opens=opens, clicks=clicks)
    route = Route("relay", Channel.RELAY, "", send, read_relay)

    recipient = walk(soap, auth, mock, route, "click.me@example.fr", path)

    assert recipient["status"] == path[-1]


# --- several recipients ---------------------------------------------------------------


def test_each_recipient_of_a_multi_email_walks_its_own_path(
    soap: Any, auth: Auth, mock: MockApi
) -> None:
    message_id = sent_id(
        soap.MULTI_ENVOYER_EMAIL(
            **auth,
            DESTINATION={
                "DESTINATAIRE": [
                    {"DESTINATION": "jean@example.fr", "REFCLIENT": "r-jean"},
                    {"DESTINATION": "bounce@example.fr", "REFCLIENT": "r-bounce"},
                ]
            },
            SUJET="Two",
            TEXTE="Bonjour",
            EMETTEUR="news@example.com",
        )
    )
    created = datetime.fromisoformat(mock.get(f"/messages/{message_id}")["created_at"])

    def seen() -> dict[str, tuple[Any, ...]]:
        recipients = mock.get(f"/messages/{message_id}")["recipients"]
        rows = csv.DictReader(
            io.StringIO(
                soap.RAPPORT(
                    **auth,
                    DATE_DEBUT=created - timedelta(minutes=1),
                    DATE_FIN=created + timedelta(minutes=1),
                ).decode("utf-8")
            ),
            delimiter=";",
        )
        return {
            "/_mock/": tuple(r["status_code"] for r in recipients),
            "STATUT_MULTI_EMAIL": tuple(
                soap.STATUT_MULTI_EMAIL(**auth, MESSAGEID=message_id, REFCLIENT=reference)
                for reference in ("r-jean", "r-bounce")
            ),
            "RAPPORT": tuple(int(row["CODE_STATUT"]) for row in rows),
            "STATUT_EMAIL": (soap.STATUT_EMAIL(**auth, MESSAGEID=message_id),),
        }

    assert seen() == {
        "/_mock/": (1, 1),
        "STATUT_MULTI_EMAIL": (1, 1),
        "RAPPORT": (1, 1),
        "STATUT_EMAIL": (1,),
    }
    mock.advance(1)
    assert seen() == {
        "/_mock/": (2, 2),
        "STATUT_MULTI_EMAIL": (2, 2),
        "RAPPORT": (2, 2),
        "STATUT_EMAIL": (2,),
    }
    mock.advance(4)
    assert seen() == {
        "/_mock/": (3, 7),
        "STATUT_MULTI_EMAIL": (3, 7),
        "RAPPORT": (3, 7),
        "STATUT_EMAIL": (3,),  # the first recipient's status
    }
