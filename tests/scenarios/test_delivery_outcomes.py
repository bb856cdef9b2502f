"""scenarios/delivery-outcomes.yaml: every trigger walks to its final status once the
frozen clock is advanced, dated from the scenario's start, bounce detail included."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DAY = 86_400.0
MESSAGE_ID = re.compile(r"[0-9a-f]{32}")
Auth = dict[str, str]


def sent(result: str) -> str:
    assert MESSAGE_ID.fullmatch(result), f"the send answered {result!r}"
    return result


def send_email(mock: Any, auth: Auth, address: str) -> str:
    return sent(
        mock.soap.ENVOYER_EMAIL(
            **auth, DESTINATION=address, SUJET="s", TEXTE="t", EMETTEUR="shop@example.com"
        )
    )


def send_relay(mock: Any, auth: Auth, address: str) -> str:
    return sent(
        mock.soap.ENVOYER_EMAIL_RELAIIS(
            **auth,
            DESTINATIONS_A={"string": [address]},
            SUJET="s",
            TEXTE="t",
            EMETTEUR="app@example.com",
            OUVERTURE=True,
            CLICS=True,
        )
    )


def send_sms(mock: Any, auth: Auth, number: str) -> str:
    return sent(mock.soap.ENVOYER_SMS(**auth, DESTINATION=number, TEXTE="t"))


def send_letter(mock: Any, auth: Auth, postcode: str) -> str:
    return sent(
        mock.soap.COURRIER_ENVOYER(
            **auth,
            Destinataires={"NOM": "Dupont", "PRENOM": "Jean"},
            Adresse_postale={
                "ADRESSE1": "1 rue de la Paix",
                "CODE_POSTAL": postcode,
                "VILLE": "Paris",
                "PAYS": "FRANCE",
            },
            Liste_Fichier={"LISTE_FICHIER": [{"NOM": "l.pdf", "CONTENU": b"%PDF-1.4"}]},
            Couleur=False,
        )
    )


def send_fax(mock: Any, auth: Auth, number: str) -> str:
    return sent(
        mock.soap.ENVOYER_FAX(
            **auth,
            DESTINATION=number,
            LISTE_FICHIERS={"LISTE_FICHIER": [{"NOM": "f.pdf", "CONTENU": b"%PDF-1.4"}]},
        )
    )


def read_code(mock: Any, auth: Auth, channel: str, message_id: str, target: str) -> int:
    """The recipient's status code, as the channel's SOAP status operation answers it."""
    soap = mock.soap
    if channel == "email":
        return int(soap.STATUT_EMAIL(**auth, MESSAGEID=message_id))
    if channel == "relay":
        return int(soap.SUIVRE_EMAIL_RELAIIS(**auth, MESSAGEID=message_id, DESTINATION=target))
    if channel == "sms":
        return int(soap.STATUT_COMPLET_SMS(**auth, MESSAGEID=message_id).CODE_STATUT)
    if channel == "letter":
        return int(soap.COURRIER_STATUT(**auth, MESSAGEID=message_id).CODE_STATUT)
    return int(soap.STATUT_FAX(**auth, MESSAGEID=message_id))


def read_date(mock: Any, auth: Auth, channel: str, message_id: str) -> datetime | None:
    """DATE_STATUT, for the channels whose status operation gives one."""
    if channel == "sms":
        return mock.soap.STATUT_COMPLET_SMS(**auth, MESSAGEID=message_id).DATE_STATUT
    if channel == "letter":
        return mock.soap.COURRIER_STATUT(**auth, MESSAGEID=message_id).DATE_STATUT
    return None


SENDS: dict[str, Callable[[Any, Auth, str], str]] = {
    "email": send_email,
    "relay": send_relay,
    "sms": send_sms,
    "letter": send_letter,
    "fax": send_fax,
}


@dataclass(frozen=True)
class Outcome:
    channel: str
    target: str
    """The address, number or postcode that triggers the outcome."""
    path: tuple[str, ...]
    """Every status from the initial one to the final one."""
    final_code: int
    final_after: float
    """Seconds from the send to the final status."""
    detail: str = ""

    @property
    def id(self) -> str:
        return f"{self.channel}-{self.path[-1]}"


def email_outcomes(channel: str) -> list[Outcome]:
    return [
        Outcome(
            channel,
            "hard-bounce.1@example.com",
            ("accepted", "sent", "hard_bounce"),
            7,
            5,
            "5.1.1 Bad destination mailbox address",
        ),
        Outcome(
            channel,
            "mailbox-full@example.com",
            ("accepted", "sent", "soft_bounce"),
            6,
            5,
            "4.2.2 Mailbox full",
        ),
        Outcome(
            channel,
            "soft-bounce@example.com",
            ("accepted", "sent", "soft_bounce"),
            6,
            5,
            "4.4.1 No answer from host",
        ),
        Outcome(
            channel, "complaint@example.com", ("accepted", "sent", "delivered", "complaint"), 8, 125
        ),
        Outcome(
            channel,
            "unsubscribe@example.com",
            ("accepted", "sent", "delivered", "unsubscribed"),
            9,
            125,
        ),
        Outcome(
            channel,
            "clicked@example.com",
            ("accepted", "sent", "delivered", "opened", "clicked"),
            5,
            95,
        ),
        Outcome(channel, "opened@example.com", ("accepted", "sent", "delivered", "opened"), 4, 65),
    ]


OUTCOMES = [
    *email_outcomes("email"),
    *email_outcomes("relay"),
    Outcome("sms", "0601230001", ("accepted", "sent_to_operator", "not_delivered"), 4, 6),
    Outcome("sms", "0601230002", ("accepted", "sent_to_operator", "expired"), 5, 2 * DAY + 1),
    Outcome("letter", "99999", ("received", "printed", "posted", "returned"), 5, 9 * DAY),
    Outcome("fax", "0140230001", ("queued", "sending", "busy"), 4, 32),
    Outcome("fax", "0140230002", ("queued", "sending", "no_answer"), 5, 62),
    Outcome("fax", "0140230003", ("queued", "sending", "failed"), 6, 32),
]


@pytest.fixture(scope="module")
def mock(launch):
    with launch("delivery-outcomes.yaml") as running:
        yield running


@pytest.fixture(autouse=True)
def _reset(mock) -> None:
    mock.reset()


def only_recipient(mock: Any, message_id: str) -> dict[str, Any]:
    (recipient,) = mock.message(message_id)["recipients"]
    return recipient


def at(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["at"])


def test_the_clock_is_frozen_on_the_start_date(mock) -> None:
    clock = mock.get("/clock")
    assert clock["frozen"] is True
    assert datetime.fromisoformat(clock["now"]) == START


@pytest.mark.parametrize("outcome", OUTCOMES, ids=lambda outcome: outcome.id)
def test_each_trigger_reaches_its_final_status(mock, auth, outcome: Outcome) -> None:
    message_id = SENDS[outcome.channel](mock, auth, outcome.target)
    sent_at = at(only_recipient(mock, message_id)["history"][0])
    assert sent_at == START

    mock.advance(outcome.final_after - 0.5)
    almost = only_recipient(mock, message_id)
    assert [e["status"] for e in almost["history"]] == list(outcome.path[:-1])

    mock.advance(0.5)
    recipient = only_recipient(mock, message_id)
    assert [e["status"] for e in recipient["history"]] == list(outcome.path)
    final = recipient["history"][-1]
    assert at(final) == START + timedelta(seconds=outcome.final_after)
    assert final["detail"] == outcome.detail
    assert recipient["pending"] == []
    assert read_code(mock, auth, outcome.channel, message_id, outcome.target) == outcome.final_code
    soap_date = read_date(mock, auth, outcome.channel, message_id)
    if soap_date is not None:
        assert soap_date == at(final)


def test_the_frozen_clock_stands_exactly_at_the_start(mock) -> None:
    readings = []
    for _ in range(10):  # each reset builds a new clock
        mock.reset()
        readings.append(datetime.fromisoformat(mock.get("/clock")["now"]))
    assert readings == [START] * 10


def test_the_clock_stands_still_between_advances(mock, auth) -> None:
    message_id = send_email(mock, auth, "hard-bounce@example.com")
    first = mock.get("/clock")["now"]
    time.sleep(0.1)

    assert mock.get("/clock")["now"] == first == mock.message(message_id)["created_at"]
    mock.advance(1)
    assert datetime.fromisoformat(mock.get("/clock")["now"]) - datetime.fromisoformat(
        first
    ) == timedelta(seconds=1)
    assert only_recipient(mock, message_id)["status"] == "sent"


def test_email_bounces_happen_on_the_start_date(mock, auth) -> None:
    message_id = send_email(mock, auth, "hard-bounce@example.com")
    mock.advance(60)
    history = only_recipient(mock, message_id)["history"]
    assert [at(e).date() for e in history] == [date(2026, 1, 5)] * 3
    assert history[-1]["detail"].startswith("5.1.1")


@pytest.mark.parametrize(
    ("address", "default_trigger_path"),
    [("bounce@example.com", "hard_bounce"), ("softbounce@example.com", "soft_bounce")],
)
def test_the_default_triggers_are_replaced(mock, auth, address, default_trigger_path) -> None:
    message_id = send_email(mock, auth, address)
    mock.advance(DAY)
    statuses = [e["status"] for e in only_recipient(mock, message_id)["history"]]
    assert statuses == ["accepted", "sent", "delivered"]
    assert default_trigger_path not in statuses


def test_an_ordinary_letter_is_delivered(mock, auth) -> None:
    message_id = send_letter(mock, auth, "75008")
    mock.advance(30 * DAY)
    assert only_recipient(mock, message_id)["status"] == "delivered"
