"""scenarios/chaos.yaml: each rule's effect, seen from a real client, on the call that
the rule's count says trips it. Counters restart with each POST /_mock/reset."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
import zeep.exceptions
from lxml import etree

from mock_efidem.scenario.model import CallFacts
from mock_efidem.soap.operations import OPERATIONS, WIRE_CHANNELS
from mock_efidem.world import shipped_scenario

MESSAGE_ID = re.compile(r"[0-9a-f]{32}")
UNKNOWN_ID = "0" * 32
"""Polls of an unknown message answer the same every time, whatever the clock does."""
SLACK = 0.4
"""Seconds a loaded machine may add to a call."""
DEMO = {"UTILISATEUR": "demo", "MOT_DE_PASSE": "demo", "AppID": "demo"}
OVERLOADED = "Efidem is overloaded"


@pytest.fixture(scope="module")
def mock(launch):
    with launch("chaos.yaml") as running:
        yield running


@pytest.fixture(autouse=True)
def _reset(mock) -> None:
    mock.reset()


def send_sms(mock: Any, timeout: float = 10) -> requests.Response:
    return mock.soap_post(
        "ENVOYER_SMS", timeout=timeout, **DEMO, DESTINATION="0601020304", TEXTE="chaos"
    )


def result_of(response: requests.Response) -> str:
    """The text of the answer's ...Result element."""
    assert response.status_code == 200, response.text
    document = etree.fromstring(response.content)
    (result,) = [e for e in document.iter() if etree.QName(e).localname.endswith("Result")]
    return str(result.text)


# --- latency -------------------------------------------------------------------------


def test_every_status_poll_takes_20_to_120_ms_more(mock, auth, timed) -> None:
    durations = []
    for _ in range(5):  # the 6th would be truncated
        code, seconds = timed(mock.soap.STATUT_SMS, **auth, MESSAGEID=UNKNOWN_ID)
        assert code == -8
        durations.append(seconds)

    assert min(durations) >= 0.02, durations
    assert max(durations) < 0.12 + SLACK, durations
    assert max(durations) - min(durations) > 0.005, "uniform, so not all the same"


def test_the_small_latency_rule_selects_every_soap_operation() -> None:
    """Structural, not timed: a 2 ms answer cannot be told from a 20 ms one on a busy
    machine, and the rule's selection is what decides."""
    latency_rule = shipped_scenario("chaos.yaml").faults[0]
    skipped = [
        op.wire_name
        for op in OPERATIONS
        if not latency_rule.selection.matches(
            CallFacts("soap", op.wire_name, "demo", WIRE_CHANNELS.get(op.wire_name))
        )
    ]
    assert skipped == []


def test_every_fifth_send_is_one_and_a_half_seconds_slower(mock, timed) -> None:
    durations = []
    for _ in range(5):
        response, seconds = timed(send_sms, mock)
        assert MESSAGE_ID.fullmatch(result_of(response))
        durations.append(seconds)

    assert max(durations[:4]) < 0.12 + SLACK, durations
    assert 1.5 + 0.02 <= durations[4] < 1.5 + 0.12 + SLACK, durations


# --- sends: 503 and empty answers ------------------------------------------------------


def test_the_ninth_send_gets_a_503_and_the_eleventh_an_empty_answer(mock, auth) -> None:
    answers: dict[int, requests.Response] = {}
    for number in (1, 2, 3, 4, 5, 6, 7, 8):
        if number == 5:
            # The 1.5 s one: counted as soon as it arrives; not waited for here.
            with pytest.raises(requests.exceptions.ReadTimeout):
                send_sms(mock, timeout=0.3)
            continue
        answers[number] = send_sms(mock)

    with pytest.raises(zeep.exceptions.TransportError) as ninth:
        mock.soap.ENVOYER_SMS(**auth, DESTINATION="0601020304", TEXTE="ninth")
    assert (ninth.value.status_code, ninth.value.content) == (503, b"Service Unavailable")
    with pytest.raises(requests.exceptions.ReadTimeout):
        send_sms(mock, timeout=0.3)  # the 10th, slow again
    eleventh = send_sms(mock)
    assert (eleventh.status_code, eleventh.content) == (200, b"")
    answers[12] = send_sms(mock)
    for number, answer in answers.items():
        assert MESSAGE_ID.fullmatch(result_of(answer)), number


# --- status polls: truncated answers and resets ----------------------------------------


def test_every_sixth_status_poll_is_cut_in_the_middle(mock) -> None:
    bodies = [
        mock.soap_post("STATUT_EMAIL", **DEMO, MESSAGEID=UNKNOWN_ID).content for _ in range(6)
    ]

    full = bodies[0]
    assert etree.fromstring(full).findtext(".//{*}STATUT_EMAILResult") == "-99"
    assert bodies[1:5] == [full] * 4
    assert bodies[5] == full[: len(full) // 2]
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(bodies[5])


def test_the_count_covers_every_status_operation_and_the_seventh_is_reset(mock, auth) -> None:
    soap = mock.soap
    polls = [(soap.STATUT_EMAIL, -99), (soap.STATUT_SMS, -8), (soap.STATUT_FAX, -99)] * 3
    for poll, code in polls[:5]:
        assert poll(**auth, MESSAGEID=UNKNOWN_ID) == code
        # Not a STATUT_* operation: never counted, never faulted.
        assert soap.COURRIER_STATUT(**auth, MESSAGEID=UNKNOWN_ID).CODE_STATUT == -99

    sixth, seventh, eighth = (poll for poll, _ in polls[5:8])
    with pytest.raises(zeep.exceptions.TransportError, match="invalid XML") as truncated:
        sixth(**auth, MESSAGEID=UNKNOWN_ID)
    assert isinstance(truncated.value.__context__, zeep.exceptions.XMLSyntaxError)
    with pytest.raises(requests.exceptions.ConnectionError):
        seventh(**auth, MESSAGEID=UNKNOWN_ID)
    assert eighth(**auth, MESSAGEID=UNKNOWN_ID) == polls[7][1], "serving again"


def test_a_plain_http_client_sees_the_reset(mock) -> None:
    for _ in range(6):
        mock.soap_post("STATUT_SMS", **DEMO, MESSAGEID=UNKNOWN_ID)

    with pytest.raises(requests.exceptions.ConnectionError):
        mock.soap_post("STATUT_SMS", **DEMO, MESSAGEID=UNKNOWN_ID)
    assert result_of(mock.soap_post("STATUT_SMS", **DEMO, MESSAGEID=UNKNOWN_ID)) == "-8"


# --- annex operations: seeded SOAP faults ----------------------------------------------

ANNEX_CALLS: list[tuple[str, dict[str, Any]]] = [
    (
        "RAPPORT",
        {"DATE_DEBUT": datetime(2026, 1, 1), "DATE_FIN": datetime(2026, 1, 1) + timedelta(days=1)},
    ),
    ("COMPTE_SOUMIS_CODE_FACTURATION", {"CODE_FACTURATION": "X"}),
    ("VERIFIER_ADRESSE_EMAIL", {"DESTINATAIRE": "jean@example.fr"}),
    ("OBTENIR_CODE_ESMTP", {"CODE_ESMTP": "5.1.1"}),
    ("TRANSFORMER_NUMERO", {"NUMERO": "0601020304"}),
    ("TRANSFORMER_NUEMRO", {"NUMERO": "0601020304"}),
]


def faulted_annex_calls(mock: Any, auth: dict[str, str], rounds: int) -> list[tuple[int, str]]:
    """Call each annex operation in turn; the (position, operation) of each fault."""
    faults = []
    for position in range(rounds * len(ANNEX_CALLS)):
        operation, arguments = ANNEX_CALLS[position % len(ANNEX_CALLS)]
        try:
            getattr(mock.soap, operation)(**auth, **arguments)
        except zeep.exceptions.Fault as fault:
            assert fault.message == OVERLOADED
            assert fault.code.endswith("Server")
            faults.append((position, operation))
    return faults


def test_about_one_annex_call_in_ten_is_a_server_fault(mock, auth) -> None:
    faults = faulted_annex_calls(mock, auth, rounds=10)
    assert 1 <= len(faults) <= 15, faults


def test_the_annex_faults_fall_on_the_same_calls_after_a_reset(mock, auth) -> None:
    first = faulted_annex_calls(mock, auth, rounds=5)
    mock.reset()
    assert faulted_annex_calls(mock, auth, rounds=5) == first
    assert first, "seed 7 gives at least one fault in 30 calls"


def test_other_operations_never_get_the_server_fault(mock, auth) -> None:
    answers = [mock.soap.ENLEVER_UTILISATEUR(**auth, NOM_UTILISATEUR="nobody") for _ in range(30)]
    assert answers == [-8] * 30


# --- DQE -------------------------------------------------------------------------------


def lookup(mock: Any, **params: str) -> str:
    response = mock.dqe_lookup(Email="jean.dupont@gmail.com", Licence="DQE-DEMO-L1", **params)
    assert response.status_code == 200
    return str(response.json()["1"]["IdError"])


def test_every_fourth_lookup_times_out_for_a_caller_with_half_a_second(mock, timed) -> None:
    answers = [timed(lookup, mock, TimeOut="0.5") for _ in range(8)]

    assert [verdict for verdict, _ in answers] == ["00", "00", "00", "99"] * 2
    assert 0.5 <= answers[3][1] < 0.5 + SLACK
    assert max(seconds for verdict, seconds in answers if verdict == "00") < SLACK


def test_every_fourth_lookup_takes_two_seconds(mock, timed) -> None:
    answers = [timed(lookup, mock) for _ in range(4)]

    assert [verdict for verdict, _ in answers] == ["00"] * 4
    assert 2.0 <= answers[3][1] < 2.0 + SLACK
