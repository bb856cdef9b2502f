"""Every fault kind, seen from a real client (requests and zeep), and the server serving
on after each one. The rules pick their calls by MESSAGEID, so each test trips one."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import zeep.exceptions
from lxml import etree

SLACK = 0.4
"""Seconds a loaded machine may add to a call."""
DEMO = {"UTILISATEUR": "demo", "MOT_DE_PASSE": "demo", "AppID": "demo"}
UNKNOWN = "no-such-message"
"""No rule picks it: the plain answer, -99."""

SCENARIO = """
name: transport-faults
faults:
  - {operation: STATUT_EMAIL, when: {MESSAGEID: fixed}, latency: 0.3}
  - {operation: STATUT_EMAIL, when: {MESSAGEID: uniform}, latency: {uniform: [0.2, 0.4]}}
  - {operation: STATUT_EMAIL, when: {MESSAGEID: reset}, reset: true}
  - {operation: STATUT_EMAIL, when: {MESSAGEID: truncate}, truncate: true}
  - {operation: STATUT_EMAIL, when: {MESSAGEID: empty}, empty: true}
  - operation: STATUT_EMAIL
    when: {MESSAGEID: http}
    http: {status: 502, body: "Bad gateway: upstream timed out", content_type: text/html}
  - {operation: STATUT_EMAIL, when: {MESSAGEID: fault}, soap_fault: {code: Client, message: No way}}
  - operation: STATUT_EMAIL
    when: {MESSAGEID: slow-fault}
    latency: 0.2
    soap_fault: {code: Server, message: Slow and broken}
  - {operation: DQEEMAILLOOKUP, when: {Email: jean.dupont@gmail.com}, latency: 0.4}
"""


@pytest.fixture(scope="module")
def mock(launch):
    with launch() as running:
        assert running.load(SCENARIO)["faults"] == 9
        yield running


@pytest.fixture(autouse=True)
def _reset(mock) -> None:
    mock.reset()


def status(mock: Any, message_id: str) -> requests.Response:
    return mock.soap_post("STATUT_EMAIL", **DEMO, MESSAGEID=message_id)


def assert_still_serving(mock: Any, auth: dict[str, str]) -> None:
    assert mock.soap.STATUT_EMAIL(**auth, MESSAGEID=UNKNOWN) == -99
    fresh = status(mock, UNKNOWN)  # a new connection, too
    assert etree.fromstring(fresh.content).findtext(".//{*}STATUT_EMAILResult") == "-99"


# --- latency -------------------------------------------------------------------------


def test_a_fixed_latency_delays_the_answer_by_that_much(mock, auth, timed) -> None:
    answer, seconds = timed(mock.soap.STATUT_EMAIL, **auth, MESSAGEID="fixed")
    assert answer == -99
    assert 0.3 <= seconds < 0.3 + SLACK
    assert_still_serving(mock, auth)


def test_a_uniform_latency_stays_within_its_range(mock, auth, timed) -> None:
    measured = [timed(mock.soap.STATUT_EMAIL, **auth, MESSAGEID="uniform") for _ in range(3)]

    assert [answer for answer, _ in measured] == [-99] * 3
    durations = [seconds for _, seconds in measured]
    assert all(0.2 <= seconds < 0.4 + SLACK for seconds in durations), durations
    assert max(durations) - min(durations) > 0.001, "drawn, not fixed"
    assert_still_serving(mock, auth)


# --- connection reset ------------------------------------------------------------------


def test_a_reset_is_a_connection_error_for_requests(mock, auth) -> None:
    with pytest.raises(requests.exceptions.ConnectionError):
        status(mock, "reset")
    assert_still_serving(mock, auth)


def test_a_reset_is_a_connection_error_for_zeep(mock, auth) -> None:
    with pytest.raises(requests.exceptions.ConnectionError):
        mock.soap.STATUT_EMAIL(**auth, MESSAGEID="reset")
    assert_still_serving(mock, auth)


# --- broken answers ----------------------------------------------------------------------


def test_a_truncated_answer_is_the_first_half_of_the_real_one(mock, auth) -> None:
    full = status(mock, UNKNOWN).content
    cut = status(mock, "truncate")

    assert cut.status_code == 200
    assert cut.content == full[: len(full) // 2]
    assert int(cut.headers["Content-Length"]) == len(cut.content)
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(cut.content)
    assert_still_serving(mock, auth)


def test_zeep_fails_to_parse_a_truncated_answer(mock, auth) -> None:
    with pytest.raises(zeep.exceptions.TransportError, match="invalid XML") as raised:
        mock.soap.STATUT_EMAIL(**auth, MESSAGEID="truncate")
    assert isinstance(raised.value.__context__, zeep.exceptions.XMLSyntaxError)
    assert_still_serving(mock, auth)


def test_an_empty_answer_is_a_bare_200(mock, auth) -> None:
    answer = status(mock, "empty")
    assert (answer.status_code, answer.content) == (200, b"")

    with pytest.raises(zeep.exceptions.TransportError) as raised:
        mock.soap.STATUT_EMAIL(**auth, MESSAGEID="empty")
    assert (raised.value.status_code, raised.value.content) == (200, b"")
    assert_still_serving(mock, auth)


def test_an_http_fault_answers_its_status_and_body(mock, auth) -> None:
    answer = status(mock, "http")
    assert (answer.status_code, answer.text) == (502, "Bad gateway: upstream timed out")
    assert answer.headers["Content-Type"].startswith("text/html")

    with pytest.raises(zeep.exceptions.TransportError) as raised:
        mock.soap.STATUT_EMAIL(**auth, MESSAGEID="http")
    assert (raised.value.status_code, raised.value.content) == (
        502,
        b"Bad gateway: upstream timed out",
    )
    assert_still_serving(mock, auth)


def test_a_soap_fault_reaches_zeep_with_its_code_and_message(mock, auth) -> None:
    with pytest.raises(zeep.exceptions.Fault) as raised:
        mock.soap.STATUT_EMAIL(**auth, MESSAGEID="fault")
    assert raised.value.message == "No way"
    assert raised.value.code.endswith("Client")

    answer = status(mock, "fault")
    assert answer.status_code == 500
    assert etree.fromstring(answer.content).findtext(".//faultstring") == "No way"
    assert_still_serving(mock, auth)


def test_a_latency_adds_to_a_fault_of_the_same_rule(mock, auth, timed) -> None:
    answer, seconds = timed(status, mock, "slow-fault")

    assert answer.status_code == 500
    assert etree.fromstring(answer.content).findtext(".//faultstring") == "Slow and broken"
    assert 0.2 <= seconds < 0.2 + SLACK
    assert_still_serving(mock, auth)


# --- DQE: latency against the caller's TimeOut ------------------------------------------


def lookup(mock: Any, email: str, **params: str) -> str:
    response = mock.dqe_lookup(Email=email, Licence="DQE-DEMO-L1", **params)
    assert response.status_code == 200
    return str(response.json()["1"]["IdError"])


def test_a_dqe_latency_above_the_timeout_answers_99(mock, timed) -> None:
    verdict, seconds = timed(lookup, mock, "jean.dupont@gmail.com", TimeOut="0.2")
    assert verdict == "99"
    assert 0.2 <= seconds < 0.2 + SLACK


def test_a_dqe_latency_below_the_timeout_answers_the_verdict(mock, timed) -> None:
    verdict, seconds = timed(lookup, mock, "jean.dupont@gmail.com", TimeOut="1")
    assert verdict == "00"
    assert 0.4 <= seconds < 0.4 + SLACK


def test_a_dqe_lookup_no_rule_picks_is_not_slowed(mock, timed) -> None:
    verdict, seconds = timed(lookup, mock, "marie.curie@gmail.com", TimeOut="0.2")
    assert verdict == "00"
    assert seconds < SLACK
